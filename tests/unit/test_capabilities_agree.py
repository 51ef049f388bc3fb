"""The browser's capabilities() and the server's agree in every phase, lock and setting.

Both read boards/capabilities.json; this test runs the real client module under node so a
client that drifts from the server's write checks fails here, not in a workshop.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import subprocess

import pytest

from boards.facilitation import PHASES, capabilities
from tests.support import ROOT
from tests.support.tools import node_binary

CLIENT_MODULE = ROOT / "static" / "src" / "core" / "capabilities.js"

# Prints one JSON line: the client's answer for every phase x locked x notes_while_voting
# x formulera_open.
_SCRIPT = """
const { capabilities } = await import(process.argv[1])
const phases = JSON.parse(process.argv[2])
const rows = []
for (const phase of phases) {
  for (const locked of [false, true]) {
    for (const notesWhileVoting of [false, true]) {
      for (const formuleraOpen of [false, true]) {
        const caps = capabilities(phase, { locked, notesWhileVoting, formuleraOpen })
        rows.push({ phase, locked, notesWhileVoting, formuleraOpen, caps })
      }
    }
  }
}
console.log(JSON.stringify(rows))
"""


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


@pytest.fixture(scope="module")
def client_answers() -> dict[tuple[str, bool, bool, bool], dict[str, bool]]:
    done = subprocess.run(
        [
            node_binary(),
            "--input-type=module",
            "-e",
            _SCRIPT,
            CLIENT_MODULE.as_uri(),
            json.dumps(list(PHASES)),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    rows = json.loads(done.stdout)
    return {
        (row["phase"], row["locked"], row["notesWhileVoting"], row["formuleraOpen"]): {
            _snake(key): value for key, value in row["caps"].items()
        }
        for row in rows
    }


@pytest.mark.parametrize(
    ("phase", "locked", "notes_while_voting", "formulera_open"),
    list(itertools.product(PHASES, [False, True], [False, True], [False, True])),
)
def test_client_capabilities_equal_server(
    client_answers: dict[tuple[str, bool, bool, bool], dict[str, bool]],
    phase: str,
    locked: bool,
    notes_while_voting: bool,
    formulera_open: bool,
) -> None:
    server = dataclasses.asdict(
        capabilities(
            phase,
            locked=locked,
            notes_while_voting=notes_while_voting,
            formulera_open=formulera_open,
        )
    )
    assert client_answers[(phase, locked, notes_while_voting, formulera_open)] == server


def test_only_an_open_round_in_the_discuss_phase_lets_participants_propose() -> None:
    allowed = {
        (phase, locked, open_)
        for phase, locked, open_ in itertools.product(PHASES, [False, True], [False, True])
        if capabilities(phase, locked=locked, formulera_open=open_).propose
    }
    assert allowed == {("discuss", False, True)}
