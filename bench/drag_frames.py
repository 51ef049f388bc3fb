"""Frame times while dragging on a board of 400 notes, in real Chromium (measured, never
asserted: the machine's load decides the numbers).

    .venv/bin/python -m bench.drag_frames [--notes 400] [--zoom 0.75]

Starts `samsyn serve` on a free port, fills a board through the page's own model (one
cluster per 16 notes, the rest loose, in the template's sections), then drags a cluster
and a loose note with the mouse, 60 steps each, and prints the rAF intervals (ms).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from urllib.parse import urljoin

from tests.support.boards import new_board
from tests.support.browser import launch_chromium, open_page
from tests.support.servers import ServerProcess

_FILL = """n => {
  const { doc, model } = window.samsyn
  const sections = [...doc.getMap('sections').entries()]
    .sort((a, b) => a[1].get('order') - b[1].get('order'))
  const ids = []
  model.change(doc, () => {
    for (let i = 0; i < n; i++) {
      const [sid, s] = sections[i % sections.length]
      const x = s.get('x') + 24 + (i % 6) * 184
      const y = s.get('y') + 160 + Math.floor(i / 36) * 128
      const text = 'Lapp ' + i + ' om bibliotekets digitala tjänster'
      ids.push(model.createNote(doc, { x, y, text, section: sid, now: i }))
    }
  })
  const clusters = []
  for (let k = 0; k + 16 <= n / 2; k += 16) {
    clusters.push(model.groupIntoCluster(doc, ids.slice(k, k + 16), { title: 'Tema ' + k }))
  }
  return clusters
}"""

_RECORD = """() => {
  window.__frames = []
  let last = performance.now()
  const tick = (now) => {
    window.__frames.push(now - last)
    last = now
    if (window.__recording) requestAnimationFrame(tick)
  }
  window.__recording = true
  requestAnimationFrame(tick)
}"""


_SHOW = """([id, zoom]) => {
  const input = window.samsyn.input
  input.setCamera({ ...window.samsyn.renderer.camera, zoom })
  input.ensureVisible('cluster', id, { centre: true })
}"""

# A loose note fully in view, below the toolbar.
_LOOSE = """() => [...document.querySelectorAll('.note:not(.clustered)')].find((n) => {
  const r = n.getBoundingClientRect()
  return r.top > 120 && r.bottom < 760 && r.left > 0 && r.right < 1360
})?.dataset.noteId"""


def _drag(page, box: dict[str, float], steps: int = 60) -> list[float]:  # type: ignore[no-untyped-def]
    page.evaluate(_RECORD)
    x, y = box["x"] + 12, box["y"] + 12
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, steps + 1):
        page.mouse.move(x + 4 * i, y + 2 * i)
    page.mouse.up()
    page.evaluate("() => { window.__recording = false }")
    frames: list[float] = page.evaluate("() => window.__frames.slice(1)")
    return frames


def _summary(name: str, frames: list[float]) -> str:
    ordered = sorted(frames)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return (
        f"{name}: {len(frames)} frames, median {statistics.median(frames):.1f} ms, "
        f"p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=400)
    parser.add_argument("--zoom", type=float, default=0.75)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "bench.db").start()
        try:
            board = new_board(server.url, "Dra", phase="cluster", template="malbild-workshop")
            for browser in launch_chromium():
                problems: list[str] = []
                url = urljoin(server.url, board["urls"]["facilitator"])
                page = open_page(browser, url, problems, "facilitator", size=(1366, 768))
                clusters = page.evaluate(_FILL, args.notes)
                page.evaluate(_SHOW, [clusters[0], args.zoom])
                cluster = page.locator(f'.cluster[data-cluster-id="{clusters[0]}"]').bounding_box()
                name = f"drag a 16-note cluster ({args.notes} notes, zoom {args.zoom})"
                print(_summary(name, _drag(page, cluster)))
                loose = page.evaluate(_LOOSE)
                if loose:
                    box = page.locator(f'.note[data-note-id="{loose}"]').bounding_box()
                    print(_summary("drag a loose note", _drag(page, box)))
                if problems:
                    print("problems:", problems)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
