"""What every export says, in what order: the shared outline the writers format.

Keeping the order and wording here means Markdown, HTML, Word, SVG and CSV cannot
disagree about what the room decided.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from boards.catalog import get_template
from boards.export.labels import NEXT_STEPS, count_text, labels
from boards.model import Board, Cluster, Note
from boards.schema import now_ms

try:
    # The method is Swedish; dates in the document follow the libraries' clocks.
    DEFAULT_TZ: tzinfo = ZoneInfo("Europe/Stockholm")
except ZoneInfoNotFoundError:  # pragma: no cover - minimal containers without tzdata
    DEFAULT_TZ = UTC


@dataclass(frozen=True)
class Group:
    """The notes of one section that are in no cluster (each note is printed once)."""

    title: str
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class Outline:
    language: str
    labels: Mapping[str, str]
    title: str  # the board's title, with "Målbild 0.5 — " unless it names the vision already
    subtitle: str  # "Målbild 0.5" when the title does not say it, else ""
    date: str  # export date
    created: str  # board creation date
    template: str  # localized template title, or its id
    purpose: str  # what the document is, for a reader who was not in the room
    summary: str  # "16 deltagare skrev 64 lappar, ..."
    counts: tuple[tuple[str, int], ...]  # (label, number) in display order
    vision: tuple[Cluster, ...]  # ranked; ``rank`` shared by ties
    section_titles: Mapping[str, str]  # section id -> title, for "from the section"
    loose: tuple[Group, ...]  # unclustered notes by section, only sections that have some
    next_steps: tuple[str, ...]
    checkpoints: tuple[tuple[str, str], ...]  # (name, when)
    authors: bool  # print who wrote each note (the facilitator's choice; off by default)
    anonymous: bool


_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-z]{1,20}")


def safe_color(color: str, default: str) -> str:
    """``color`` if it is a plain hex or named colour, else ``default``.

    Colours come from clients and end up inside CSS and SVG attributes, where escaping
    alone would still let "red; background: url(...)" through.
    """
    return color if _COLOR.fullmatch(color) else default


def format_date(epoch_ms: int, tz: tzinfo = DEFAULT_TZ) -> str:
    """ISO date, as Swedish documents write it."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz).strftime("%Y-%m-%d")


def format_time(epoch_ms: int, tz: tzinfo = DEFAULT_TZ) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz).strftime("%Y-%m-%d %H:%M")


# Board titles often name the vision already ("Målbild 2027 – Stadsbiblioteket"):
# prefixing the document's name to those would print "Målbild 0.5 — Målbild 2027 – …".
_NAMES_THE_VISION = ("målbild", "target vision")


def _names_the_vision(title: str) -> bool:
    folded = title.casefold()
    return any(name in folded for name in _NAMES_THE_VISION)


def document_title(board: Board) -> str:
    """ "Målbild 0.5 — <title>", or the title alone when it names the vision itself."""
    name = labels(board.language)["document"]
    if not board.title:
        return name
    return board.title if _names_the_vision(board.title) else f"{name} — {board.title}"


def document_subtitle(board: Board) -> str:
    """The document's name under a title that does not carry it, else ""."""
    name = labels(board.language)["document"]
    return name if name.casefold() not in document_title(board).casefold() else ""


def votes_text(n: int, language: str) -> str:
    """ "1 röst", "3 röster"."""
    return count_text(n, "vote", language)


def rank_prefix(cluster: Cluster) -> str:
    """ "2. " for a ranked cluster; "" for one without votes (the board ranks it nowhere)."""
    return f"{cluster.rank}. " if cluster.rank is not None else ""


def cluster_name(cluster: Cluster, words: Mapping[str, str]) -> str:
    """The cluster's title on one line, or the board's word for an untitled cluster."""
    return " ".join(cluster.title.split()) or words["untitled"]


def _template_title(board: Board) -> str:
    try:
        return str(get_template(board.template).localized(board.language)["title"])
    except KeyError:
        return board.template


def _loose(board: Board, words: Mapping[str, str]) -> tuple[Group, ...]:
    groups = [
        Group(" ".join(s.title.split()) or words["untitled_section"], s.notes)
        for s in board.sections
        if s.notes
    ]
    if board.other_notes:
        # A blank board has no sections: its notes need no heading of their own.
        groups.append(Group(words["other"] if board.sections else "", board.other_notes))
    return tuple(groups)


def _purpose(board: Board, words: Mapping[str, str]) -> str:
    # Boards from before statements, or a room that wrote none: say nothing about them.
    if any(c.statement for c in board.clusters):
        return f"{words['purpose']} {words['purpose_statements']}"
    return words["purpose"]


def _summary(board: Board) -> str:
    language = board.language
    return labels(language)["summary"].format(
        participants=count_text(board.participants, "participant", language),
        notes=count_text(len(board.notes), "note", language),
        clusters=count_text(len(board.clusters), "cluster", language),
        votes=count_text(board.votes, "vote", language),
    )


def build_outline(
    board: Board,
    *,
    generated_ms: int | None = None,
    tz: tzinfo = DEFAULT_TZ,
    authors: bool = False,
) -> Outline:
    """The outline of the Målbild 0.5 document for ``board``.

    ``authors`` prints who wrote each note; it is off unless the facilitator chooses it,
    and an anonymous board has no authors to print either way.
    """
    words = labels(board.language)
    return Outline(
        language=board.language,
        labels=words,
        title=document_title(board),
        subtitle=document_subtitle(board),
        date=format_date(now_ms() if generated_ms is None else generated_ms, tz),
        created=format_date(board.created, tz) if board.created else "",
        template=_template_title(board),
        purpose=_purpose(board, words),
        summary=_summary(board),
        counts=(
            (words["participants"], board.participants),
            (words["notes"], len(board.notes)),
            (words["clusters"], len(board.clusters)),
            (words["votes"], board.votes),
        ),
        vision=board.clusters,
        section_titles={s.id: " ".join(s.title.split()) for s in board.sections},
        loose=_loose(board, words),
        next_steps=NEXT_STEPS.get(board.language, NEXT_STEPS["sv"]),
        checkpoints=tuple((c.name, format_time(c.at, tz)) for c in board.checkpoints),
        authors=authors and not board.anonymous,
        anonymous=board.anonymous,
    )


def note_author(note: Note, out: Outline) -> str:
    """Who wrote ``note``, when the document prints authors; else ""."""
    return note.author if out.authors else ""
