"""Dot voting: the budget is enforced by the store, tallies published per the ballot rules."""

from __future__ import annotations

from typing import Any

from boards import schema
from boards.facilitation import check_vote, per_item_limit, tallies_public
from server.errors import Conflict, NotAllowed, NotFound
from server.services.principals import Principal
from server.services.session import Session, session_doc_name
from server.store import BoardRecord, Store, VoteRefusedError
from server.sync.rooms import Rooms

FACILITATOR_VOTER = "facilitator"


def voter_of(principal: Principal) -> str:
    """Whose dots these are: the participant's, the facilitator's; the wall has none."""
    if principal.participant_id is not None:
        return principal.participant_id
    if principal.is_facilitator:
        return FACILITATOR_VOTER
    raise NotAllowed("forbidden", "the wall cannot vote")


async def cast(
    rooms: Rooms, store: Store, board: BoardRecord, voter: str, body: dict[str, Any]
) -> dict[str, Any]:
    """One dot on or off a target; 409 when voting is closed or the budget is used."""
    target, delta = check_vote(body)
    async with (
        rooms.use(session_doc_name(board.id)) as session_room,
        rooms.use(board.id) as content,
    ):
        session = Session(session_room)
        voting = session.get("voting")
        if not voting.get("open"):
            raise Conflict("voting_closed", "voting is not open")
        kind = str(voting.get("target", "clusters"))
        targets = (
            schema.clusters_map(content.doc)
            if kind == "clusters"
            else schema.notes_map(content.doc)
        )
        if target not in targets:
            raise NotFound("unknown_target", f"no {kind[:-1]} {target!r} on this board")
        budget = int(voting.get("budget", 5))
        try:
            result = await store.cast_vote(
                board.id, voter, target, delta, budget, per_item_limit(voting)
            )
        except VoteRefusedError as exc:
            raise Conflict(exc.code, exc.detail) from None
    # Votes may land on several processes at once: the counts and tallies are written
    # from the store, one process at a time, so the last write holds every vote
    # (`exclusive` locks the session doc across processes when a cluster relay runs).
    async with rooms.exclusive(session_doc_name(board.id)) as session_room:
        used = await store.votes_used(board.id)
        session = Session(session_room)
        # Counts only (names stay with the facilitator's /votes/status): the facilitator's
        # panel refreshes who still has dots when they move.
        session.update("voting", {"voted": _voted(used), "dots": sum(used.values())})
        if tallies_public(session.get("voting")):  # it may have changed meanwhile
            session.replace_tallies(await store.vote_tallies(board.id))
    return {"remaining": result.remaining, "mine": result.mine}


async def mine(rooms: Rooms, store: Store, board: BoardRecord, voter: str) -> dict[str, Any]:
    async with rooms.use(session_doc_name(board.id)) as session_room:
        budget = int(Session(session_room).get("voting").get("budget", 5))
    votes = await store.votes_of(board.id, voter)
    return {"remaining": max(0, budget - sum(votes.values())), "mine": votes}


def _voted(used: dict[str, int]) -> int:
    """Participants with at least one dot placed (the facilitator's own dots not counted)."""
    return sum(1 for voter, count in used.items() if count > 0 and voter != FACILITATOR_VOTER)


async def status(rooms: Rooms, store: Store, board: BoardRecord) -> dict[str, Any]:
    """For the facilitator: how many have voted, and who still has dots (names, so never
    in the session doc, which every member reads)."""
    async with rooms.use(session_doc_name(board.id)) as session_room:
        budget = int(Session(session_room).get("voting").get("budget", 5))
    # Those the facilitator removed have no dots left to place; their dots still count.
    participants = [p for p in await store.list_participants(board.id) if p.removed is None]
    taking_part = {p.id for p in participants}
    used = {
        voter: count
        for voter, count in (await store.votes_used(board.id)).items()
        if voter in taking_part or voter == FACILITATOR_VOTER
    }
    voters = [
        {
            "participant_id": p.id,
            "name": p.name,
            "used": used.get(p.id, 0),
            "remaining": max(0, budget - used.get(p.id, 0)),
        }
        for p in sorted(participants, key=lambda p: (p.name.casefold(), p.id))
    ]
    return {
        "budget": budget,
        "voted": _voted(used),
        "participants": len(participants),
        "voters": voters,
    }


async def publish(store: Store, board: BoardRecord, session: Session) -> None:
    """Show the tallies if the ballot allows it, hide them if it is secret."""
    if tallies_public(session.get("voting")):
        session.replace_tallies(await store.vote_tallies(board.id))
    else:
        session.replace_tallies({})
