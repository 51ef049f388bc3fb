"""Målbild 0.5 as CSV, one row per note, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from boards.export.labels import labels
from boards.export.outline import Group, build_outline
from boards.model import Board, Note

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it text and is not displayed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel only reads UTF-8 (å, ä, ö) correctly when the file starts with a byte order mark.
BOM = "\ufeff"


def neutralise(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _rows(group: Group, other: str, anonymous: bool) -> list[list[str | int]]:
    section = group.title or other
    rows: list[list[str | int]] = []

    def row(cluster: str, cluster_votes: int | str, note: Note | None) -> list[str | int]:
        return [
            neutralise(section),
            neutralise(cluster),
            cluster_votes,
            neutralise(note.text) if note else "",
            neutralise(note.author) if note and not anonymous else "",
            note.votes if note else "",
        ]

    for cluster in group.clusters:
        # An empty cluster still gets a row: the room named it, so the sheet shows it.
        for note in cluster.notes or (None,):
            rows.append(row(cluster.title, cluster.votes, note))
    rows.extend(row("", "", note) for note in group.notes)
    return rows


def to_csv(board: Board, *, bom: bool = True) -> str:
    """Every note as a row: section, cluster, cluster votes, note, author, note votes."""
    # The sheet prints no date, so any fixed time keeps the outline from reading the clock.
    out = build_outline(board, generated_ms=board.created)
    words = labels(board.language)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            words["section"],
            words["cluster"],
            words["cluster_votes"],
            words["note"],
            words["author"],
            words["note_votes"],
        ]
    )
    for group in out.groups:
        writer.writerows(_rows(group, words["other"], out.anonymous))
    return (BOM if bom else "") + buffer.getvalue()
