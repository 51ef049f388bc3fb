"""A board's documents as plain data: the view the exports read, rebuilt docs, imports.

Shared by the routes (which read the live doc through its room) and the `samsyn` CLI
(which opens the SQLite file without a server).
"""

from __future__ import annotations

import asyncio
from typing import Any

from pycrdt import Doc

from boards import schema
from boards.catalog import BLANK_ID, get_template
from boards.export.json import apply_json
from boards.model import Board, CheckpointInfo, board_from_doc
from server.errors import InvalidInput
from server.services.registry import MAX_TITLE, NewBoard, create_board
from server.store import BoardRecord, Store
from server.sync.room import Room

# Votes carried over by an import belong to no participant; the colon keeps this name
# apart from every participant id (url-safe base64 has no colon).
IMPORT_VOTER = "samsyn:import"


def upgrade_board_doc(room: Room) -> None:
    """On load: what later versions added to every board, given once to an older one.

    Clusters from before the vision statement get their statement text here, written by
    the server before any browser syncs, so no browser has to create it as it opens the
    field (two doing that at once would make two texts, and one person's words vanish).
    """
    missing = schema.clusters_without_statement(room.doc)
    if missing:
        room.mutate(lambda doc: schema.give_statements(doc, missing))


async def board_view(
    store: Store, record: BoardRecord, doc: Doc[Any], *, hide_tallies: bool = False
) -> Board:
    """The board as the exports see it: content, votes, participants, checkpoints.

    Reads ``doc`` right after the awaits, so call it on the loop that owns the doc.
    """
    tallies, participants, checkpoints = await asyncio.gather(
        store.vote_tallies(record.id),
        store.list_participants(record.id),
        store.list_checkpoints(record.id),
    )
    return board_from_doc(
        doc,
        tallies={} if hide_tallies else tallies,
        anonymous=record.anonymous,
        participants=len(participants),
        checkpoints=[CheckpointInfo(c.id, c.name, c.at) for c in checkpoints],
    )


async def stored_doc(store: Store, name: str) -> Doc[Any]:
    """A doc rebuilt from what the store holds (snapshot, then the log)."""
    return schema.replay((await store.load_doc(name)).replayed())


async def import_board(store: Store, data: object) -> NewBoard:
    """A new board from a JSON export, with its votes and anonymity; names the bad field."""
    scratch: Doc[Any] = Doc()
    try:
        info = apply_json(scratch, data)
    except ValueError as exc:
        raise InvalidInput("invalid_export", str(exc)) from None
    meta = schema.meta_map(scratch)
    title = " ".join(str(meta.get("title", "")).split())[:MAX_TITLE] or "Import"
    template = str(meta.get("template", ""))
    try:
        get_template(template)
    except KeyError:
        template = BLANK_ID  # a template of another installation: keep the layout only
    content = scratch.get_update()
    new = await create_board(
        store,
        title,
        template,
        str(meta.get("language", "sv")),
        build=lambda doc: doc.apply_update(content),
    )
    if info.anonymous:
        await store.set_board_flags(new.record.id, anonymous=True)
    if info.tallies:
        # One job per target, all queued at once: the writer commits them together.
        budget = sum(info.tallies.values())
        await asyncio.gather(
            *(
                store.cast_vote(new.record.id, IMPORT_VOTER, target, count, budget)
                for target, count in info.tallies.items()
                if count > 0
            )
        )
    return new
