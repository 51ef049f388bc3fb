"""Målbild 0.5 as an SVG picture of the board as laid out, with a header that ranks it.

Sizes are board units (the browser's pixels at zoom 1). Text is wrapped by an estimate
of glyph widths, since no font metrics are available server-side; every text and
attribute is XML-escaped and colours are checked before they reach an attribute.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import tzinfo
from xml.sax.saxutils import escape, quoteattr

from boards import schema
from boards.export.outline import (
    DEFAULT_TZ,
    Outline,
    build_outline,
    cluster_name,
    note_author,
    rank_prefix,
    safe_color,
    votes_text,
)
from boards.model import Board, Cluster, Note, Section

_PAD = 40
_INK = "#1f2328"
_MUTED = "#57606a"
_AVERAGE_GLYPH = 0.56  # average advance of a sans-serif glyph, in ems


def _width(text: str) -> float:
    """Estimated width in ems: wide (CJK, emoji) glyphs count double, combining marks zero."""
    total = 0.0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        total += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else _AVERAGE_GLYPH
    return total


def wrap(text: str, max_em: float, max_lines: int) -> list[str]:
    """Greedy word wrap to ``max_em``; over-long words are split; overflow ends in "…"."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if _width(candidate) <= max_em:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for ch in word:  # a word wider than the line: break it anywhere
                if _width(line + ch) > max_em and line:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    lines = [ln for ln in lines if ln] or [""]
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and _width(last + "…") > max_em:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


def _text(
    x: float, y: float, content: str, size: float, *, fill: str = _INK, bold: bool = False
) -> str:
    weight = ' font-weight="700"' if bold else ""
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" fill="{fill}"{weight}>'
        f"{escape(content)}</text>"
    )


def _lines(
    x: float, y: float, lines: list[str], size: float, *, fill: str = _INK, bold: bool = False
) -> Iterator[str]:
    for i, line in enumerate(lines):
        yield _text(x, y + i * size * 1.25, line, size, fill=fill, bold=bold)


def _section(s: Section) -> Iterator[str]:
    yield (
        f'<rect x="{s.x:g}" y="{s.y:g}" width="{s.w:g}" height="{s.h:g}" rx="16" '
        f'fill="#f6f8fa" stroke="#d0d7de" stroke-width="2"/>'
    )
    title = wrap(s.title, (s.w - 48) / 32, 2)
    yield from _lines(s.x + 24, s.y + 48, title, 32, bold=True)
    # Right under the title, so a prompt of three lines ends above the notes' grid.
    top = s.y + 48 + 40 * len(title)
    yield from _lines(s.x + 24, top, wrap(s.prompt, (s.w - 48) / 18, 3), 18, fill=_MUTED)


def _cluster(c: Cluster, language: str) -> Iterator[str]:
    color = safe_color(c.color, schema.DEFAULT_CLUSTER_COLOR)
    yield (
        f'<rect x="{c.x:g}" y="{c.y:g}" width="{c.w:g}" height="{c.h:g}" rx="12" '
        f'fill={quoteattr(color)} fill-opacity="0.35" stroke={quoteattr(color)} stroke-width="3"/>'
    )
    title = wrap(c.title, (c.w - 32) / 22, 2)
    yield from _lines(c.x + 16, c.y + 32, title, 22, bold=True)
    yield _text(
        c.x + 16, c.y + 32 + len(title) * 27.5, votes_text(c.votes, language), 16, fill=_MUTED
    )


def _note(n: Note, out: Outline) -> Iterator[str]:
    w, h = schema.NOTE_W, schema.NOTE_H
    color = safe_color(n.color, schema.DEFAULT_NOTE_COLOR)
    yield (
        f'<rect x="{n.x:g}" y="{n.y:g}" width="{w}" height="{h}" rx="6" '
        f'fill={quoteattr(color)} stroke="#8c959f" stroke-width="1"/>'
    )
    author = note_author(n, out)
    show_author = bool(author)
    max_lines = 4 if show_author or n.votes else 5
    text = n.text.strip() or out.labels["empty"]
    yield from _lines(n.x + 10, n.y + 24, wrap(text, (w - 20) / 15, max_lines), 15)
    footer = []
    if show_author:
        footer.append(author)
    if n.votes:
        footer.append(votes_text(n.votes, out.language))
    if footer:
        line = wrap(" · ".join(footer), (w - 20) / 12, 1)[0]
        yield _text(n.x + 10, n.y + h - 10, line, 12, fill=_MUTED)


