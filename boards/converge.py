"""Turn a live content doc into the content of another (a checkpoint's), in place.

A restore must be one ordinary update on the same board, so every client that is
connected merges it like any edit, and the board keeps its id, join code and history.
Replacing the doc wholesale cannot do that; instead each root map of the schema is
walked and only what differs is written: entries the checkpoint lacks are deleted,
entries it has and the board lost are made again under their old ids, fields that differ
are set, and texts are edited (one delete and one insert) rather than replaced, so a
person typing in a note at that moment keeps a text that merges.

What is not rolled back, on purpose:
- ``meta.schema``: the version of the doc's layout as it is now; a checkpoint taken
  before an upgrade must not make the board claim the older layout.
- Roots outside the schema: no client reads them (see ``server.services.guard``).
- Everything outside the content doc (the session state, votes, drafts): see
  ``server.services.checkpoints.restore``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pycrdt import Array, Doc, Map, Text
from pycrdt._base import BaseType

from boards import schema

# The roots whose entries are counted for the facilitator (the restore's answer).
COUNTED = (schema.NOTES, schema.CLUSTERS, schema.SECTIONS)
ROOTS = (schema.META, *COUNTED)
# Keys of `meta` the restore leaves as they are on the live board.
KEPT_META = frozenset({"schema"})


@dataclass
class Tally:
    """Entries of one root map: made again, deleted, and changed in place."""

    restored: int = 0
    removed: int = 0
    changed: int = 0


@dataclass
class Converged:
    """What a restore changed, per counted root, and whether the title changed."""

    roots: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in COUNTED})
    meta_changed: bool = False


def replace_text(text: Text, new: str) -> None:
    """Turn `text` into `new` by one delete and one insert around their common ends.

    pycrdt indexes a text by UTF-8 bytes, not by code points: the common ends are found
    on the characters and turned into byte offsets, so "å" or an emoji is never split.
    """
    old = str(text)
    if old == new:
        return
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    at = len(old[:start].encode())
    gone = len(old[start : len(old) - end].encode())
    if gone:
        del text[at : at + gone]
    added = new[start : len(new) - end]
    if added:
        text.insert(at, added)


def _fresh(value: Any) -> Any:
    """A new, not yet integrated copy of a value read from another doc."""
    if isinstance(value, Text):
        return Text(str(value))
    if isinstance(value, Map):
        return Map({key: _fresh(item) for key, item in value.items()})
    if isinstance(value, Array):
        return Array([_fresh(item) for item in value])
    if isinstance(value, BaseType):
        # An XML type, which no field of the schema uses and a map cannot take as it
        # comes: its text is what a reader would have seen of it.
        return str(value)
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Text | Map | Array):
        return value.to_py()
    return str(value) if isinstance(value, BaseType) else value


def _converge_map(live: Map[Any], wanted: Map[Any], keep: frozenset[str] = frozenset()) -> bool:
    """Make `live` hold what `wanted` holds (but the keys in `keep`); True if it changed."""
    changed = False
    for key in list(live.keys()):
        if key not in keep and key not in wanted:
            del live[key]
            changed = True
    for key, value in wanted.items():
        if key in keep:
            continue
        if key not in live:
            live[key] = _fresh(value)
            changed = True
            continue
        current = live[key]
        if isinstance(value, Text) and isinstance(current, Text):
            if str(current) != str(value):
                replace_text(current, str(value))
                changed = True
        elif isinstance(value, Map) and isinstance(current, Map):
            changed = _converge_map(current, value) or changed
        elif type(current) is not type(value) or _plain(current) != _plain(value):
            # A different kind (a string where a text was) or a changed plain value.
            live[key] = _fresh(value)
            changed = True
    return changed


def converge(live: Doc[Any], wanted: Doc[Any]) -> Converged:
    """Write into `live` what makes its content equal to `wanted`'s; call it inside one
    transaction of `live` (``Room.mutate``) so the whole restore is one update."""
    result = Converged()
    result.meta_changed = _converge_map(
        schema.meta_map(live), schema.meta_map(wanted), keep=KEPT_META
    )
    for name in COUNTED:
        tally = result.roots[name]
        have = schema.root_map(live, name)
        want = schema.root_map(wanted, name)
        have_keys, want_keys = set(have.keys()), set(want.keys())
        tally.removed = len(have_keys - want_keys)
        tally.restored = len(want_keys - have_keys)
        for key, entry in want.items():
            if key in have and _plain(have[key]) != _plain(entry):
                tally.changed += 1
        _converge_map(have, want)
    # A checkpoint from before the vision statement has clusters without its text; give
    # them one in the same update, as a board gets on load (services.docs).
    schema.give_statements(live, schema.clusters_without_statement(live))
    return result


def restoring_update(live_state: bytes, wanted_state: bytes) -> tuple[bytes, Converged]:
    """The one update that turns a doc in `live_state` into `wanted_state`'s content.

    Worked out on a copy, so the live doc only ever gets a whole update to apply: an
    error on the way (a checkpoint holding something odd) leaves it untouched.
    """
    scratch = schema.replay([live_state])
    wanted = schema.replay([wanted_state])
    before = scratch.get_state()
    with scratch.transaction():
        changed = converge(scratch, wanted)
    return scratch.get_update(before), changed
