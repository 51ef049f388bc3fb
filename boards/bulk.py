"""Bulk notes: knowledge gathered before a workshop, pasted as lines or uploaded as CSV.

Parsing and layout are pure: the server turns the texts into notes at the positions
``place_notes`` returns, in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from boards import schema
from boards.layout import Rect
from boards.model import Board, clean_text

MAX_NOTES = 500  # per request; a findings list of a few hundred lines fits
MAX_NOTE_CHARS = 2000  # a long interview quote, not a report
# Cells people name the text column with, in the CSV files librarians export.
TEXT_HEADERS = frozenset(
    {
        "text",
        "note",
        "notes",
        "lapp",
        "lappar",
        "anteckning",
        "idé",
        "idéer",
        "idea",
        "ideas",
        "citat",
        "quote",
        "fynd",
        "finding",
        "findings",
    }
)

# Notes sit in a grid below the section's title and prompt.
PADDING = 24
HEADER = 120
GAP = 16


class BulkError(ValueError):
    """Input the bulk import cannot use; the message says what was expected and what came."""


def _checked(texts: Iterable[tuple[int, str]], where: str) -> list[str]:
    """Stripped, non-empty texts within the limits; ``where`` names the input in errors."""
    out: list[str] = []
    for line, raw in texts:
        text = clean_text(raw).strip()
        if not text:
            continue
        if len(text) > MAX_NOTE_CHARS:
            raise BulkError(
                f"{where} {line}: expected at most {MAX_NOTE_CHARS} characters, got {len(text)}"
            )
        out.append(text)
        if len(out) > MAX_NOTES:
            raise BulkError(f"{where}: expected at most {MAX_NOTES} notes, got more")
    if not out:
        raise BulkError(f"{where}: expected at least one non-empty note, got none")
    return out


def texts_from_lines(lines: object) -> list[str]:
    """The notes of a ``lines`` list: one note per string, blank ones skipped."""
    if not isinstance(lines, list):
        raise BulkError(f"lines: expected a list of strings, got {type(lines).__name__}")
    for i, line in enumerate(lines):
        if not isinstance(line, str):
            raise BulkError(f"lines[{i}]: expected a string, got {type(line).__name__}")
    return _checked(((i, line) for i, line in enumerate(lines)), "lines")


def _delimiter(text: str) -> str:
    """The separator of the first line: Swedish spreadsheets write ";", others "," or tab.

    Counted outside quotes; a one-column file has none and reads the same either way.
    (csv.Sniffer guesses wrong on short files with quoted line breaks.)
    """
    counts = dict.fromkeys(";\t,", 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def texts_from_csv(text: object, *, header: bool | None = None) -> list[str]:
    """The notes of a CSV text: the first column, or the column a header names as text.

    ``header`` None means: the first row is a header if one of its cells is a known
    name of a text column ("text", "lapp", "citat", ...).
    """
    if not isinstance(text, str):
        raise BulkError(f"csv: expected the CSV file as a string, got {type(text).__name__}")
    text = text.removeprefix("\ufeff")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        raise BulkError(f"csv: expected comma, semicolon or tab separated text: {exc}") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    column = 0
    if rows:
        names = [cell.strip().casefold() for cell in rows[0]]
        named = [i for i, name in enumerate(names) if name in TEXT_HEADERS]
        if header is None:
            header = bool(named)
        if header:
            column = named[0] if named else 0
            rows = rows[1:]
    cells = ((n + 1, row[column] if column < len(row) else "") for n, row in enumerate(rows))
    return _checked(cells, "csv row")


def _obstacles(board: Board) -> list[Rect]:
    rects = [Rect(c.x, c.y, c.w, c.h) for c in board.clusters]
    rects.extend(Rect(n.x, n.y, schema.NOTE_W, schema.NOTE_H) for n in board.notes)
    return rects


def _free_area(board: Board) -> Rect:
    """A strip below everything on the board: new notes never cover anyone's work."""
    rects = [Rect(s.x, s.y, s.w, s.h) for s in board.sections] + _obstacles(board)
    if not rects:
        return Rect(0, 0, schema.SECTION_W, 0)
    left = min(r.x for r in rects)
    bottom = max(r.y + r.h for r in rects)
    return Rect(left, bottom + schema.SECTION_GAP, schema.SECTION_W, 0)


def place_notes(board: Board, section: str | None, count: int) -> list[tuple[float, float]]:
    """Top-left corners for ``count`` new notes in a grid inside ``section`` (or free space).

    Grid slots that would cover an existing note or cluster are skipped; when the
    section is full the grid continues below it rather than on top of other notes.
    """
    target = next((s for s in board.sections if s.id == section), None)
    if section is not None and target is None:
        raise BulkError(f"section: expected the id of a section of this board, got {section!r}")
    if target is not None:
        area = Rect(target.x + PADDING, target.y + HEADER, target.w - 2 * PADDING, 0)
    else:
        area = _free_area(board)
    columns = max(1, int((area.w + GAP) // (schema.NOTE_W + GAP)))
    obstacles: Sequence[Rect] = _obstacles(board)
    spots: list[tuple[float, float]] = []
    slot = 0
    while len(spots) < count:
        row, col = divmod(slot, columns)
        x = area.x + col * (schema.NOTE_W + GAP)
        y = area.y + row * (schema.NOTE_H + GAP)
        if not any(Rect(x, y, schema.NOTE_W, schema.NOTE_H).overlaps(r) for r in obstacles):
            spots.append((x, y))
        slot += 1
    return spots
