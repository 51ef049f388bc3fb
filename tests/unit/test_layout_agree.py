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

_SCRIPT = """
const m = await import(process.argv[1])
const sample = JSON.parse(process.argv[2])
console.log(JSON.stringify({
  constants: [m.SECTION_HEADER, m.LAYOUT_PAD, m.LAYOUT_GAP, m.CLUSTER_HEADER,
    m.CLUSTER_MAX_COLUMNS, m.CLUSTER_MIN_COLUMNS],
  sizes: sample.counts.map((n) => { const s = m.clusterSize(n); return [s.w, s.h] }),
  slots: m.packBelow(sample.area, sample.occupied, 30).map((p) => [p.x, p.y])
}))
"""


@pytest.fixture(scope="module")
def client() -> dict[str, Any]:
    rect = lambda r: {"x": r.x, "y": r.y, "w": r.w, "h": r.h}  # noqa: E731
    sample = {"counts": COUNTS, "area": rect(AREA), "occupied": [rect(r) for r in OCCUPIED]}
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
