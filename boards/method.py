"""The method's ten steps, as data (`method.json`): their names, and the board each makes.

`kind` says how a step's board is built from the step before (see `server/services/
journeys.py`): `none` (a step without a board), `template` (a fresh board of the
template, seeded with the previous result's texts), `groups` (one board per staff group
from Målbild 0.5: `copy` or `deepening`), `copy` (one copy of the previous result),
`rollup` (the staff boards side by side with provenance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

STATUSES = ("planned", "ongoing", "done")


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    title: dict[str, str]
    summary: dict[str, str]
    kind: str
    template: str = "blank"
    mode: str = ""  # for `groups`: "copy" (comment round) or "deepening"
    source: tuple[int, ...] = ()  # the steps whose result it starts from, nearest first


def _load() -> tuple[Step, ...]:
    raw = json.loads((Path(__file__).parent / "method.json").read_text(encoding="utf-8"))
    steps = tuple(
        Step(
            number=int(item["number"]),
            title=dict(item["title"]),
            summary=dict(item["summary"]),
            kind=str(item["kind"]),
            template=str(item.get("template", "blank")),
            mode=str(item.get("mode", "")),
            source=tuple(int(n) for n in item.get("source", ())),
        )
        for item in raw
    )
    assert [s.number for s in steps] == list(range(1, len(steps) + 1)), "steps 1..n in order"
    return steps


STEPS: tuple[Step, ...] = _load()


def step(number: int) -> Step:
    for found in STEPS:
        if found.number == number:
            return found
    raise KeyError(number)
