"""The reveal's layout (boards/layout.py) and the browser's (core/model/layout.js) agree.

The server packs revealed notes and sizes clusters the way every browser then draws
them; this runs the real client module under node on one sample and compares numbers,
so the two cannot drift apart.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from boards import layout
from boards.schema import NOTE_H, NOTE_W
from tests.support import ROOT
from tests.support.tools import node_binary

CLIENT_MODULE = ROOT / "static" / "src" / "core" / "model" / "layout.js"

# An area with a few obstacles in it, one across its edge and one far away.
AREA = layout.Rect(0, 0, 1200, 900)
OCCUPIED = [
    layout.Rect(40, 200, 168, 112),
    layout.Rect(500, 170, 400, 328),
    layout.Rect(1150, 600, 168, 112),
    layout.Rect(5000, 5000, 168, 112),
]
COUNTS = [0, 1, 2, 4, 5, 9, 16, 17, 40]


def _cell(area: layout.Rect, index: int, cols: int, top: float | None = None) -> layout.Rect:
    """The `index`-th cell of the loose-note grid of `area` (with `cols` columns)."""
    start = area.y + layout.SECTION_HEADER if top is None else top
    return layout.Rect(
        area.x + layout.LAYOUT_PAD + (index % cols) * (NOTE_W + layout.LAYOUT_GAP),
        start + (index // cols) * (NOTE_H + layout.LAYOUT_GAP),
        NOTE_W,
        NOTE_H,
    )


# A revealed grid of 14 notes (6 columns fit 1200 px) from which 1, 4, 5 and 9 went into
# a cluster: four holes, the first in the first row.
GRID_COLS = 6
STAYED = [_cell(AREA, i, GRID_COLS) for i in range(14) if i not in (1, 4, 5, 9)]
TOP = 700.0

_SCRIPT = """
const m = await import(process.argv[1])
const sample = JSON.parse(process.argv[2])
console.log(JSON.stringify({
  constants: [m.SECTION_HEADER, m.LAYOUT_PAD, m.LAYOUT_GAP, m.CLUSTER_HEADER,
    m.CLUSTER_MAX_COLUMNS, m.CLUSTER_MIN_COLUMNS],
  sizes: sample.counts.map((n) => { const s = m.clusterSize(n); return [s.w, s.h] }),
  slots: m.packBelow(sample.area, sample.occupied, 30).map((p) => [p.x, p.y]),
  holes: m.packBelow(sample.area, sample.stayed, 6).map((p) => [p.x, p.y]),
  fromTop: m.packBelow(sample.area, sample.occupied, 8, sample.top).map((p) => [p.x, p.y])
}))
"""


@pytest.fixture(scope="module")
def client() -> dict[str, Any]:
    rect = lambda r: {"x": r.x, "y": r.y, "w": r.w, "h": r.h}  # noqa: E731
    sample = {
        "counts": COUNTS,
        "area": rect(AREA),
        "occupied": [rect(r) for r in OCCUPIED],
        "stayed": [rect(r) for r in STAYED],
        "top": TOP,
    }
    done = subprocess.run(
        [
            node_binary(),
            "--input-type=module",
            "-e",
            _SCRIPT,
            CLIENT_MODULE.as_uri(),
            json.dumps(sample),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        cwd=ROOT / "static",
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_constants_agree(client: dict[str, Any]) -> None:
    assert client["constants"] == [
        layout.SECTION_HEADER,
        layout.LAYOUT_PAD,
        layout.LAYOUT_GAP,
        layout.CLUSTER_HEADER,
        layout.CLUSTER_MAX_COLUMNS,
        layout.CLUSTER_MIN_COLUMNS,
    ]


def test_cluster_sizes_agree(client: dict[str, Any]) -> None:
    ours = [list(layout.cluster_size(n, note_w=NOTE_W, note_h=NOTE_H)) for n in COUNTS]
    assert client["sizes"] == ours


def test_packed_slots_agree_and_touch_nothing(client: dict[str, Any]) -> None:
    ours = layout.pack_below(AREA, OCCUPIED, 30, note_w=NOTE_W, note_h=NOTE_H)
    assert client["slots"] == [list(p) for p in ours]
    boxes = [layout.Rect(x, y, NOTE_W, NOTE_H) for x, y in ours]
    assert not any(b.overlaps(o) for b in boxes for o in OCCUPIED)
    assert all(b.y >= AREA.y + layout.SECTION_HEADER for b in boxes)


def test_holes_in_the_loose_grid_are_filled_first_alike(client: dict[str, Any]) -> None:
    ours = layout.pack_below(AREA, STAYED, 6, note_w=NOTE_W, note_h=NOTE_H)
    assert client["holes"] == [list(p) for p in ours]
    # The four holes in reading order, then the cells after the last note: no hole left.
    wanted = [_cell(AREA, i, GRID_COLS) for i in (1, 4, 5, 9, 14, 15)]
    assert ours == [(c.x, c.y) for c in wanted]


def test_packing_from_a_given_top_agrees(client: dict[str, Any]) -> None:
    ours = layout.pack_below(AREA, OCCUPIED, 8, note_w=NOTE_W, note_h=NOTE_H, top=TOP)
    assert client["fromTop"] == [list(p) for p in ours]
    assert all(y >= TOP for _, y in ours)
    assert ours[0] == (AREA.x + layout.LAYOUT_PAD, TOP)


def test_the_first_free_cells_keep_a_gap_from_a_cluster() -> None:
    """A cluster across the grid: the cells it comes within a gap of are skipped, those
    before and after it taken in reading order, none touching it."""
    cluster = layout.Rect(400, 170, 400, 328)
    slots = layout.pack_below(AREA, [cluster], 12, note_w=NOTE_W, note_h=NOTE_H)
    free = [
        i
        for i in range(40)
        if not _cell(AREA, i, GRID_COLS).overlaps(
            layout.Rect(
                cluster.x - layout.LAYOUT_GAP,
                cluster.y - layout.LAYOUT_GAP,
                cluster.w + 2 * layout.LAYOUT_GAP,
                cluster.h + 2 * layout.LAYOUT_GAP,
            )
        )
    ][:12]
    assert slots == [(_cell(AREA, i, GRID_COLS).x, _cell(AREA, i, GRID_COLS).y) for i in free]
    gap = layout.LAYOUT_GAP
    for x, y in slots:
        assert not layout.Rect(
            x - gap + 1, y - gap + 1, NOTE_W + 2 * gap - 2, NOTE_H + 2 * gap - 2
        ).overlaps(cluster)
    # The first row has free cells on both sides of the cluster, used before row two.
    assert slots[0][1] == slots[1][1] == AREA.y + layout.SECTION_HEADER
