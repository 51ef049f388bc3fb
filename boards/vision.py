"""The målbild document: a structured text that lives across the boards of a journey.

Plain JSON, schema 1, checked and normalised here (pure: no I/O):

```
library          str    the library's name, printed on the documents
purpose          str    why the library does this work
summary          str    the vision in a few sentences
statements       list   {id, theme, text, cluster_id, sources: [{board_id, note_ids}],
                         merged_from: [statement id], steers: {communication, governance,
                         decisions}}
waves            list   {id, text}: prioritised waves of change (förändringsvågor), in order
market           str    the library's market
operating_model  str    the operating model (verksamhetsmodell)
intents          list   {id, text}: declarations of intent (avsiktsförklaringar)
questions        list   {id, text}: open questions
actions          list   {id, title, owner, due: "YYYY-MM-DD"|"", status, statement}
```

A statement keeps its id from version to version; that is what lets `compare` tell a
reworded statement from a new one. `sources` say which notes on which board support a
statement (its provenance); `merged_from` names the statements it replaced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from boards import schema
from boards.model import Board, clean_text

SCHEMA_VERSION = 1
TEXT_FIELDS: tuple[str, ...] = ("library", "purpose", "summary", "market", "operating_model")
LIST_FIELDS: tuple[str, ...] = ("waves", "intents", "questions")
STEERS: tuple[str, ...] = ("communication", "governance", "decisions")
STATUSES: tuple[str, ...] = ("planned", "ongoing", "done")
REACTIONS: tuple[str, ...] = ("agree", "add", "unclear")
# Generous for a document people write by hand; refuses a pasted book.
MAX_TEXT = 5000
MAX_ITEMS = 200
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class VisionError(ValueError):
    """A målbild document that does not have the shape of schema 1."""


def _text(value: object, where: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise VisionError(f"{where}: expected text, got {type(value).__name__}")
    if len(value) > limit:
        raise VisionError(f"{where}: expected at most {limit} characters, got {len(value)}")
    return clean_text(value)


def _id(value: object, where: str) -> str:
    if value in (None, ""):
        return schema.new_id()
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise VisionError(f"{where}: expected an id of 1-64 characters, got {value!r}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise VisionError(f"{where}: expected a list, got {type(value).__name__}")
    if len(value) > MAX_ITEMS:
        raise VisionError(f"{where}: expected at most {MAX_ITEMS} items, got {len(value)}")
    return value


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise VisionError(f"{where}: expected an object, got {type(value).__name__}")
    return value


def _ids(value: object, where: str) -> list[str]:
    return [_id(v, f"{where}[{i}]") for i, v in enumerate(_list(value, where)) if v]


def _sources(value: object, where: str) -> list[dict[str, Any]]:
    out = []
    for i, raw in enumerate(_list(value, where)):
        item = _obj(raw, f"{where}[{i}]")
        out.append(
            {
                "board_id": _id(item.get("board_id"), f"{where}[{i}].board_id"),
                "note_ids": _ids(item.get("note_ids"), f"{where}[{i}].note_ids"),
            }
        )
    return out


def _statement(raw: object, where: str) -> dict[str, Any]:
    item = _obj(raw, where)
    steers = _obj(item.get("steers") or {}, f"{where}.steers")
    cluster = item.get("cluster_id")
    return {
        "id": _id(item.get("id"), f"{where}.id"),
        "theme": _text(item.get("theme"), f"{where}.theme", 200),
        "text": _text(item.get("text"), f"{where}.text"),
        "cluster_id": _id(cluster, f"{where}.cluster_id") if cluster else None,
        "sources": _sources(item.get("sources"), f"{where}.sources"),
        "merged_from": _ids(item.get("merged_from"), f"{where}.merged_from"),
        "steers": {k: _text(steers.get(k), f"{where}.steers.{k}") for k in STEERS},
    }


def _action(raw: object, where: str) -> dict[str, Any]:
    item = _obj(raw, where)
    due = _text(item.get("due"), f"{where}.due", 10)
    if due and not _DATE.match(due):
        raise VisionError(f"{where}.due: expected a date YYYY-MM-DD or nothing, got {due!r}")
    status = item.get("status") or "planned"
    if status not in STATUSES:
        raise VisionError(f"{where}.status: expected one of {list(STATUSES)}, got {status!r}")
    statement = item.get("statement")
    return {
        "id": _id(item.get("id"), f"{where}.id"),
        "title": _text(item.get("title"), f"{where}.title", 500),
        "owner": _text(item.get("owner"), f"{where}.owner", 200),
        "due": due,
        "status": status,
        "statement": _id(statement, f"{where}.statement") if statement else None,
    }


def normalize(raw: object) -> dict[str, Any]:
    """The document in its one canonical shape; raises VisionError on a wrong one."""
    data = _obj(raw, "målbild")
    out: dict[str, Any] = {"schema": SCHEMA_VERSION}
    for name in TEXT_FIELDS:
        out[name] = _text(data.get(name), name, 200 if name == "library" else MAX_TEXT)
    out["statements"] = [
        _statement(s, f"statements[{i}]")
        for i, s in enumerate(_list(data.get("statements"), "statements"))
    ]
    for name in LIST_FIELDS:
        out[name] = [
            {
                "id": _id(_obj(v, f"{name}[{i}]").get("id"), f"{name}[{i}].id"),
                "text": _text(_obj(v, f"{name}[{i}]").get("text"), f"{name}[{i}].text"),
            }
            for i, v in enumerate(_list(data.get(name), name))
        ]
    out["actions"] = [
        _action(a, f"actions[{i}]") for i, a in enumerate(_list(data.get("actions"), "actions"))
    ]
    seen: set[str] = set()
    for statement in out["statements"]:
        if statement["id"] in seen:
            raise VisionError(f"statements: the id {statement['id']!r} is used twice")
        seen.add(statement["id"])
    return out


def seed(board: Board, board_id: str) -> dict[str, Any]:
    """A first målbild from a workshop board: one statement per cluster, ranked by votes.

    Each statement's supporting notes are its cluster's notes on that board.
    """
    statements = [
        {
            "id": cluster.id,
            "theme": cluster.title,
            "text": cluster.statement,
            "cluster_id": cluster.id,
            "sources": [{"board_id": board_id, "note_ids": [n.id for n in cluster.notes]}],
        }
        for cluster in board.clusters
    ]
    return normalize({"statements": statements})


def statement_texts(data: Mapping[str, Any]) -> dict[str, str]:
    """Statement id -> its text, for a quick look-up."""
    return {s["id"]: s["text"] for s in data.get("statements", [])}


@dataclass(frozen=True)
class Change:
    """One statement that differs between two versions, and why (the new sources)."""

    kind: str  # "added" | "reworded" | "merged" | "dropped"
    statement: str  # the statement's id (in the newer version; the older one for "dropped")
    theme: str
    before: tuple[str, ...]  # the older text(s): one, several when merged, none when added
    after: str  # "" when dropped
    sources: tuple[tuple[str, tuple[str, ...]], ...]  # (board id, note ids) new since before


def _new_sources(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    known = {(s["board_id"], n) for s in old for n in s["note_ids"]}
    out = []
    for source in new:
        fresh = tuple(n for n in source["note_ids"] if (source["board_id"], n) not in known)
        if fresh:
            out.append((source["board_id"], fresh))
    return tuple(out)


def compare(older: Mapping[str, Any], newer: Mapping[str, Any]) -> list[Change]:
    """Statements added, reworded, merged or dropped from ``older`` to ``newer``.

    A statement whose text is unchanged is not a change, whatever else moved. Merged: a
    statement of ``newer`` names, in ``merged_from``, statements of ``older`` that are
    gone; those are not reported as dropped.
    """
    before = {s["id"]: s for s in older.get("statements", [])}
    after = {s["id"]: s for s in newer.get("statements", [])}
    changes: list[Change] = []
    absorbed: set[str] = set()
    for sid, statement in after.items():
        gone = [m for m in statement["merged_from"] if m in before and m not in after]
        prior = before.get(sid)
        old_sources = [src for m in gone for src in before[m]["sources"]]
        if prior is not None:
            old_sources += prior["sources"]
        sources = _new_sources(old_sources, statement["sources"])
        if gone:
            absorbed.update(gone)
            texts = ([prior["text"]] if prior else []) + [before[m]["text"] for m in gone]
            changes.append(
                Change("merged", sid, statement["theme"], tuple(texts), statement["text"], sources)
            )
        elif prior is None:
            changes.append(Change("added", sid, statement["theme"], (), statement["text"], sources))
        elif " ".join(prior["text"].split()) != " ".join(statement["text"].split()):
            changes.append(
                Change(
                    "reworded",
                    sid,
                    statement["theme"],
                    (prior["text"],),
                    statement["text"],
                    sources,
                )
            )
    for sid, statement in before.items():
        if sid not in after and sid not in absorbed:
            changes.append(Change("dropped", sid, statement["theme"], (statement["text"],), "", ()))
    return changes


_DESCRIBE = {
    "sv": {
        "added": "Nytt påstående: ”{after}”",
        "reworded": "Omformulerat: ”{before}” blev ”{after}”",
        "merged": "Sammanslaget: {before} blev ”{after}”",
        "dropped": "Struket: ”{before}”",
        "and": " och ",
    },
    "en": {
        "added": "New statement: “{after}”",
        "reworded": "Reworded: “{before}” became “{after}”",
        "merged": "Merged: {before} became “{after}”",
        "dropped": "Dropped: “{before}”",
        "and": " and ",
    },
}


def describe(change: Change, language: str) -> str:
    """The change in one plain sentence, Swedish or English."""
    words = _DESCRIBE.get(language, _DESCRIBE["sv"])
    if change.kind == "merged":
        quote = "”{}”" if language != "en" else "“{}”"
        before = words["and"].join(quote.format(t) for t in change.before)
    else:
        before = change.before[0] if change.before else ""
    return words[change.kind].format(before=before, after=change.after)


def export_json(
    data: Mapping[str, Any],
    versions: Sequence[Mapping[str, Any]],
    *,
    board_id: str,
    generated_ms: int,
) -> dict[str, Any]:
    """The whole målbild (the document and every version) as one JSON object."""
    return {
        "samsyn": "malbild",
        "schema": SCHEMA_VERSION,
        "board_id": board_id,
        "generated": generated_ms,
        "vision": dict(data),
        "versions": [
            {"name": v["name"], "at": v["at"], "vision": dict(v["vision"])} for v in versions
        ],
    }


def import_json(raw: object) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The document and its versions from ``export_json``; raises VisionError."""
    data = _obj(raw, "export")
    if data.get("samsyn") != "malbild":
        raise VisionError(f"expected a Samsyn målbild export, got samsyn={data.get('samsyn')!r}")
    if data.get("schema") != SCHEMA_VERSION:
        raise VisionError(f"expected schema {SCHEMA_VERSION}, got {data.get('schema')!r}")
    versions = []
    for i, raw_version in enumerate(_list(data.get("versions"), "versions")):
        version = _obj(raw_version, f"versions[{i}]")
        at = version.get("at")
        if isinstance(at, bool) or not isinstance(at, int):
            raise VisionError(f"versions[{i}].at: expected epoch ms, got {at!r}")
        versions.append(
            {
                "name": version_name(version.get("name")),
                "at": at,
                "vision": normalize(version.get("vision")),
            }
        )
    return normalize(data.get("vision")), versions


def version_name(value: object) -> str:
    """A version's name ("0.5", "1.0", "Efter APT"): 1-40 characters of text."""
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        raise VisionError(f"name: expected 1-40 characters, got {value!r}")
    return " ".join(value.split())
