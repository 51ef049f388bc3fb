"""What one participant's update may change: the rule behind the server's write checks.

An update is described by its touches (what it changed, as plain data, see `Touch`); the
verdict comes from the phase's capabilities (boards/capabilities.json, which the browser
client reads too), who owns each note and each statement proposal (its `author_id`), the
theme of an open formulera round and the note quotas. A refused
update is refused whole: the server takes all of it back, so nobody half-applies a
hostile edit. The facilitator is never checked here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from boards.facilitation import Capabilities

# Fields of a note that place it (moving or grouping it); every other field but the
# owner's is its content.
ARRANGE_FIELDS = frozenset({"x", "y", "z", "w", "h", "cluster", "section", "order"})
# Fields only the server writes on a participant's note (and on a proposal).
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
    # A theme's statement proposals (clusters[id].proposals, a formulera round):
    PROPOSAL_ADD = "proposal_add"
    PROPOSAL_EDIT = "proposal_edit"  # its text or the group name it is written for
    PROPOSAL_DELETE = "proposal_delete"  # one proposal, or a cluster's whole map of them
    PROPOSAL_OWNER = "proposal_owner"  # author, author_id or created of an existing one


@dataclass(frozen=True, slots=True)
class Touch:
    kind: Kind
    note: str | None = None
    # For the proposal kinds: which proposal, of which theme (cluster).
    proposal: str | None = None
    cluster: str | None = None


@dataclass(frozen=True, slots=True)
class Quotas:
    """Most notes one participant may have on a board, and a board in all (0: no limit);
    most statement proposals one participant may write for one theme."""

    per_participant: int = 500
    per_board: int = 5000
    proposals_per_theme: int = 20


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
    proposal_owners: Mapping[str, str | None] | None = None,
    round_theme: str | None = None,
    proposals_before: Mapping[str, int] | None = None,
) -> Refusal | None:
    """The refusal of an update by participant `me`, or None when it may stand.

    `owners` maps each note id that existed before the update to its author's participant
    id (None for the facilitator's and imported notes); `notes_before` and `mine_before`
    count the board's notes and `me`'s before it. `proposal_owners` does the same for the
    proposals the update edits; `round_theme` is the one cluster an open formulera round
    is about (None: every theme); `proposals_before` counts `me`'s proposals per theme.
    """
    touches = list(touches)
    added = {t.note for t in touches if t.kind is Kind.NOTE_ADD and t.note not in owners}
    # Proposals this update makes are the participant's (the server signs them after).
    mine = dict(proposal_owners or {})
    mine.update({t.proposal: me for t in touches if t.kind is Kind.PROPOSAL_ADD and t.proposal})
    for touch in touches:
        if touch.kind in _PROPOSAL_KINDS:
            refusal = _check_proposal(touch, rules, me, mine, round_theme)
        else:
            refusal = _check(touch, rules, me, owners, added)
        if refusal is not None:
            return refusal
    new_proposals = Counter(t.cluster for t in touches if t.kind is Kind.PROPOSAL_ADD)
    limit = quotas.proposals_per_theme
    for cluster, count in new_proposals.items():
        before = (proposals_before or {}).get(cluster or "", 0)
        if limit and before + count > limit:
            return Refusal(
                "quota_proposals",
                f"at most {limit} proposals per participant for a theme; you have {before}",
            )
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


_PROPOSAL_KINDS = frozenset(
    {Kind.PROPOSAL_ADD, Kind.PROPOSAL_EDIT, Kind.PROPOSAL_DELETE, Kind.PROPOSAL_OWNER}
)


def _check_proposal(
    touch: Touch,
    rules: Capabilities,
    me: str,
    owners: Mapping[str, str | None],
    round_theme: str | None,
) -> Refusal | None:
    kind = touch.kind
    if kind is Kind.PROPOSAL_DELETE:
        return Refusal("not_allowed", "proposals are kept as the statement's provenance")
    if kind is Kind.PROPOSAL_OWNER:
        return Refusal("not_allowed", "a proposal's author is set by the server")
    if not rules.propose:
        return Refusal("round_closed", "proposals are written only while a formulera round is open")
    if kind is Kind.PROPOSAL_ADD:
        if round_theme is not None and touch.cluster != round_theme:
            return Refusal("not_allowed", "this formulera round is about another theme")
        return None
    if owners.get(touch.proposal or "") != me:
        return Refusal("not_allowed", "other people's proposals cannot be edited")
    return None
