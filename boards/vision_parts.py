"""The parts of a målbild document that a facilitator can open to participants (pure).

A round opens some parts for participants to write in: a prose field (`purpose`,
`summary`, `market`, `operating_model`), a list (`waves`, `intents`, `questions`: they
edit its items' texts and add items) or one statement's text (`statement:<id>`). A part
edit names the text it started from (`base`); `edit` refuses it when the text has
changed since, so that nobody's words are overwritten unseen.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from boards import schema
from boards.vision import LIST_FIELDS, MAX_TEXT, VisionError

PROSE_PARTS: tuple[str, ...] = ("purpose", "summary", "market", "operating_model")
STATEMENT_PREFIX = "statement:"
MAX_OPEN_PARTS = 50


class Stale(Exception):
    """The part's text changed since the editor loaded it; `current` is the text now."""

    def __init__(self, current: str) -> None:
        super().__init__("the part changed since it was loaded")
        self.current = current


def known_parts(data: Mapping[str, Any]) -> list[str]:
    """Every part of this document that a round can open, in document order."""
    statements = [STATEMENT_PREFIX + s["id"] for s in data.get("statements", [])]
    return [*PROSE_PARTS[:2], *statements, "waves", *PROSE_PARTS[2:], "intents", "questions"]


def check_parts(data: Mapping[str, Any], raw: object) -> list[str]:
    """The parts a facilitator asked to open, checked against the document."""
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise VisionError(f"parts: expected a list of part names, got {raw!r}")
    if len(raw) > MAX_OPEN_PARTS:
        raise VisionError(f"parts: expected at most {MAX_OPEN_PARTS}, got {len(raw)}")
    known = known_parts(data)
    unknown = [p for p in raw if p not in known]
    if unknown:
        raise VisionError(f"parts: unknown {unknown!r}; expected some of {known!r}")
    return [p for p in known if p in raw]


def _statement(data: Mapping[str, Any], part: str) -> dict[str, Any]:
    wanted = part.removeprefix(STATEMENT_PREFIX)
    for statement in data.get("statements", []):
        if statement["id"] == wanted:
            found: dict[str, Any] = statement
            return found
    raise VisionError(f"part: no statement {wanted!r} in this målbild")


def _item(items: Sequence[dict[str, Any]], item: str, part: str) -> dict[str, Any]:
    for entry in items:
        if entry["id"] == item:
            return entry
    raise VisionError(f"item: no item {item!r} in {part}")


def text_of(data: Mapping[str, Any], part: str, item: str | None = None) -> str:
    """The text of a part (of one item of a list part) as it is in `data`."""
    if part in PROSE_PARTS:
        return str(data.get(part, ""))
    if part.startswith(STATEMENT_PREFIX):
        return str(_statement(data, part)["text"])
    if part in LIST_FIELDS:
        if item is None:
            return ""
        return str(_item(data.get(part, []), item, part)["text"])
    raise VisionError(f"part: unknown {part!r}")


def edit(
    data: Mapping[str, Any], part: str, item: str | None, base: object, text: object
) -> dict[str, Any]:
    """A copy of `data` with the part's text replaced; raises Stale when it moved on.

    In a list part, no `item` adds a new item (which never conflicts with anyone).
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise VisionError(f"text: expected text of at most {MAX_TEXT} characters")
    if not isinstance(base, str):
        raise VisionError("base: expected the text the edit started from")
    out = copy.deepcopy(dict(data))
    current = text_of(out, part, item)
    if part in LIST_FIELDS and item is None:
        if len(out[part]) >= 200:
            raise VisionError(f"{part}: expected at most 200 items")
        out[part].append({"id": schema.new_id(), "text": text})
        return out
    if current != base and current != text:
        raise Stale(current)
    if part in PROSE_PARTS:
        out[part] = text
    elif part.startswith(STATEMENT_PREFIX):
        _statement(out, part)["text"] = text
    else:
        _item(out[part], str(item), part)["text"] = text
    return out
