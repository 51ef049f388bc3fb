"""Målbild 0.5 writers: Markdown, HTML, Word, CSV, SVG and JSON.

The server calls ``render(board, fmt)`` for ``GET /b/{id}/export.{fmt}``; each writer is
also importable on its own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from json import dumps as _dumps  # the name "json" is the submodule below

from boards.export.csv import to_csv
from boards.export.docx import to_docx
from boards.export.html import to_html
from boards.export.json import to_json
from boards.export.markdown import to_markdown
from boards.export.svg import to_svg
from boards.model import Board

FORMATS: tuple[str, ...] = ("md", "html", "docx", "json", "csv", "svg")

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    media_type: str
    filename: str  # ASCII, safe for Content-Disposition


def filename(board: Board, fmt: str) -> str:
    """ "malbild-0.5-<ascii slug of the title>.<fmt>"."""
    ascii_title = unicodedata.normalize("NFKD", board.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    stem = "malbild-0.5" if board.language == "sv" else "target-vision-0.5"
    return f"{stem}-{slug}.{fmt}" if slug else f"{stem}.{fmt}"


def render(
    board: Board, fmt: str, *, generated_ms: int | None = None, authors: bool = False
) -> Rendered:
    """The board in ``fmt`` (one of ``FORMATS``); ``KeyError`` for an unknown format.

    ``authors`` prints who wrote each note in the documents (the facilitator's choice,
    off by default). The JSON export always keeps them, as the board itself does: it is
    the board's data for the next board, not a document to send.
    """
    if fmt not in MEDIA_TYPES:
        raise KeyError(fmt)
    content: bytes
    if fmt == "md":
        content = to_markdown(board, generated_ms=generated_ms, authors=authors).encode()
    elif fmt == "html":
        content = to_html(board, generated_ms=generated_ms, authors=authors).encode()
    elif fmt == "docx":
        content = to_docx(board, generated_ms=generated_ms, authors=authors)
    elif fmt == "json":
        data = to_json(board, generated_ms=generated_ms)
        content = _dumps(data, ensure_ascii=False, indent=2).encode()
    elif fmt == "csv":
        content = to_csv(board, authors=authors).encode()
    else:
        content = to_svg(board, generated_ms=generated_ms, authors=authors).encode()
    return Rendered(content, MEDIA_TYPES[fmt], filename(board, fmt))


__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "Rendered",
    "filename",
    "render",
    "to_csv",
    "to_docx",
    "to_html",
    "to_json",
    "to_markdown",
    "to_svg",
]
