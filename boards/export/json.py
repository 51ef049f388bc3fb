"""The complete board as versioned JSON, and the way back: export -> import -> export is exact.

The export carries everything needed to rebuild the content doc (ids included, so
references survive) plus the session facts the documents print (tallies, participants,
checkpoints). Import input is untrusted: it is checked field by field, and errors say
which field was wrong and what arrived.

Texts have no length limit of their own: a board holds a note of any length (only
SAMSYN_MAX_DOC_BYTES bounds it), so a cap here refused the board's own export and made its
plain copy fail. The import body is bounded in bytes before it is parsed
(SAMSYN_MAX_IMPORT_BYTES), which bounds every text in it too. The item count stays capped
for untrusted files, as it bounds the time the import spends building the doc; a copy of
a board the server already holds (``trusted=True``) carries every item.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc

from boards import schema
from boards.export.outline import document_title
from boards.model import Board, CheckpointInfo, board_from_data
from boards.schema import now_ms

FORMAT = "samsyn-board"
VERSION = 1

MAX_ITEMS = 20_000  # per kind in an imported file; a two-day workshop has a few hundred notes
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class ImportInfo:
    """The session facts of an imported export that live outside the content doc."""

    tallies: Mapping[str, int]
    anonymous: bool
    participants: int
    checkpoints: tuple[CheckpointInfo, ...]


def to_json(board: Board, *, generated_ms: int | None = None) -> dict[str, Any]:
    """The board as JSON-ready data, ``{"format": "samsyn-board", "version": 1, ...}``."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "title": document_title(board),
        "exported": now_ms() if generated_ms is None else generated_ms,
        "meta": {
            "title": board.title,
            "schema": schema.SCHEMA_VERSION,
            "template": board.template,
            "language": board.language,
            "created": board.created,
        },
        "anonymous": board.anonymous,
        "participants": board.participants,
        "counts": {
            "participants": board.participants,
            "notes": len(board.notes),
            "clusters": len(board.clusters),
            "votes": board.votes,
        },
        # Derived, for readers of the file; import ignores it.
        "vision": [
            {
                "cluster": c.id,
                "title": c.title,
                "votes": c.votes,
                "rank": c.rank,
                "statement": c.statement,
            }
            for c in board.clusters
        ],
        "sections": [
            {
                "id": s.id,
                "title": s.title,
                "prompt": s.prompt,
                "x": s.x,
                "y": s.y,
                "w": s.w,
                "h": s.h,
                "order": s.order,
            }
            for s in board.sections
        ],
        "clusters": [
            {
                "id": c.id,
                "title": c.title,
                "x": c.x,
                "y": c.y,
                "w": c.w,
                "h": c.h,
                "color": c.color,
                "section": c.section,
                "statement": c.statement,
                # The drafts of the statement from formulera rounds, and the one chosen.
                "statement_from": c.statement_from,
                "proposals": [
                    {
                        "id": p.id,
                        "text": p.text,
                        "by": p.by,
                        "author": p.author,
                        "created": p.created,
                    }
                    for p in c.proposals
                ],
            }
            for c in board.clusters
        ],
        "notes": [
            {
                "id": n.id,
                "text": n.text,
                "x": n.x,
                "y": n.y,
                "color": n.color,
                "author": n.author,
                "cluster": n.cluster,
                "section": n.section,
                "created": n.created,
                **(
                    {"source": {"board": n.source_board, "group": n.source_group}}
                    if n.source_board
                    else {}
                ),
            }
            for n in board.notes
        ],
        "tallies": dict(board.tallies),
        "checkpoints": [{"id": c.id, "name": c.name, "at": c.at} for c in board.checkpoints],
    }


# ------------------------------------------------------------------------------- import


def _fail(where: str, expected: str, got: object) -> ValueError:
    shown = repr(got)
    return ValueError(f"{where}: expected {expected}, got {shown[:80]}")


def _obj(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, "an object", value)
    return value


def _list(value: object, where: str, max_items: int | None = MAX_ITEMS) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(where, "a list", value)
    if max_items is not None and len(value) > max_items:
        raise _fail(where, f"at most {max_items} items", f"{len(value)} items")
    return value


