"""Målbild 0.5 as CSV, one row per note, that opens as columns in the reader's Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from boards.export.outline import Outline, build_outline, cluster_name, note_author
from boards.model import Board, Cluster, Note

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it text and is not displayed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel only reads UTF-8 (å, ä, ö) correctly when the file starts with a byte order mark.
BOM = "\ufeff"


def neutralise(cell: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


# Excel takes its list separator from the region: Swedish Excel (and LibreOffice in
# Swedish) splits on ";" and opens a comma file as one column, since "," is the decimal mark.
DELIMITERS = {"sv": ";", "en": ","}


def _columns(words: Mapping[str, str], authors: bool) -> list[str]:
    names = ["rank", "cluster", "cluster_votes", "statement", "section", "note", "note_votes"]
    return [words[name] for name in (*names, *(["author"] if authors else []))]


def _row(out: Outline, cluster: Cluster | None, section: str, note: Note | None) -> list[str | int]:
    cells: list[str | int] = [
        (cluster.rank or "") if cluster else "",
        neutralise(cluster_name(cluster, out.labels)) if cluster else "",
        cluster.votes if cluster else "",
        neutralise(cluster.statement) if cluster else "",
        neutralise(section),
        neutralise(note.text) if note else "",
        note.votes if note else "",
    ]
    if out.authors:
        cells.append(neutralise(note_author(note, out)) if note else "")
    return cells


def to_csv(board: Board, *, bom: bool = True, authors: bool = False) -> str:
    """Every note as a row, in the document's order: the ranked clusters, then the rest.

    Columns: rank, cluster, cluster votes, statement, section, note, note votes (and the
    author when ``authors``). Semicolons for a Swedish board, commas for an English one.
    """
    # The sheet prints no date, so any fixed time keeps the outline from reading the clock.
    out = build_outline(board, generated_ms=board.created, authors=authors)
    buffer = io.StringIO()
    delimiter = DELIMITERS.get(board.language, ";")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(_columns(out.labels, out.authors))
    for cluster in out.vision:
        section = out.section_titles.get(cluster.section or "", "")
        # An empty cluster still gets a row: the room named it, so the sheet shows it.
        for note in cluster.notes or (None,):
            writer.writerow(_row(out, cluster, section, note))
    for group in out.loose:
        title = group.title or out.labels["other"]
        writer.writerows(_row(out, None, title, note) for note in group.notes)
    return (BOM if bom else "") + buffer.getvalue()
