"""Dot voting: the budget is enforced by the store, tallies published per the ballot rules."""

from __future__ import annotations

from typing import Any

from boards import schema
from boards.facilitation import check_vote, tallies_public
from server.errors import ApiError
from server.session import Session, session_doc_name
from server.store import BoardRecord, Store, VoteRefusedError
from server.sync.rooms import Rooms

FACILITATOR_VOTER = "facilitator"


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
            raise ApiError(409, "voting_closed", "voting is not open")
        kind = str(voting.get("target", "clusters"))
        targets = (
            schema.clusters_map(content.doc)
            if kind == "clusters"
            else schema.notes_map(content.doc)
        )
        if target not in targets:
            raise ApiError(404, "unknown_target", f"no {kind[:-1]} {target!r} on this board")
        budget = int(voting.get("budget", 5))
        try:
            result = await store.cast_vote(board.id, voter, target, delta, budget)
        except VoteRefusedError as exc:
            raise ApiError(409, exc.code, str(exc)) from None
    # Votes may land on several processes at once: the tallies are written from the
    # store, one process at a time, so the last write holds every vote (`exclusive`).
    async with rooms.exclusive(session_doc_name(board.id)) as session_room:
        session = Session(session_room)
        if tallies_public(session.get("voting")):  # it may have changed meanwhile
            session.replace_tallies(await store.vote_tallies(board.id))
    return {"remaining": result.remaining, "mine": result.mine}


async def mine(rooms: Rooms, store: Store, board: BoardRecord, voter: str) -> dict[str, Any]:
    async with rooms.use(session_doc_name(board.id)) as session_room:
        budget = int(Session(session_room).get("voting").get("budget", 5))
    votes = await store.votes_of(board.id, voter)
    return {"remaining": max(0, budget - sum(votes.values())), "mine": votes}


async def publish(store: Store, board: BoardRecord, session: Session) -> None:
    """Show the tallies if the ballot allows it, hide them if it is secret."""
    if tallies_public(session.get("voting")):
        session.replace_tallies(await store.vote_tallies(board.id))
    else:
        session.replace_tallies({})
