"""Målbild 0.5 as a print-ready A4 HTML page (Jinja2, autoescape on)."""

from __future__ import annotations

from datetime import tzinfo
from functools import cache
from pathlib import Path

import jinja2

from boards import schema
from boards.export.outline import (
    DEFAULT_TZ,
    build_outline,
    cluster_name,
    note_author,
    rank_prefix,
    safe_color,
    votes_text,
)
from boards.model import Board

_TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        # Every user text is untrusted: escape by default, never mark anything safe.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def to_html(
    board: Board,
    *,
    generated_ms: int | None = None,
    tz: tzinfo = DEFAULT_TZ,
    authors: bool = False,
) -> str:
    """The Målbild 0.5 document as a standalone HTML page with print CSS for A4."""
    out = build_outline(board, generated_ms=generated_ms, tz=tz, authors=authors)
    template = _environment().get_template("malbild.html.j2")
    return template.render(
        out=out,
        votes=lambda n: votes_text(n, out.language),
        color=lambda c: safe_color(c, schema.DEFAULT_CLUSTER_COLOR),
        rank=rank_prefix,
        name=lambda c: cluster_name(c, out.labels),
        author=lambda n: note_author(n, out),
    )
