"""The roll-up: what parallel staff boards found, theme by theme, side by side.

Step 5 runs one deepening board per staff group or branch. The next step starts from a
roll-up board: one section per theme (the deepening boards' sections, matched by title),
in it one cluster per group holding that group's answers. Each note keeps where it came
from in its ``source`` field (``{"board": id, "group": name}``) and names the question it
answered, and its votes are handed back so the new board keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc

from boards import schema
from boards.bulk import GAP, HEADER, PADDING
from boards.model import Board, Note

ROLLUP_TEMPLATE = "blank"
_COLUMNS = 3
_NOTE_COLUMNS = 2
_GROUP_COLORS = ("#cfe6ff", "#cdf0d2", "#ffd8a8", "#e5d9ff", "#ffd1e3", "#fff3b0")
_NOTHING = {"sv": "Inget tillagt av {group}.", "en": "Nothing added by {group}."}


@dataclass(frozen=True, slots=True)
class GroupBoard:
    board_id: str
    group: str
    board: Board


@dataclass(frozen=True, slots=True)
class Answer:
    note: Note
    question: str


def answers_by_theme(groups: Sequence[GroupBoard]) -> dict[str, dict[int, list[Answer]]]:
    """theme title -> group index -> the group's answers (notes in a question cluster)."""
    themes: dict[str, dict[int, list[Answer]]] = {}
    for index, group in enumerate(groups):
        for section in group.board.sections:
            per_group = themes.setdefault(section.title, {})
            answers = per_group.setdefault(index, [])
            for cluster in section.clusters:
                answers.extend(Answer(note, cluster.title) for note in cluster.notes)
    return themes


def _cluster_h(notes: int) -> float:
    rows = max(1, -(-notes // _NOTE_COLUMNS))
    return 56 + rows * (schema.NOTE_H + GAP) + GAP


def write_rollup(
    doc: Doc[Any], groups: Sequence[GroupBoard], *, title: str, language: str, created_ms: int
) -> dict[str, int]:
    """Lay out the roll-up of ``groups`` in the empty ``doc``; returns the notes' votes."""
    if not groups:
        raise ValueError("roll-up: expected at least one group board, got none")
    themes = answers_by_theme(groups)
    tallies: dict[str, int] = {}
    per_row = min(len(groups), _COLUMNS)
    inner = schema.SECTION_W - 2 * PADDING
    cw = (inner - (per_row - 1) * GAP) / per_row
    with doc.transaction():
        schema.write_meta(
            doc, title=title, template=ROLLUP_TEMPLATE, language=language, created_ms=created_ms
        )
        y = 0.0
        for order, (theme, per_group) in enumerate(themes.items()):
            heights = [_cluster_h(len(per_group.get(i, []))) for i in range(len(groups))]
            rows = [heights[i : i + per_row] for i in range(0, len(heights), per_row)]
            h = HEADER + sum(max(r) + GAP for r in rows) + PADDING
            x = 0.0
            sid = schema.add_section(
                doc,
                title=theme,
                prompt=", ".join(g.group for g in groups),
                x=x,
                y=y,
                w=schema.SECTION_W,
                h=max(schema.SECTION_H, h),
                order=order,
            )
            top = y + HEADER
            for row_start in range(0, len(groups), per_row):
                row_h = max(heights[row_start : row_start + per_row])
                for col in range(min(per_row, len(groups) - row_start)):
                    index = row_start + col
                    group = groups[index]
                    answers = per_group.get(index, [])
                    cx = x + PADDING + col * (cw + GAP)
                    cid = schema.add_cluster(
                        doc,
                        title=group.group,
                        x=cx,
                        y=top,
                        w=cw,
                        h=heights[index],
                        color=_GROUP_COLORS[index % len(_GROUP_COLORS)],
                        section=sid,
                    )
                    if not answers:
                        # A group that added nothing is shown too: silence is a finding.
                        answers = [
                            Answer(
                                Note(
                                    "",
                                    _NOTHING.get(language, _NOTHING["sv"]).format(
                                        group=group.group
                                    ),
                                    "",
                                    None,
                                    None,
                                    0,
                                    0,
                                    "#eeeeee",
                                    0,
                                    created_ms,
                                ),
                                "",
                            )
                        ]
                    for i, answer in enumerate(answers):
                        row, column = divmod(i, _NOTE_COLUMNS)
                        text = (
                            f"{answer.question}: {answer.note.text}"
                            if answer.question
                            else (answer.note.text)
                        )
                        nid = schema.add_note(
                            doc,
                            text=text,
                            x=cx + GAP + column * (schema.NOTE_W + GAP),
                            y=top + 56 + row * (schema.NOTE_H + GAP),
                            color=answer.note.color,
                            author=answer.note.author,
                            created_ms=answer.note.created,
                            section=sid,
                            cluster=cid,
                        )
                        schema.notes_map(doc)[nid]["source"] = {
                            "board": group.board_id,
                            "group": group.group,
                        }
                        if answer.note.votes:
                            tallies[nid] = answer.note.votes
                top += row_h + GAP
            y += max(schema.SECTION_H, h) + schema.SECTION_GAP
    return tallies
