"""Facilitation rules as pure functions: phases, the timer and voting (the reveal's
layout is in `boards/layout.py`).

The session doc (written only by the server) holds the state these rules produce:

```
phase     Y.Map  name: "brainstorm"|"cluster"|"vote"|"discuss"|"closed", since: epoch ms
timer     Y.Map  ends_at: epoch ms|null, duration_s: int, paused_left_s: int|null
voting    Y.Map  open: bool, budget: int, target: "clusters"|"notes", tallies_visible: bool,
                 round: int (added: bumped when votes are reset, so clients reload theirs),
                 max_per_item: int (added: most dots one voter may put on one item, 0 = any),
                 voted: int (added: how many participants have placed at least one dot),
                 dots: int (added: how many dots are placed in all)
tallies   Y.Map  <cluster or note id> -> int
lock      Y.Map  content: bool
follow    Y.Map  active: bool, x, y, zoom: number
                 (x, y: the board point at the centre of the facilitator's view)
board     Y.Map  anonymous: bool, notes_while_voting: bool          (added)
                 authors_in_export: bool (the export names authors)   (added)
                 question: section id|null: the question put up now (added)
drafts    Y.Map  <participant id> -> {name: str, count: int}       (added)
participants Y.Map <participant id> -> {name: str, online: bool}   (added)
formulera Y.Map  open: bool, cluster: cluster id|null (null: every theme), started: epoch ms
                 (added: the facilitator's round of drafting the themes' statements)
```
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

PHASES: tuple[str, ...] = ("brainstorm", "cluster", "vote", "discuss", "closed")
VOTE_TARGETS: tuple[str, ...] = ("clusters", "notes")
DEFAULT_BUDGET = 5
MAX_BUDGET = 100
MAX_TIMER_S = 24 * 60 * 60
TIMER_ACTIONS: tuple[str, ...] = ("pause", "resume", "stop")


class RuleError(ValueError):
    """A facilitation request the rules do not allow; `code` is the API error code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Capabilities:
    """What participants may do in a phase (the facilitator may always do everything)."""

    silent_notes: bool  # new notes go to the author's private drafts
    add_notes: bool
    edit: bool  # change, move and delete one's own notes
    vote: bool
    move_others: bool  # move and group everyone's notes
    edit_others: bool  # change the text or colour of others' notes
    delete_others: bool
    clusters: bool  # create, rename, move and delete clusters and sections
    propose: bool  # write one's own proposals for a theme's statement (a formulera round)


_CAPABILITIES_FILE = Path(__file__).with_name("capabilities.json")


@cache
def _capability_table() -> dict[str, Any]:
    """capabilities.json, checked against the phases and fields this code knows."""
    table: dict[str, Any] = json.loads(_CAPABILITIES_FILE.read_text(encoding="utf-8"))
    expected = [f.name for f in fields(Capabilities)]
    if table.get("fields") != expected:
        raise ValueError(
            f"{_CAPABILITIES_FILE}: expected fields {expected}, got {table.get('fields')}"
        )
    if sorted(table.get("phases", {})) != sorted(PHASES):
        raise ValueError(f"{_CAPABILITIES_FILE}: expected phases {list(PHASES)}")
    return table


def capabilities(
    phase: str,
    *,
    locked: bool = False,
    notes_while_voting: bool = False,
    formulera_open: bool = False,
) -> Capabilities:
    """The participant rules of `phase` from capabilities.json (the one table, which the
    browser client reads too); a lock makes the board read-only."""
    if phase not in PHASES:
        raise RuleError("invalid_phase", f"phase must be one of {list(PHASES)}, got {phase!r}")
    table = _capability_table()
    row: dict[str, bool | str] = table["read_only"] if locked else table["phases"][phase]
    # A value that names a board setting takes that setting's value.
    board_settings = {"notes_while_voting": notes_while_voting, "formulera_open": formulera_open}
    return Capabilities(
        **{
            name: board_settings[value] if isinstance(value, str) else bool(value)
            for name, value in row.items()
        }
    )


def default_session(now_ms: int) -> dict[str, dict[str, Any]]:
    """The session state of a new board."""
    return {
        "phase": {"name": "brainstorm", "since": now_ms},
        "timer": {"ends_at": None, "duration_s": 0, "paused_left_s": None},
        "voting": {
            "open": False,
            "budget": DEFAULT_BUDGET,
            "target": "clusters",
            "tallies_visible": False,
            "round": 0,
            "max_per_item": 0,
            "voted": 0,
            "dots": 0,
        },
        "lock": {"content": False},
        "follow": {"active": False, "x": 0.0, "y": 0.0, "zoom": 1.0},
        "board": {
            "anonymous": False,
            "notes_while_voting": False,
            "authors_in_export": False,
            "question": None,
        },
        "formulera": {"open": False, "cluster": None, "started": 0},
    }


