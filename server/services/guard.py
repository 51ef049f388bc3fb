"""The participant write checks of a live board: each update is applied, described,
judged by `boards.guard.review` and taken back whole when refused.

A pycrdt update cannot be read before it is applied (its items find their notes through
the doc), so the check runs after: an `UndoManager` made just for that one update takes
it back in the same tick, restoring deleted notes with their text, and the room's merged
broadcast carries both, so others never see the refused change. An allowed update just
before it in the same batch is a transaction of its own and stays.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map, MapEvent, UndoManager
from pycrdt._base import BaseType

from boards import schema
from boards.facilitation import Capabilities
from boards.guard import ARRANGE_FIELDS, OWNER_FIELDS, Kind, Quotas, Refusal, Touch, review
from boards.schema import now_ms
from server.sync.review import Review
from server.sync.room import Room

# The roots of a content doc. An update may also make a root outside the schema, which
# no client reads: that is not checked (listing the roots costs more than the rest of a
# check), so it is bounded only by SAMSYN_MAX_DOC_BYTES.
CONTENT_ROOTS = ("meta", "sections", "clusters", "notes")
_ROOT_KINDS = {"meta": Kind.META, "sections": Kind.SECTIONS, "clusters": Kind.CLUSTERS}


def _author_id(note: object) -> str | None:
    if not isinstance(note, Map):
        return None
    value = note.get("author_id")
    return value if isinstance(value, str) and value else None


def _signed(item: Map[Any], author: Author) -> bool:
    return item.get("author") == author.name and item.get("author_id") == author.participant_id


def _named(proposal: Map[Any]) -> bool:
    """A proposal says whom it is written for: a group's name, or its author's."""
    by = proposal.get("by")
    return isinstance(by, str) and bool(by.strip())


def _dated(proposal: Map[Any]) -> bool:
    created = proposal.get("created")
    return isinstance(created, int | float) and not isinstance(created, bool) and created > 0


def _any(event: object) -> Any:
    # pycrdt's event classes set their fields at run time; its stubs do not name them.
    return event


def refusal_reason(refusal: Refusal) -> str:
    """The permission-denied reason a client gets: `code: detail` (the client shows the
    message of `guard.<code>` in its language)."""
    return f"{refusal.code}: {refusal.detail}"


class Ledger:
    """Who wrote each note of one loaded content doc, kept current from the doc's events,
    and the events of the update being checked."""

    def __init__(self, doc: Doc[Any]) -> None:
        self.doc = doc
        notes = schema.notes_map(doc)
        self.owners: dict[str, str | None] = {nid: _author_id(n) for nid, n in notes.items()}
        self.counts: Counter[str | None] = Counter(self.owners.values())
        # (root, event) of the update being checked; None when none is.
        self.captured: list[tuple[str, Any]] | None = None
        self._roots: list[BaseType] = [schema.root_map(doc, name) for name in CONTENT_ROOTS]
        for name, root in zip(CONTENT_ROOTS, self._roots, strict=True):
            root.observe_deep(self._observer(name))

    def _observer(self, name: str) -> Callable[..., None]:
        def seen(events: list[Any], *_: object) -> None:
            if self.captured is not None:
                self.captured.extend((name, event) for event in events)
            elif name == "notes":
                self.take(events)

        return seen

    @property
    def roots(self) -> list[BaseType]:
        return self._roots

    def take(self, events: Iterable[Any]) -> None:
        """Bring the owners up to date with the events of a change that stands."""
        for event in events:
            if not isinstance(event, MapEvent):
                continue
            path = list(_any(event).path)
            keys: dict[str, dict[str, Any]] = _any(event).keys
            if not path:
                for nid, change in keys.items():
                    self._forget(nid)
                    if change.get("action") != "delete":
                        self._own(nid, _author_id(change.get("newValue")))
            elif len(path) == 1 and "author_id" in keys:
                nid = str(path[0])
                self._forget(nid)
                self._own(nid, _author_id(_any(event).target))

    def _forget(self, nid: str) -> None:
        if nid in self.owners:
            self.counts[self.owners.pop(nid)] -= 1

    def _own(self, nid: str, owner: str | None) -> None:
        self.owners[nid] = owner
        self.counts[owner] += 1


def _cluster_touches(event: Any) -> list[Touch]:
    """What an event under `clusters` changed: the clusters themselves, or the statement
    proposals of one (`clusters[cid].proposals[pid]`).

    A map made in the same update fires no events of its own, so the proposals inside a
    new cluster or a new proposals map are read from the new value."""
    path = [str(step) for step in event.path]
    if not path or (not isinstance(event, MapEvent) and len(path) < 3):
        found = [Touch(Kind.CLUSTERS)]
        if not path and isinstance(event, MapEvent):
            for cid, change in _any(event).keys.items():
                cluster = change.get("newValue")
                if isinstance(cluster, Map):
                    found += _carried(cid, cluster.get(schema.PROPOSALS))
        return found
    cid = path[0]
    keys: dict[str, dict[str, Any]] = _any(event).keys if isinstance(event, MapEvent) else {}
    if len(path) == 1:
        # The cluster's own fields; its map of proposals may be made, never replaced.
        found = [Touch(Kind.CLUSTERS)]
        change = keys.get(schema.PROPOSALS)
        if change is not None:
            if change.get("action") != "add":
                found.append(Touch(Kind.PROPOSAL_DELETE, cluster=cid))
            found += _carried(cid, change.get("newValue"))
        return found
    if path[1] != schema.PROPOSALS:
        return [Touch(Kind.CLUSTERS)]
    if len(path) == 2:
        found = []
        for pid, change in keys.items():
            action = change.get("action")
            if action != "add":  # deleted, or a new one in place of an existing one
                found.append(Touch(Kind.PROPOSAL_DELETE, proposal=pid, cluster=cid))
            if action != "delete":
                found.append(Touch(Kind.PROPOSAL_ADD, proposal=pid, cluster=cid))
        return found
    pid = path[2]
    if len(path) == 3 and any(key in OWNER_FIELDS for key in keys):
        return [Touch(Kind.PROPOSAL_OWNER, proposal=pid, cluster=cid)]
    return [Touch(Kind.PROPOSAL_EDIT, proposal=pid, cluster=cid)]


def _carried(cid: str, proposals: object) -> list[Touch]:
    """The proposals inside a proposals map made by this very update: each one is added."""
    if not isinstance(proposals, Map):
        return []
    return [Touch(Kind.PROPOSAL_ADD, proposal=pid, cluster=cid) for pid in list(proposals.keys())]


def _proposal(doc: Doc[Any], cid: str | None, pid: str | None) -> Map[Any] | None:
    cluster = schema.clusters_map(doc).get(cid or "")
    proposals = cluster.get(schema.PROPOSALS) if isinstance(cluster, Map) else None
    proposal = proposals.get(pid or "") if isinstance(proposals, Map) else None
    return proposal if isinstance(proposal, Map) else None


def _drafted_themes(doc: Doc[Any]) -> frozenset[str]:
    """The clusters that hold proposals (a few dozen clusters at most: cheap to list)."""
    return frozenset(
        cid
        for cid, cluster in schema.clusters_map(doc).items()
        if isinstance(cluster, Map)
        and isinstance(proposals := cluster.get(schema.PROPOSALS), Map)
        and len(proposals) > 0
    )


def _gone_drafts(captured: Iterable[tuple[str, Any]], drafted: frozenset[str]) -> list[Touch]:
    """Deleting or replacing a whole cluster that holds proposals deletes them too."""
    found = []
    for root, event in captured:
        if root != "clusters" or list(event.path) or not isinstance(event, MapEvent):
            continue
        for cid, change in _any(event).keys.items():
            if cid in drafted and change.get("action") in ("delete", "update"):
                found.append(Touch(Kind.PROPOSAL_DELETE, cluster=cid))
    return found


def _proposals_before(doc: Doc[Any], found: list[Touch], me: str) -> dict[str, int]:
    """How many proposals `me` had for each theme the update adds to, before it."""
    added = {t.proposal for t in found if t.kind is Kind.PROPOSAL_ADD}
    counts: dict[str, int] = {}
    for cid in {t.cluster for t in found if t.kind is Kind.PROPOSAL_ADD and t.cluster}:
        cluster = schema.clusters_map(doc).get(cid)
        proposals = cluster.get(schema.PROPOSALS) if isinstance(cluster, Map) else None
        if not isinstance(proposals, Map):
            continue
        counts[cid] = sum(
            1 for pid, p in proposals.items() if pid not in added and _author_id(p) == me
        )
    return counts


def touches(captured: Iterable[tuple[str, Any]]) -> list[Touch]:
    """What an update changed, from the deep events of the content roots."""
    found: list[Touch] = []
    for root, event in captured:
        if root == "clusters":
            found.extend(_cluster_touches(event))
            continue
        if root != "notes":
            found.append(Touch(_ROOT_KINDS[root]))
            continue
        path = list(event.path)
        if not path:
            for nid, change in event.keys.items():
                action = change.get("action")
                if action == "add":
                    found.append(Touch(Kind.NOTE_ADD, nid))
                elif action == "delete":
                    found.append(Touch(Kind.NOTE_DELETE, nid))
                else:  # a new note in place of an existing one
                    found.append(Touch(Kind.NOTE_DELETE, nid))
                    found.append(Touch(Kind.NOTE_ADD, nid))
            continue
        nid = str(path[0])
        if len(path) > 1 or not isinstance(event, MapEvent):
            found.append(Touch(Kind.NOTE_EDIT, nid))
            continue
        for key in _any(event).keys:
            if key in OWNER_FIELDS:
                found.append(Touch(Kind.NOTE_OWNER, nid))
            elif key in ARRANGE_FIELDS:
                found.append(Touch(Kind.NOTE_MOVE, nid))
            else:
                found.append(Touch(Kind.NOTE_EDIT, nid))
    return found


@dataclass(frozen=True, slots=True)
class Author:
    """The participant whose socket is checked: the id their notes are owned by and the
    name the server writes on them."""

    participant_id: str
    name: str


class _TakeBack:
    """Takes back exactly one update: made before it is applied, under its own origin,
    so the undo holds that transaction and nothing else (not an allowed update before
    it in the same batch, nor the server's own changes)."""

    def __init__(self, doc: Doc[Any], roots: list[BaseType]) -> None:
        self.doc = doc
        self.origin = object()
        self._undo = UndoManager(scopes=roots, capture_timeout_millis=0)
        self._undo.include_origin(self.origin)

    def run(self, events: Iterable[Any]) -> None:
        """Delete what the update made first, in a transaction the undo manager does not
        keep, so its content is collected and never travels (a refused note's text);
        then undo the rest, which restores what it deleted or overwrote."""
        events = list(events)
        with self.doc.transaction():
            for event in events:
                _remove_additions(event)
        self._undo.undo()


def _remove_additions(event: Any) -> None:
    target = event.target
    if isinstance(event, MapEvent):
        for key, change in _any(event).keys.items():
            if change.get("action") in ("add", "update") and key in target:
                del target[key]
        return
    # A text event: remove each inserted run, from the end so positions hold.
    delta = getattr(event, "delta", None) or []
    position = 0
    runs: list[tuple[int, int]] = []
    for op in delta:
        if "retain" in op:
            position += int(op["retain"])
        elif "insert" in op:
            inserted = op["insert"]
            # Positions and lengths of a text are in UTF-8 bytes (pycrdt), as the delta's.
            size = len(inserted.encode()) if isinstance(inserted, str) else 1
            runs.append((position, size))
            position += size
    for start, size in reversed(runs):
        del target[start : start + size]


class _ContentWatch:
    def __init__(self, guard: ContentGuard, ledger: Ledger) -> None:
        self._guard = guard
        self._ledger = ledger
        self._take_back = _TakeBack(ledger.doc, ledger.roots)
        self.origin = self._take_back.origin
        # Made before the update is applied: a deleted cluster reads as empty after it.
        self._drafted = _drafted_themes(ledger.doc)
        ledger.captured = []

    def finish(self) -> Review:
        ledger = self._ledger
        captured = ledger.captured or []
        ledger.captured = None
        found = touches(captured) + _gone_drafts(captured, self._drafted)
        if not found:
            return Review()
        me = self._guard.author.participant_id
        added = [t.note for t in found if t.kind is Kind.NOTE_ADD and t.note not in ledger.owners]
        # A proposal's owner is read after the update: one that changed it is refused.
        proposal_owners = {
            t.proposal: _author_id(_proposal(ledger.doc, t.cluster, t.proposal))
            for t in found
            if t.kind is Kind.PROPOSAL_EDIT and t.proposal
        }
        refusal = review(
            found,
            self._guard.rules(),
            me=me,
            owners=ledger.owners,
            notes_before=len(ledger.owners),
            mine_before=ledger.counts[me],
            quotas=self._guard.quotas,
            proposal_owners=proposal_owners,
            round_theme=self._guard.round_theme(),
            proposals_before=_proposals_before(ledger.doc, found, me),
        )
        if refusal is not None:
            take_back = self._take_back
            events = [event for _, event in captured]
            return Review(refusal=refusal_reason(refusal), repair=lambda: take_back.run(events))
        ledger.take(event for root, event in captured if root == "notes")
        proposals = [(t.cluster, t.proposal) for t in found if t.kind is Kind.PROPOSAL_ADD]
        return Review(fix=self._guard.sign([nid for nid in added if nid is not None], proposals))


class ContentGuard:
    """The write check of one participant's socket on a board's content doc."""

    def __init__(
        self,
        ledger: Ledger,
        author: Author,
        rules: Callable[[], Capabilities],
        quotas: Quotas,
        round_theme: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._ledger = ledger
        self.author = author
        self.rules = rules
        self.quotas = quotas
        self.round_theme = round_theme

    def watch(self, doc: Doc[Any]) -> _ContentWatch:
        return _ContentWatch(self, self._ledger)

    def sign(
        self, added: list[str], proposals: Iterable[tuple[str | None, str | None]] = ()
    ) -> Callable[[Doc[Any]], None] | None:
        """The change that writes the participant's own name and id on their new notes and
        proposals (and their name as the `by` of a proposal that names nobody), whatever
        the client put there; None when the client already did."""
        author = self.author
        doc = self._ledger.doc
        notes = schema.notes_map(doc)
        wrong = [
            nid
            for nid in added
            if isinstance(note := notes.get(nid), Map) and not _signed(note, author)
        ]
        unsigned = [
            (cid, pid)
            for cid, pid in proposals
            if (proposal := _proposal(doc, cid, pid)) is not None
            and not (_signed(proposal, author) and _named(proposal) and _dated(proposal))
        ]
        if not wrong and not unsigned:
            return None

        def write(doc: Doc[Any]) -> None:
            notes = schema.notes_map(doc)
            for nid in wrong:
                note = notes.get(nid)
                if isinstance(note, Map):
                    note["author"] = author.name
                    note["author_id"] = author.participant_id
            for cid, pid in unsigned:
                proposal = _proposal(doc, cid, pid)
                if proposal is None:
                    continue
                if not _signed(proposal, author):
                    proposal["author"] = author.name
                    proposal["author_id"] = author.participant_id
                if not _named(proposal):
                    proposal["by"] = author.name
                if not _dated(proposal):
                    proposal["created"] = now_ms()

        return write


class _DraftsWatch:
    def __init__(self, guard: DraftsGuard, doc: Doc[Any]) -> None:
        self._guard = guard
        self._notes = schema.notes_map(doc)
        self._before = len(self._notes)
        self._events: list[Any] = []
        self._subscription = self._notes.observe_deep(
            lambda events, *_: self._events.extend(events)
        )
        self._take_back = _TakeBack(doc, [self._notes])
        self.origin = self._take_back.origin

    def _seen(self, events: list[Any], *_: object) -> None:
        self._events.extend(events)

    def finish(self) -> Review:
        self._notes.unobserve(self._subscription)
        limit = self._guard.quotas.per_participant
        after = len(self._notes)
        if not limit or after <= self._before or after <= limit:
            return Review()
        refusal = Refusal(
            "quota_participant",
            f"at most {limit} notes per participant on a board; you have {self._before}",
        )
        take_back, events = self._take_back, self._events
        return Review(refusal=refusal_reason(refusal), repair=lambda: take_back.run(events))


class DraftsGuard:
    """The quota of a participant's private drafts doc (it is theirs to change freely)."""

    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas

    def watch(self, doc: Doc[Any]) -> _DraftsWatch:
        return _DraftsWatch(self, doc)


class Guards:
    """Makes the guards of participants' sockets, with one ledger per loaded board."""

    def __init__(self, quotas: Quotas) -> None:
        self.quotas = quotas
        self._ledgers: weakref.WeakKeyDictionary[Room, Ledger] = weakref.WeakKeyDictionary()

    def content(
        self,
        room: Room,
        author: Author,
        rules: Callable[[], Capabilities],
        round_theme: Callable[[], str | None] = lambda: None,
    ) -> ContentGuard:
        ledger = self._ledgers.get(room)
        if ledger is None or ledger.doc is not room.doc:
            ledger = self._ledgers[room] = Ledger(room.doc)
        return ContentGuard(ledger, author, rules, self.quotas, round_theme)

    def drafts(self) -> DraftsGuard:
        return DraftsGuard(self.quotas)
