"""What one participant's update may change: the rule behind the server's write checks.

An update is described by its touches (what it changed, as plain data, see `Touch`); the
verdict comes from the phase's capabilities (boards/capabilities.json, which the browser
client reads too), who owns each note (its `author_id`) and the note quotas. A refused
update is refused whole: the server takes all of it back, so nobody half-applies a
hostile edit. The facilitator is never checked here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from boards.facilitation import Capabilities

# Fields of a note that place it (moving or grouping it); every other field but the
# owner's is its content.
ARRANGE_FIELDS = frozenset({"x", "y", "z", "w", "h", "cluster", "section", "order"})
# Fields only the server writes on a participant's note.
OWNER_FIELDS = frozenset({"author", "author_id", "created"})


class Kind(Enum):
    META = "meta"  # the board's title, language, template...
    SECTIONS = "sections"
    CLUSTERS = "clusters"
    NOTE_ADD = "note_add"
    NOTE_DELETE = "note_delete"
    NOTE_MOVE = "note_move"  # position, cluster or section of a note
    NOTE_EDIT = "note_edit"  # text, colour or any other content of a note
    NOTE_OWNER = "note_owner"  # author, author_id or created of an existing note


@dataclass(frozen=True, slots=True)
class Touch:
    kind: Kind
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Quotas:
    """Most notes one participant may have on a board, and a board in all (0: no limit)."""

    per_participant: int = 500
    per_board: int = 5000


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an update was refused: `code` is what the client shows (i18n `guard.<code>`)."""

    code: str
    detail: str


def review(
    touches: Iterable[Touch],
    rules: Capabilities,
    *,
    me: str,
    owners: Mapping[str, str | None],
    notes_before: int,
    mine_before: int,
    quotas: Quotas,
) -> Refusal | None:
    """The refusal of an update by participant `me`, or None when it may stand.

    `owners` maps each note id that existed before the update to its author's participant
    id (None for the facilitator's and imported notes); `notes_before` and `mine_before`
    count the board's notes and `me`'s before it.
    """
    touches = list(touches)
    added = {t.note for t in touches if t.kind is Kind.NOTE_ADD and t.note not in owners}
    for touch in touches:
        refusal = _check(touch, rules, me, owners, added)
        if refusal is not None:
            return refusal
    fresh = len(added)
    if fresh and quotas.per_participant and mine_before + fresh > quotas.per_participant:
        return Refusal(
            "quota_participant",
            f"at most {quotas.per_participant} notes per participant on a board;"
            f" you have {mine_before}",
        )
    if fresh and quotas.per_board and notes_before + fresh > quotas.per_board:
        return Refusal(
            "quota_board",
            f"at most {quotas.per_board} notes on a board; it has {notes_before}",
        )
    return None


def _check(
    touch: Touch,
    rules: Capabilities,
    me: str,
    owners: Mapping[str, str | None],
    added: set[str | None],
) -> Refusal | None:
    kind = touch.kind
    if kind is Kind.META:
        return Refusal("not_allowed", "only the facilitator changes the board's title and settings")
    if kind in (Kind.SECTIONS, Kind.CLUSTERS):
        if rules.clusters:
            return None
        return Refusal("not_allowed", f"{kind.value} cannot be changed in this phase")
    if kind is Kind.NOTE_ADD and (rules.silent_notes or not rules.add_notes):
        return Refusal("not_allowed", "new notes cannot be put on the board in this phase")
    if touch.note in added:
        # A note this very update creates: its own fields are the server's to fix.
        return None
    if kind is Kind.NOTE_ADD:
        # A new note under the id of an existing one replaces it: a deletion.
        kind = Kind.NOTE_DELETE
    mine = owners.get(touch.note or "") == me
    if kind is Kind.NOTE_OWNER:
        return Refusal("not_allowed", "a note's author is set by the server")
    allowed = {
        Kind.NOTE_MOVE: rules.edit if mine else rules.move_others,
        Kind.NOTE_EDIT: rules.edit if mine else rules.edit_others,
        Kind.NOTE_DELETE: rules.edit if mine else rules.delete_others,
    }[kind]
    if allowed:
        return None
    whose = "your notes" if mine else "other people's notes"
    verb = {Kind.NOTE_MOVE: "moved", Kind.NOTE_EDIT: "edited", Kind.NOTE_DELETE: "deleted"}[kind]
    return Refusal("not_allowed", f"{whose} cannot be {verb} in this phase")
