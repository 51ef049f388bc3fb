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
from boards.export.labels import labels
from boards.model import Board, Cluster, Note, Section
from boards.schema import now_ms

try:
    # The method is Swedish; dates in the document follow the libraries' clocks.
    DEFAULT_TZ: tzinfo = ZoneInfo("Europe/Stockholm")
except ZoneInfoNotFoundError:  # pragma: no cover - minimal containers without tzdata
    DEFAULT_TZ = UTC


@dataclass(frozen=True)
class Group:
    """One part of the "section by section" outline."""

    title: str
    prompt: str
    clusters: tuple[Cluster, ...]
    notes: tuple[Note, ...]  # unclustered notes, after the clusters


@dataclass(frozen=True)
class Outline:
    language: str
    labels: Mapping[str, str]
    title: str  # "Målbild 0.5 — <board title>"
    date: str  # export date
    created: str  # board creation date
    template: str  # localized template title, or its id
    counts: tuple[tuple[str, int], ...]  # (label, number) in display order
    vision: tuple[Cluster, ...]  # ranked
    groups: tuple[Group, ...]
    checkpoints: tuple[tuple[str, str], ...]  # (name, when)
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


def document_title(board: Board) -> str:
    """ "Målbild 0.5 — <title>" (or the English equivalent)."""
    name = labels(board.language)["document"]
    return f"{name} — {board.title}" if board.title else name


def votes_text(n: int, language: str) -> str:
    """ "1 röst", "3 röster"."""
    words = labels(language)
    return f"{n} {words['vote_one'] if n == 1 else words['vote_many']}"


def _template_title(board: Board) -> str:
    try:
        return str(get_template(board.template).localized(board.language)["title"])
    except KeyError:
        return board.template


def _groups(board: Board, words: Mapping[str, str]) -> tuple[Group, ...]:
    groups = [Group(s.title, s.prompt, s.clusters, s.notes) for s in board.sections]
    if board.other_clusters or board.other_notes:
        # A blank board has no sections: everything lands here, under a neutral heading.
        title = words["other"] if board.sections else ""
        groups.append(Group(title, "", board.other_clusters, board.other_notes))
    return tuple(groups)


def build_outline(
    board: Board, *, generated_ms: int | None = None, tz: tzinfo = DEFAULT_TZ
) -> Outline:
    """The outline of the Målbild 0.5 document for ``board``."""
    words = labels(board.language)
    return Outline(
        language=board.language,
        labels=words,
        title=document_title(board),
        date=format_date(now_ms() if generated_ms is None else generated_ms, tz),
        created=format_date(board.created, tz) if board.created else "",
        template=_template_title(board),
        counts=(
            (words["participants"], board.participants),
            (words["notes"], len(board.notes)),
            (words["clusters"], len(board.clusters)),
            (words["votes"], board.votes),
        ),
        vision=board.clusters,
        groups=_groups(board, words),
        checkpoints=tuple((c.name, format_time(c.at, tz)) for c in board.checkpoints),
        anonymous=board.anonymous,
    )


def section_title(section: Section | Group, words: Mapping[str, str]) -> str:
    return section.title or words["untitled"]
