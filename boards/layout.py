"""Where revealed notes go: a compact grid inside a section, overlapping nothing.

The browser client lays out the live board with the same numbers
(`static/src/core/model/layout.js`: `SECTION_HEADER`, `LAYOUT_PAD`, `LAYOUT_GAP` and
`packBelow`); `tests/unit/test_layout_agree.py` runs both on one sample and compares.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Board px at the top of a section kept free for its title and question, so nothing
# placed by the layout ever covers them.
SECTION_HEADER = 160.0
LAYOUT_PAD = 24.0
LAYOUT_GAP = 16.0


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Rect) -> bool:
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )


def pack_below(
    area: Rect,
    occupied: Iterable[Rect],
    count: int,
    *,
    note_w: float,
    note_h: float,
    top: float | None = None,
) -> list[tuple[float, float]]:
    """`count` note slots: the first cells of `area`'s grid that touch nothing occupied.

    The grid's rows start under the section's title band (or at `top`), not below what
    lies there already, so the holes that notes leave when they go into a cluster are
    filled first. A cell is free when nothing occupied comes within a gap of it (its
    grid neighbours are just that far). Rows continue below the area when it is full:
    nothing is ever placed on top of something else.
    """
    inside = [r for r in occupied if r.overlaps(area)]
    start = area.y + SECTION_HEADER if top is None else top
    stride_x = note_w + LAYOUT_GAP
    stride_y = note_h + LAYOUT_GAP
    cols = max(1, int((area.w - 2 * LAYOUT_PAD + LAYOUT_GAP) // stride_x))
    slots: list[tuple[float, float]] = []
    index = 0
    while len(slots) < count:
        x = area.x + LAYOUT_PAD + (index % cols) * stride_x
        y = start + (index // cols) * stride_y
        index += 1
        gap = LAYOUT_GAP
        cell = Rect(x - gap, y - gap, note_w + 2 * gap, note_h + 2 * gap)
        if not any(cell.overlaps(r) for r in inside):
            slots.append((x, y))
    return slots


def section_at(sections: Sequence[tuple[str, Rect]], x: float, y: float) -> str | None:
    """The first of `sections` (in the given order) that contains the point, or None."""
    for sid, rect in sections:
        if rect.x <= x <= rect.right and rect.y <= y <= rect.bottom:
            return sid
    return None


# A cluster's notes sit in a grid under its title; the cluster's size follows from how
# many there are, so it never has to be stored or resized by hand.
CLUSTER_HEADER = 64.0
CLUSTER_MAX_COLUMNS = 4
# At least two: far out the client draws a cluster's name inside it, in readable type.
CLUSTER_MIN_COLUMNS = 2


def cluster_columns(count: int) -> int:
    """Columns of a cluster's grid: close to square, at most CLUSTER_MAX_COLUMNS."""
    cols = CLUSTER_MIN_COLUMNS
    while cols * cols < count and cols < CLUSTER_MAX_COLUMNS:
        cols += 1
    return cols


def cluster_size(count: int, *, note_w: float, note_h: float) -> tuple[float, float]:
    """(w, h) of a cluster holding `count` notes (an empty one keeps room for one)."""
    cols = cluster_columns(count)
    rows = max(1, -(-count // cols))
    return (
        2 * LAYOUT_PAD + cols * note_w + (cols - 1) * LAYOUT_GAP,
        CLUSTER_HEADER + rows * note_h + (rows - 1) * LAYOUT_GAP + LAYOUT_PAD,
    )
