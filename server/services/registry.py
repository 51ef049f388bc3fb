"""Creating boards and participants: the rules shared by the JSON API and the pages."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc

from boards.catalog import get_template
from boards.schema import LANGUAGES, init_board, new_id, now_ms
from server.errors import InvalidInput
from server.services.principals import hash_secret, new_join_code, new_secret
from server.store import BoardRecord, ParticipantRecord, Store

MAX_TITLE = 200
MAX_NAME = 60
# Join codes are short; a collision with a live board is retried with a new code.
_JOIN_CODE_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class NewBoard:
    record: BoardRecord
    facilitator_key: str
    wall_key: str


@dataclass(frozen=True, slots=True)
class NewParticipant:
    record: ParticipantRecord
    token: str


def _clean_text(value: object, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput("invalid_field", f"{field} must be a string, got {type(value).__name__}")
    text = " ".join(value.split())
    if not text:
        raise InvalidInput("invalid_field", f"{field} must not be empty")
    if len(text) > limit:
        raise InvalidInput("invalid_field", f"{field} must be at most {limit} characters")
    return text


async def create_board(
    store: Store,
    title: object,
    template: object,
    language: object,
    *,
    build: Callable[[Doc[Any]], None] | None = None,
) -> NewBoard:
    """Validate, lay out the content doc and store the board with it.

    The doc is the template's layout, or whatever `build` writes into an empty doc
    (an import, a fork, a continuation); `build` may raise a SamsynError to refuse.
    """
    clean_title = _clean_text(title, "title", MAX_TITLE)
    template_id = "blank" if template is None else template
    if not isinstance(template_id, str):
        raise InvalidInput("invalid_field", "template must be a string")
    try:
        tpl = get_template(template_id)
    except KeyError:
        raise InvalidInput("unknown_template", f"no template {template_id!r}") from None
    lang = "sv" if language is None else language
    if lang not in LANGUAGES:
        raise InvalidInput("invalid_field", f"language must be one of {list(LANGUAGES)}")
    assert isinstance(lang, str)
    created = now_ms()
    doc: Doc[Any] = Doc()
    if build is None:
        init_board(doc, title=clean_title, template=tpl, language=lang, created_ms=created)
    else:
        build(doc)
    key = new_secret()
    wall_key = new_secret()
    for _ in range(_JOIN_CODE_ATTEMPTS):
        record = BoardRecord(
            id=new_id(),
            title=clean_title,
            template=tpl.id,
            language=lang,
            join_code=new_join_code(),
            facilitator_key_hash=hash_secret(key),
            created=created,
            wall_key_hash=hash_secret(wall_key),
            wall_key=wall_key,
        )
        try:
            await store.create_board(record, doc.get_update())
        except sqlite3.IntegrityError:
            continue
        return NewBoard(record, key, wall_key)
    raise RuntimeError("could not find a free join code")


async def create_participant(store: Store, board: BoardRecord, name: object) -> NewParticipant:
    clean_name = _clean_text(name, "name", MAX_NAME)
    token = new_secret()
    record = ParticipantRecord(id=new_id(), board_id=board.id, name=clean_name, created=now_ms())
    await store.create_participant(record, hash_secret(token))
    return NewParticipant(record, token)
