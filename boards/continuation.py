"""The next board in the journey: a deepening board for the staff, or a plain copy.

Step 5 of the method deepens Målbild 0.5 with the staff. On the deepening board each
cluster of the draft, in rank order, becomes a section: its title is the cluster's (with
the rank), its prompt carries the votes and the vision statement, the cluster's notes sit
in it as notes, and every section holds the ``malbild-deepening`` template's questions as
empty clusters, so the staff answer each question for each theme by putting notes in it.
Both writers fill an empty content doc; the server stores it as a new board.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pycrdt import Doc

from boards import schema
from boards.bulk import GAP, HEADER, PADDING
from boards.catalog import get_template
from boards.export.json import apply_json, to_json
from boards.export.labels import labels
from boards.export.outline import cluster_name, rank_prefix, votes_text
from boards.layout import Rect
from boards.model import Board, Cluster

DEEPENING_TEMPLATE = "malbild-deepening"
MODES: tuple[str, ...] = ("deepening", "copy")
# Question clusters are drawn big enough for a 2 x 2 grid of answers before they grow.
QUESTION_H = 2 * schema.NOTE_H + 3 * GAP + 56
QUESTION_COLUMNS = 3
QUESTION_GAP = schema.NOTE_H // 2
# The browser sets a section's prompt in 16 px type, at most 40rem wide (static/css/
# board.css): about 80 characters a line, 24 px each. A statement often takes two lines.
PROMPT_CHARS_PER_LINE = 80
PROMPT_LINE_H = 24

_SUFFIX = {
    "sv": {"deepening": "fördjupning", "copy": "kopia"},
    "en": {"deepening": "deepening", "copy": "copy"},
}
_IN_WORKSHOP = {"sv": "{votes} i workshopen.", "en": "{votes} in the workshop."}
# The board's pastel palette (NOTE_COLORS in static/src/model.js), one per question, so the
# same question has the same colour in every section.
_QUESTION_COLORS = ("#cfe6ff", "#cdf0d2", "#ffd8a8", "#e5d9ff", "#ffd1e3")


def default_title(board: Board, mode: str) -> str:
    """ "<title> — fördjupning" or "<title> — kopia" (English on an English board)."""
    words = _SUFFIX.get(board.language, _SUFFIX["sv"])
    return f"{board.title} — {words[mode]}" if board.title else words[mode].capitalize()


def theme_prompt(cluster: Cluster, language: str) -> str:
    """ "7 röster i workshopen. Målbildspåstående: …": what the room gave the theme."""
    words = labels(language)
    votes = _IN_WORKSHOP.get(language, _IN_WORKSHOP["sv"]).format(
        votes=votes_text(cluster.votes, language)
    )
    return f"{votes} {words['statement']}: {cluster.statement}" if cluster.statement else votes


@dataclass(frozen=True)
class _Layout:
    """One theme section, relative to its top-left corner."""

    w: float
    h: float
    notes: tuple[tuple[float, float], ...]
    questions: tuple[Rect, ...]


def _layout(notes: int, questions: int, prompt: str) -> _Layout:
    """The notes in a grid under the prompt, the question clusters in rows below them."""
    w = schema.SECTION_W
    lines = -(-len(prompt) // PROMPT_CHARS_PER_LINE)
    # Below the prompt however long the statement is, with room for the SVG's larger type.
    header = HEADER + GAP + PROMPT_LINE_H * max(1, lines)
    inner = w - 2 * PADDING
    columns = max(1, int((inner + GAP) // (schema.NOTE_W + GAP)))
    spots = tuple(
        (PADDING + col * (schema.NOTE_W + GAP), header + row * (schema.NOTE_H + GAP))
        for row, col in (divmod(i, columns) for i in range(notes))
    )
    rows = -(-notes // columns)
    # A wider gap above the questions: zoomed out, the browser draws a cluster's title
    # above its frame (static/css/board.css, .zoomed-out .cluster-header).
    top = header + rows * (schema.NOTE_H + GAP) + (QUESTION_GAP if rows else 0)
    per_row = max(1, min(questions, QUESTION_COLUMNS))
    qw = (inner - (per_row - 1) * GAP) / per_row
    rects = tuple(
        Rect(PADDING + col * (qw + GAP), top + row * (QUESTION_H + GAP), qw, QUESTION_H)
        for row, col in (divmod(i, per_row) for i in range(questions))
    )
    bottom = max((r.y + r.h for r in rects), default=top)
    return _Layout(w, max(schema.SECTION_H, bottom + PADDING), spots, rects)


def write_deepening(doc: Doc[Any], source: Board, *, title: str, created_ms: int) -> None:
    """Lay out the deepening board of ``source`` in the empty ``doc``, in one transaction."""
    if not source.clusters:
        raise ValueError("deepening: expected a board with at least one cluster, got none")
    template = get_template(DEEPENING_TEMPLATE)
    language = source.language
    words = labels(language)
    questions = [s.localized(language)["title"] for s in template.sections]
    prompts = [theme_prompt(c, language) for c in source.clusters]
    layouts = [
        _layout(len(c.notes), len(questions), p)
        for c, p in zip(source.clusters, prompts, strict=True)
    ]
    with doc.transaction():
        schema.write_meta(
            doc, title=title, template=template.id, language=language, created_ms=created_ms
        )
        y = 0.0
        for start in range(0, len(layouts), schema.SECTION_COLUMNS):
            # A row of sections is as tall as its tallest, so no section covers the next row.
            row = layouts[start : start + schema.SECTION_COLUMNS]
            for col, layout in enumerate(row):
                order = start + col
                cluster = source.clusters[order]
                x = col * (schema.SECTION_W + schema.SECTION_GAP)
                sid = schema.add_section(
                    doc,
                    title=f"{rank_prefix(cluster)}{cluster_name(cluster, words)}",
                    prompt=prompts[order],
                    x=x,
                    y=y,
                    w=layout.w,
                    h=layout.h,
                    order=order,
                )
                for note, (nx, ny) in zip(cluster.notes, layout.notes, strict=True):
                    schema.add_note(
                        doc,
                        text=note.text,
                        x=x + nx,
                        y=y + ny,
                        color=note.color,
                        author=note.author,
                        created_ms=note.created,
                        section=sid,
                    )
                for i, (question, rect) in enumerate(zip(questions, layout.questions, strict=True)):
                    schema.add_cluster(
                        doc,
                        title=question,
                        x=x + rect.x,
                        y=y + rect.y,
                        w=rect.w,
                        h=rect.h,
                        color=_QUESTION_COLORS[i % len(_QUESTION_COLORS)],
                        section=sid,
                    )
            y += max(layout.h for layout in row) + schema.SECTION_GAP


def write_copy(doc: Doc[Any], source: Board, *, title: str, created_ms: int) -> None:
    """Copy the content of ``source`` (sections, clusters, notes) into the empty ``doc``.

    Votes, participants and checkpoints stay with the source: the copy starts a new
    session. Authors are copied unless ``source`` was built anonymously (then they are
    already blank), so an anonymous board never names anyone in its copy.
    """
    data = to_json(source, generated_ms=created_ms)
    data["meta"] = {**data["meta"], "title": title, "created": created_ms}
    data["tallies"] = {}
    data["checkpoints"] = []
    apply_json(doc, data, trusted=True)