def formulera_after(
    request: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    phase: str,
    clusters: Sequence[str],
    now_ms: int,
) -> dict[str, Any]:
    """The formulera round after the facilitator's request `{open: true, cluster?}` or
    `{open: false}`. A round runs in the discuss phase, on one theme (a cluster id of
    `clusters`) or on all of them (cluster null or absent); closing keeps the theme, so
    the wall and the export can still say what the round was about."""
    opening = request.get("open")
    if not isinstance(opening, bool):
        raise RuleError("invalid_field", f"open must be true or false, got {opening!r}")
    if not opening:
        return {**current, "open": False}
    if phase != "discuss":
        raise RuleError(
            "wrong_phase", f"a formulera round runs in the discuss phase; the board is in {phase!r}"
        )
    cluster = request.get("cluster")
    if cluster is not None and (not isinstance(cluster, str) or cluster not in clusters):
        raise RuleError(
            "invalid_field",
            f"cluster must be the id of a theme on the board or null, got {cluster!r}",
        )
    if not clusters:
        raise RuleError("no_themes", "the board has no themes (clusters) to write statements for")
    return {"open": True, "cluster": cluster, "started": now_ms}


def check_phase(name: object) -> str:
    if not isinstance(name, str) or name not in PHASES:
        raise RuleError("invalid_phase", f"name must be one of {list(PHASES)}, got {name!r}")
    return name


def timer_after(
    request: Mapping[str, Any], timer: Mapping[str, Any], now_ms: int
) -> dict[str, Any]:
    """The timer after a facilitator's request: a new duration, or pause/resume/stop."""
    ends_at = timer.get("ends_at")
    paused = timer.get("paused_left_s")
    duration = int(timer.get("duration_s") or 0)
    if "duration_s" in request:
        seconds = request["duration_s"]
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int)
            or not 1 <= seconds <= MAX_TIMER_S
        ):
            raise RuleError(
                "invalid_field", f"duration_s must be a whole number of seconds 1..{MAX_TIMER_S}"
            )
        return {"ends_at": now_ms + seconds * 1000, "duration_s": seconds, "paused_left_s": None}
    action = request.get("action")
    if action not in TIMER_ACTIONS:
        raise RuleError(
            "invalid_field",
            f"expected duration_s or action in {list(TIMER_ACTIONS)}, got {action!r}",
        )
    if action == "stop":
        return {"ends_at": None, "duration_s": duration, "paused_left_s": None}
    if action == "pause":
        if ends_at is None:
            raise RuleError("timer_not_running", "the timer is not running")
        left = max(0, math.ceil((float(ends_at) - now_ms) / 1000))
        return {"ends_at": None, "duration_s": duration, "paused_left_s": left}
    if paused is None:
        raise RuleError("timer_not_paused", "the timer is not paused")
    return {"ends_at": now_ms + int(paused) * 1000, "duration_s": duration, "paused_left_s": None}


def voting_after(request: Mapping[str, Any], voting: Mapping[str, Any]) -> dict[str, Any]:
    """The voting settings after a facilitator's request; missing fields keep their value."""
    result = dict(voting)
    if "open" in request:
        if not isinstance(request["open"], bool):
            raise RuleError("invalid_field", "open must be true or false")
        result["open"] = request["open"]
    if "budget" in request:
        budget = request["budget"]
        if isinstance(budget, bool) or not isinstance(budget, int) or not 1 <= budget <= MAX_BUDGET:
            raise RuleError("invalid_field", f"budget must be a whole number 1..{MAX_BUDGET}")
        result["budget"] = budget
    if "max_per_item" in request:
        limit = request["max_per_item"]
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_BUDGET:
            raise RuleError(
                "invalid_field", f"max_per_item must be a whole number 0..{MAX_BUDGET} (0: any)"
            )
        result["max_per_item"] = limit
    if "target" in request:
        if request["target"] not in VOTE_TARGETS:
            raise RuleError("invalid_field", f"target must be one of {list(VOTE_TARGETS)}")
        result["target"] = request["target"]
    if "tallies_visible" in request:
        if not isinstance(request["tallies_visible"], bool):
            raise RuleError("invalid_field", "tallies_visible must be true or false")
        result["tallies_visible"] = request["tallies_visible"]
    return result


def per_item_limit(voting: Mapping[str, Any]) -> int:
    """The most dots one voter may put on one item; 0 when there is no maximum."""
    return max(0, int(voting.get("max_per_item") or 0))


def tallies_public(voting: Mapping[str, Any]) -> bool:
    """Secret ballot: tallies show while voting only if the facilitator made them visible."""
    return not voting.get("open") or bool(voting.get("tallies_visible"))


def check_vote(request: Mapping[str, Any]) -> tuple[str, int]:
    target = request.get("target")
    delta = request.get("delta")
    if not isinstance(target, str) or not target:
        raise RuleError("invalid_field", "target must be the id of a cluster or a note")
    if isinstance(delta, bool) or delta not in (1, -1):
        raise RuleError("invalid_field", f"delta must be 1 or -1, got {delta!r}")
    assert isinstance(delta, int)
    return target, delta
