"""The facilitator's changes to the session doc: phase, timer, voting, lock, follow, settings,
the formulera round.

Each change is a function of the request body; the board rules in
`boards.facilitation` check the values (raising RuleError), and the session doc is
written only here and by the other services, never by a client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from boards import schema
from boards.facilitation import RuleError, check_phase, timer_after, voting_after
from boards.schema import now_ms
from server.services import formulera, voting
from server.services.session import DRAFTS_INFIX, Session, session_doc_name
from server.store import BoardRecord, Store
from server.sync.rooms import Rooms

Change = Callable[[Store, Rooms, BoardRecord, Session, dict[str, Any]], Awaitable[None]]


async def apply(
    change: Change, store: Store, rooms: Rooms, board: BoardRecord, body: dict[str, Any]
) -> dict[str, Any]:
    """Run one change on the board's session doc; the new state once it is on disk."""
    async with rooms.use(session_doc_name(board.id)) as room:
        session = Session(room)
        await change(store, rooms, board, session, body)
        await room.durable()
        return session.state()


async def state(rooms: Rooms, board: BoardRecord) -> dict[str, Any]:
    async with rooms.use(session_doc_name(board.id)) as room:
        return Session(room).state()


async def phase(
    store: Store, rooms: Rooms, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    name = check_phase(body.get("name"))
    previous = session.phase
    session.update("phase", {"name": name, "since": now_ms()})
    # Entering the vote phase opens the ballot; leaving it closes it and shows the result.
    if name == "vote" and previous != "vote":
        session.update("voting", {"open": True})
    elif previous == "vote" and name != "vote":
        session.update("voting", {"open": False})
    # A formulera round belongs to the discuss phase; leaving it ends the round.
    if name != "discuss" and session.get("formulera").get("open"):
        session.update("formulera", {"open": False})
    await voting.publish(store, board, session)
    _resync(rooms, board)


async def timer(
    store: Store, rooms: Rooms, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    session.update("timer", timer_after(body, session.get("timer"), now_ms()))


async def ballot(
    store: Store, rooms: Rooms, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    voting_state = voting_after(body, session.get("voting"))
    if body.get("reset") is True:
        await store.clear_votes(board.id)
        voting_state["round"] = int(voting_state.get("round") or 0) + 1
        voting_state["voted"] = 0
        voting_state["dots"] = 0
    session.update("voting", voting_state)
    await voting.publish(store, board, session)


def _flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    if not isinstance(value, bool):
        raise RuleError("invalid_field", f"{key} must be true or false")
    return value


async def lock(
    store: Store, rooms: Rooms, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    session.update("lock", {"content": _flag(body, "content")})
    _resync(rooms, board)


def _resync(rooms: Rooms, board: BoardRecord) -> None:
    """Writing may be allowed again: let held-back edits of participants merge."""
    resync_participants(rooms, board.id)


def resync_participants(rooms: Rooms, board_id: str) -> None:
    """Ask the participants' sockets whose edits were refused (the board's content doc
    and their drafts docs follow the same rule) for what they hold back."""
    content = rooms.get(board_id)
    if content is not None:
        content.resync_refused()
    for drafts in rooms.loaded_under(board_id + DRAFTS_INFIX):
        drafts.resync_refused()


async def follow(
    store: Store, rooms: Rooms, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    view: dict[str, Any] = {"active": _flag(body, "active")}
    for key in ("x", "y", "zoom"):
        value = body.get(key, session.get("follow").get(key))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RuleError("invalid_field", f"{key} must be a number")
        view[key] = float(value)
    if not 0.05 <= view["zoom"] <= 10:
        raise RuleError("invalid_field", "zoom must be between 0.05 and 10")
    session.update("follow", view)


async def board_settings(
    store: Store, rooms: Rooms, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    keys = ("anonymous", "notes_while_voting", "authors_in_export")
    values: dict[str, bool | str | None] = {key: _flag(body, key) for key in keys if key in body}
    if "question" in body:
        values["question"] = await _question(rooms, board, body["question"])
    if not values:
        raise RuleError("invalid_field", f"expected one of {[*keys, 'question']}")
    if "anonymous" in values:
        await store.set_board_flags(board.id, anonymous=bool(values["anonymous"]))
    session.update("board", values)
    if values.get("notes_while_voting"):
        _resync(rooms, board)


async def _question(rooms: Rooms, board: BoardRecord, value: object) -> str | None:
    """The question the facilitator puts up: a section of the board, or None for none."""
    if value is None:
        return None
    async with rooms.use(board.id) as content:
        sections = schema.sections_map(content.doc)
        if not isinstance(value, str) or value not in sections:
            raise RuleError(
                "invalid_field", f"question must be a section id or null, got {value!r}"
            )
    return value


CHANGES: dict[str, Change] = {
    "phase": phase,
    "timer": timer,
    "voting": ballot,
    "lock": lock,
    "follow": follow,
    "settings": board_settings,
    "formulera": formulera.round_change,
}