def _bounds(board: Board) -> tuple[float, float, float, float]:
    boxes = [(s.x, s.y, s.w, s.h) for s in board.sections]
    boxes += [(c.x, c.y, c.w, c.h) for c in board.clusters]
    boxes += [(n.x, n.y, schema.NOTE_W, schema.NOTE_H) for n in board.notes]
    if not boxes:
        return 0, 0, 1200, 400
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return left, top, max(right - left, 800), bottom - top


def _header(out: Outline, x: float, y: float, width: float) -> tuple[list[str], float]:
    """Title, facts and the ranked draft vision above the board; returns its height."""
    size = max(32.0, width / 45)
    small = size * 0.5
    parts: list[str] = []
    title = wrap(out.title, width / size, 2)
    parts += _lines(x, y + size, title, size, bold=True)
    cursor = y + size * 1.25 * len(title) + small
    facts = [f"{out.labels['date']}: {out.date}"]
    facts += [f"{label}: {n}" for label, n in out.counts]
    parts.append(_text(x, cursor, " · ".join(facts), small, fill=_MUTED))
    cursor += small * 2
    # The ranking, as the board's results list shows it: only clusters that got votes.
    ranked = [c for c in out.vision if c.rank is not None]
    if ranked:
        parts.append(_text(x, cursor, out.labels["vision"], small * 1.2, bold=True))
        cursor += small * 1.6
        for c in ranked:
            votes = votes_text(c.votes, out.language)
            line = f"{rank_prefix(c)}{cluster_name(c, out.labels)} — {votes}"
            parts.append(_text(x, cursor, wrap(line, width / small, 1)[0], small))
            cursor += small * 1.35
    if out.checkpoints:
        names = ", ".join(f"{name} ({when})" for name, when in out.checkpoints)
        line = f"{out.labels['checkpoints']}: {names}"
        for text in wrap(line, width / small, 3):
            cursor += small * 0.35
            parts.append(_text(x, cursor, text, small, fill=_MUTED))
            cursor += small
    return parts, cursor - y + small


def to_svg(
    board: Board,
    *,
    generated_ms: int | None = None,
    tz: tzinfo = DEFAULT_TZ,
    authors: bool = False,
) -> str:
    """The board as a standalone SVG document; ``authors`` signs each note."""
    out = build_outline(board, generated_ms=generated_ms, tz=tz, authors=authors)
    left, top, width, height = _bounds(board)
    header, header_h = _header(out, left, 0, width)
    # The header is drawn above the board's top edge: extend the view up to include it.
    view_top = top - _PAD - header_h - _PAD
    view_h = height + header_h + 3 * _PAD
    body: list[str] = []
    for s in board.sections:
        body += _section(s)
    for c in sorted(board.clusters, key=lambda c: c.id):
        body += _cluster(c, out.language)
    for n in board.notes:
        body += _note(n, out)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" lang={quoteattr(out.language)} '
        f'viewBox="{left - _PAD:g} {view_top:g} {width + 2 * _PAD:g} {view_h:g}" '
        f'width="{width + 2 * _PAD:g}" height="{view_h:g}" role="img">',
        f"<title>{escape(out.title)}</title>",
        "<style>text{font-family:system-ui,'Segoe UI',Roboto,Arial,sans-serif;"
        "unicode-bidi:plaintext;white-space:pre}</style>",
        f'<rect x="{left - _PAD:g}" y="{view_top:g}" width="{width + 2 * _PAD:g}" '
        f'height="{view_h:g}" fill="#ffffff"/>',
    ]
    header_group = [f'<g transform="translate(0 {view_top + _PAD:g})">', *header, "</g>"]
    return "\n".join([*head, *header_group, *body, "</svg>", ""])