def _text(value: object, where: str, *, default: str = "") -> str:
    if value is None:
        return default
    if not isinstance(value, str):
        raise _fail(where, "a string", value)
    return value


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(where, "a finite number", value)
    if abs(value) > 1e12:
        raise _fail(where, "a number within ±1e12", value)
    return value


def _int(value: object, where: str, *, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
        raise _fail(where, "a non-negative integer", value)
    return value


def _id(value: object, where: str, seen: set[str]) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise _fail(where, "an id of 1-64 url-safe characters", value)
    if value in seen:
        raise _fail(where, "a unique id", value)
    seen.add(value)
    return value


def _ref(value: object, known: set[str]) -> str | None:
    # A dangling reference is harmless; drop it rather than refuse the whole file.
    return value if isinstance(value, str) and value in known else None


def _items(
    root: dict[str, Any], name: str, max_items: int | None
) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """Index, place (for messages) and object of each item of the list ``root[name]``."""
    for i, raw in enumerate(_list(root.get(name), name, max_items)):
        where = f"{name}[{i}]"
        yield i, where, _obj(raw, where)


# Field specs, checked in this order: a text field with its default, or None for a number.
_SECTION = {"title": "", "prompt": "", "x": None, "y": None, "w": None, "h": None}
_CLUSTER = {"title": "", "x": None, "y": None, "w": None, "h": None}
_NOTE = {"text": "", "x": None, "y": None}


def _source(raw: object, where: str) -> dict[str, Any]:
    """A rolled-up note's provenance, kept through export and import."""
    if raw is None:
        return {}
    source = _obj(raw, f"{where}.source")
    return {
        "source": {
            "board": _text(source.get("board"), f"{where}.source.board", default=""),
            "group": _text(source.get("group"), f"{where}.source.group", default=""),
        }
    }


def _proposals(cluster: dict[str, Any], where: str, seen: set[str]) -> dict[str, Any]:
    """A cluster's statement proposals and the chosen one (exports from before the
    formulera round have neither)."""
    proposals: dict[str, dict[str, Any]] = {}
    for i, p in enumerate(_list(cluster.get("proposals"), f"{where}.proposals")):
        at = f"{where}.proposals[{i}]"
        p = _obj(p, at)
        proposals[_id(p.get("id"), f"{at}.id", seen)] = {
            "text": _text(p.get("text"), f"{at}.text"),
            "by": _text(p.get("by"), f"{at}.by"),
            "author": _text(p.get("author"), f"{at}.author"),
            "created": _int(p.get("created"), f"{at}.created", default=0),
        }
    return {
        "proposals": proposals,
        "statement_from": _ref(cluster.get("statement_from"), set(proposals)),
    }


def _fields(item: dict[str, Any], where: str, spec: Mapping[str, str | None]) -> dict[str, Any]:
    return {
        k: _number(item.get(k, 0), f"{where}.{k}")
        if default is None
        else _text(item.get(k), f"{where}.{k}", default=default)
        for k, default in spec.items()
    }


@dataclass(frozen=True)
class _Parsed:
    content: dict[str, Any]  # the four roots, as plain data
    info: ImportInfo


def _parse(data: object, max_items: int | None = MAX_ITEMS) -> _Parsed:
    root = _obj(data, "export")
    if root.get("format") != FORMAT:
        raise _fail("format", repr(FORMAT), root.get("format"))
    if root.get("version") != VERSION:
        raise _fail("version", str(VERSION), root.get("version"))
    meta_in = _obj(root.get("meta"), "meta")
    language = meta_in.get("language", "sv")
    if language not in schema.LANGUAGES:
        raise _fail("meta.language", " or ".join(schema.LANGUAGES), language)
    meta = {
        "title": _text(meta_in.get("title"), "meta.title"),
        "schema": schema.SCHEMA_VERSION,
        "template": _text(meta_in.get("template"), "meta.template"),
        "language": language,
        "created": _int(meta_in.get("created"), "meta.created", default=0),
    }
    seen: set[str] = set()

    sections: dict[str, dict[str, Any]] = {}
    for i, where, s in _items(root, "sections", max_items):
        sections[_id(s.get("id"), f"{where}.id", seen)] = {
            **_fields(s, where, _SECTION),
            "order": _int(s.get("order"), f"{where}.order", default=i),
        }
    section_ids = set(sections)

    clusters: dict[str, dict[str, Any]] = {}
    cluster = {**_CLUSTER, "color": schema.DEFAULT_CLUSTER_COLOR}
    for _, where, c in _items(root, "clusters", max_items):
        clusters[_id(c.get("id"), f"{where}.id", seen)] = {
            **_fields(c, where, cluster),
            "section": _ref(c.get("section"), section_ids),
            # Exports from before vision statements have none: an empty statement.
            "statement": _text(c.get("statement"), f"{where}.statement"),
            **_proposals(c, where, seen),
        }
    cluster_ids = set(clusters)

    notes: dict[str, dict[str, Any]] = {}
    note = {**_NOTE, "color": schema.DEFAULT_NOTE_COLOR, "author": ""}
    for _, where, n in _items(root, "notes", max_items):
        notes[_id(n.get("id"), f"{where}.id", seen)] = {
            **_fields(n, where, note),
            "cluster": _ref(n.get("cluster"), cluster_ids),
            "section": _ref(n.get("section"), section_ids),
            "created": _int(n.get("created"), f"{where}.created", default=0),
            **_source(n.get("source"), where),
        }

    tallies_in = _obj(root.get("tallies") or {}, "tallies")
    tallies = {k: _int(v, f"tallies[{k!r}]") for k, v in sorted(tallies_in.items()) if k in seen}
    checkpoints = []
    for _, where, c in _items(root, "checkpoints", max_items):
        checkpoints.append(
            CheckpointInfo(
                id=_text(c.get("id"), f"{where}.id"),
                name=_text(c.get("name"), f"{where}.name"),
                at=_int(c.get("at"), f"{where}.at", default=0),
            )
        )
    anonymous = root.get("anonymous", False)
    if not isinstance(anonymous, bool):
        raise _fail("anonymous", "true or false", anonymous)
    return _Parsed(
        content={
            schema.META: meta,
            schema.SECTIONS: sections,
            schema.CLUSTERS: clusters,
            schema.NOTES: notes,
        },
        info=ImportInfo(
            tallies=tallies,
            anonymous=anonymous,
            participants=_int(root.get("participants"), "participants", default=0),
            checkpoints=tuple(checkpoints),
        ),
    )


def apply_json(doc: Doc[Any], data: object, *, trusted: bool = False) -> ImportInfo:
    """Rebuild a board's content in an empty ``doc`` from an export; one transaction.

    Raises ``ValueError`` naming the first bad field, before anything is written.
    ``trusted``: ``data`` is the export of a board this server holds (a plain copy), so
    the item cap of imported files does not apply.
    Returns the session facts (tallies, checkpoints, ...) the caller may want to keep.
    """
    parsed = _parse(data, None if trusted else MAX_ITEMS)
    roots = (schema.sections_map(doc), schema.clusters_map(doc), schema.notes_map(doc))
    if any(len(root) for root in roots):
        raise ValueError("apply_json: expected an empty board, got one with content")
    content = parsed.content
    meta = content[schema.META]
    with doc.transaction():
        schema.write_meta(
            doc,
            title=meta["title"],
            template=meta["template"],
            language=meta["language"],
            created_ms=meta["created"],
        )
        for sid, s in content[schema.SECTIONS].items():
            schema.add_section(doc, section_id=sid, **s)
        for cid, c in content[schema.CLUSTERS].items():
            schema.add_cluster(doc, cluster_id=cid, **c)
        for nid, n in content[schema.NOTES].items():
            fields = dict(n)
            source = fields.pop("source", None)
            schema.add_note(doc, note_id=nid, created_ms=fields.pop("created"), **fields)
            if source is not None:
                schema.notes_map(doc)[nid]["source"] = source
    return parsed.info


def board_from_json(data: object) -> Board:
    """A Board straight from an export, without a doc (for the CLI and previews)."""
    parsed = _parse(data)
    return board_from_data(
        parsed.content,
        tallies=parsed.info.tallies,
        anonymous=parsed.info.anonymous,
        participants=parsed.info.participants,
        checkpoints=parsed.info.checkpoints,
    )
