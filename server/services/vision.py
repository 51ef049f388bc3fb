"""The målbild of a board lineage: the document, its versions, comment rounds, provenance.

The document is plain JSON with an optimistic revision (`rev`): a save names the rev it
was made from and is refused (409) when someone saved in between. The co-editing of a
sentence happens on the board, where each statement is a Y.Text; the document itself is
edited by one or two facilitators section by section, where a refused save that reloads
is clearer than merging two people's structure edits. Participants write only in a round,
part by part (`services/vision_round.py`), each save checked against the text it began from.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

from boards import schema, vision
from boards.model import board_from_doc
from server.errors import Conflict, InvalidInput, NotFound
from server.services.docs import board_view
from server.services.principals import hash_secret, new_secret
from server.store import (
    BoardRecord,
    ReactionRecord,
    Store,
    VisionRecord,
    VisionVersionRecord,
)
from server.sync.rooms import Rooms

CURRENT = "current"  # the version name that means the document as it is now


def _checked(raw: object) -> dict[str, Any]:
    try:
        return vision.normalize(raw)
    except vision.VisionError as exc:
        raise InvalidInput("invalid_vision", str(exc)) from None


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def data_of(record: VisionRecord) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(record.data)
    return loaded


async def of_board(store: Store, board_id: str) -> VisionRecord:
    """The målbild the board belongs to; 404 when the lineage has none yet."""
    found = await store.vision_of_board(board_id)
    if found is None:
        raise NotFound("vision_not_found", f"board {board_id!r} has no målbild yet")
    return found


async def create(
    store: Store, rooms: Rooms, record: BoardRecord, library: str = ""
) -> VisionRecord:
    """Start the målbild from a board: one statement per cluster, with its notes."""
    if await store.vision_of_board(record.id) is not None:
        raise Conflict("vision_exists", "this board already has a målbild")
    async with rooms.use(record.id) as room:
        board = await board_view(store, record, room.doc)
    data = vision.seed(board, record.id)
    data["library"] = _checked({"library": library})["library"]
    new = VisionRecord(schema.new_id(), record.id, _dump(data), 1, schema.now_ms())
    await store.create_vision(new)
    return new


async def adopt(store: Store, source_board_id: str, new_board_id: str) -> None:
    """A board continued from `source_board_id` shares its målbild (if it has one)."""
    found = await store.vision_of_board(source_board_id)
    if found is not None:
        await store.link_vision(found.id, new_board_id)


async def view(store: Store, record: VisionRecord) -> dict[str, Any]:
    """The document with its rev, its boards and its versions, as the API returns it."""
    versions = await store.list_vision_versions(record.id)
    boards = []
    for board_id in await store.vision_boards(record.id):
        board = await store.get_board(board_id)
        if board is not None:
            boards.append({"id": board.id, "title": board.title, "created": board.created})
    return {
        "id": record.id,
        "board_id": record.board_id,
        "rev": record.rev,
        "updated": record.updated,
        "boards": boards,
        "versions": [{"id": v.id, "name": v.name, "at": v.at} for v in versions],
        "logo": await store.vision_logo(record.id) is not None,
        "vision": data_of(record),
    }


async def save(store: Store, record: VisionRecord, raw: object, rev: object) -> int:
    """Write the document if nobody saved since `rev`; the new rev (409 otherwise)."""
    if isinstance(rev, bool) or not isinstance(rev, int):
        raise InvalidInput("invalid_field", f"rev: expected the rev it was loaded at, got {rev!r}")
    data = _checked(raw)
    new_rev = await store.update_vision(record.id, _dump(data), rev)
    if new_rev is None:
        raise Conflict(
            "stale_vision", f"the målbild was saved by someone else since rev {rev}; reload it"
        )
    return new_rev


async def add_version(store: Store, record: VisionRecord, name: object) -> VisionVersionRecord:
    """Freeze the document as it is now under `name` ("0.5", "1.0")."""
    try:
        clean = vision.version_name(name)
    except vision.VisionError as exc:
        raise InvalidInput("invalid_field", str(exc)) from None
    taken = Conflict("version_exists", f"there is already a version named {clean!r}")
    if clean == CURRENT:
        raise taken
    # Read again: the snapshot is of the document as stored now, not as the caller saw it.
    fresh = await store.get_vision(record.id) or record
    version = VisionVersionRecord(schema.new_id(), record.id, clean, schema.now_ms())
    # No look first: two saves of one name at once would both pass it. The table's
    # UNIQUE (vision_id, name) decides, on SQLite and PostgreSQL alike.
    try:
        await store.create_vision_version(version, fresh.data)
    except sqlite3.IntegrityError:
        raise taken from None
    return version


async def version_data(store: Store, record: VisionRecord, ref: str) -> tuple[str, dict[str, Any]]:
    """(name, document) of a version, by id or name; "current" is the live document."""
    if ref == CURRENT:
        fresh = await store.get_vision(record.id) or record
        return CURRENT, data_of(fresh)
    for version in await store.list_vision_versions(record.id):
        if ref in (version.id, version.name):
            raw = await store.vision_version_data(record.id, version.id)
            if raw is not None:
                return version.name, json.loads(raw)
    raise NotFound("version_not_found", f"no version {ref!r} of this målbild")


async def all_versions(store: Store, record: VisionRecord) -> list[dict[str, Any]]:
    out = []
    for version in await store.list_vision_versions(record.id):
        raw = await store.vision_version_data(record.id, version.id)
        if raw is not None:
            out.append({"name": version.name, "at": version.at, "vision": json.loads(raw)})
    return out


async def resolve_notes(
    store: Store, rooms: Rooms, record: VisionRecord, sources: list[tuple[str, tuple[str, ...]]]
) -> list[dict[str, Any]]:
    """Each (board id, note ids) as the board's title and the notes' texts.

    Only boards of the lineage resolve; a note deleted since reads as missing, so a
    reader sees that the link no longer leads anywhere.
    """
    lineage = set(await store.vision_boards(record.id))
    out: list[dict[str, Any]] = []
    for board_id, note_ids in sources:
        board = await store.get_board(board_id) if board_id in lineage else None
        if board is None:
            out.append({"board_id": board_id, "board_title": None, "notes": []})
            continue
        async with rooms.use(board_id) as room:
            texts = {n.id: n.text for n in board_from_doc(room.doc).notes}
        notes = [{"id": n, "text": texts.get(n), "missing": n not in texts} for n in note_ids]
        out.append({"board_id": board_id, "board_title": board.title, "notes": notes})
    return out


async def comparison(
    store: Store, rooms: Rooms, record: VisionRecord, older: str, newer: str, language: str
) -> dict[str, Any]:
    """What changed from version `older` to `newer`, each change with its notes."""
    old_name, old = await version_data(store, record, older)
    new_name, new = await version_data(store, record, newer)
    changes = []
    for change in vision.compare(old, new):
        changes.append(
            {
                "kind": change.kind,
                "statement": change.statement,
                "theme": change.theme,
                "before": list(change.before),
                "after": change.after,
                "text": vision.describe(change, language),
                "sources": await resolve_notes(store, rooms, record, list(change.sources)),
            }
        )
    return {"from": old_name, "to": new_name, "changes": changes}


async def open_comment_round(store: Store, record: VisionRecord) -> str:
    """A fresh comment link token (the old link stops working)."""
    token = new_secret()
    await store.set_vision_comment_token_hash(record.id, hash_secret(token))
    return token


async def by_comment_token(store: Store, token: str) -> VisionRecord:
    found = await store.vision_by_comment_token_hash(hash_secret(token)) if token else None
    if found is None:
        raise NotFound("comment_round_not_found", "this comment link is unknown or was replaced")
    return found


async def react(store: Store, record: VisionRecord, data: dict[str, Any]) -> ReactionRecord:
    """One reaction of the comment round on one statement of the current document."""
    statement, kind = data.get("statement"), data.get("kind")
    if statement not in vision.statement_texts(data_of(record)):
        raise NotFound("statement_not_found", f"no statement {statement!r} in this målbild")
    if kind not in vision.REACTIONS:
        raise InvalidInput("invalid_field", f"kind: expected one of {list(vision.REACTIONS)}")
    comment, name = data.get("comment") or "", data.get("name") or ""
    if not isinstance(comment, str) or not isinstance(name, str):
        raise InvalidInput("invalid_field", "comment and name: expected text")
    if len(comment) > 2000 or len(name) > 80:
        raise InvalidInput("invalid_field", "comment: at most 2000 characters, name: 80")
    if kind != "agree" and not comment.strip():
        raise InvalidInput("comment_required", "say what to add or what is unclear")
    reaction = ReactionRecord(
        schema.new_id(),
        record.id,
        str(statement),
        str(kind),
        comment.strip(),
        " ".join(name.split()),
        schema.now_ms(),
    )
    await store.add_reaction(reaction)
    return reaction


async def reactions(store: Store, record: VisionRecord) -> dict[str, Any]:
    """Per statement: how many agree, want to add, find it unclear; and the comments."""
    summary: dict[str, Any] = {}
    counts: dict[str, Counter[str]] = {}
    for reaction in await store.list_reactions(record.id):
        entry = summary.setdefault(reaction.statement, {"comments": []})
        counts.setdefault(reaction.statement, Counter())[reaction.kind] += 1
        if reaction.comment:
            entry["comments"].append(
                {
                    "kind": reaction.kind,
                    "comment": reaction.comment,
                    "name": reaction.name,
                    "at": reaction.at,
                }
            )
    for sid, entry in summary.items():
        entry.update({kind: counts[sid][kind] for kind in vision.REACTIONS})
    return summary


async def export(store: Store, record: VisionRecord) -> dict[str, Any]:
    fresh = await store.get_vision(record.id) or record
    return vision.export_json(
        data_of(fresh),
        await all_versions(store, fresh),
        board_id=fresh.board_id,
        generated_ms=schema.now_ms(),
    )


async def import_into(store: Store, board: BoardRecord, raw: object) -> VisionRecord:
    """A JSON export becomes the målbild of `board` (which has none), versions included."""
    if await store.vision_of_board(board.id) is not None:
        raise Conflict("vision_exists", "this board already has a målbild")
    try:
        data, versions = vision.import_json(raw)
    except vision.VisionError as exc:
        raise InvalidInput("invalid_vision", str(exc)) from None
    new = VisionRecord(schema.new_id(), board.id, _dump(data), 1, schema.now_ms())
    await store.create_vision(new)
    for version in versions:
        record = VisionVersionRecord(schema.new_id(), new.id, version["name"], version["at"])
        await store.create_vision_version(record, _dump(version["vision"]))
    return new
