"""Målbild 1.0 and the plan as Word documents a library board can adopt.

Built-in styles (Title, Heading 1-2, List Bullet/Number, Table Grid) so the navigation
pane and screen readers work; the footer carries the library's name, the version, the
date and "Sida 2 av 5" from PAGE/NUMPAGES fields, which Word and LibreOffice fill in;
the header the library's logo (when it has one) and its name, on every page.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

# The 0.5 writer's page set-up and field code, shared so both documents look alike.
from boards.export.docx import _LOCALES, _a4, _field, _set_language
from boards.export.vision_labels import day, version_label, words
from boards.vision import STEERS

_COLUMNS_MM = (52, 32, 27, 25, 34)
# The logo's height in the header: readable, and small enough not to crowd the page.
_LOGO_MM = 12


def _header(paragraph: Paragraph, library: str, logo: bytes | None) -> None:
    if logo:
        paragraph.add_run().add_picture(io.BytesIO(logo), height=Mm(_LOGO_MM))
        if library:
            paragraph.add_run("  ")
    if library:
        paragraph.add_run(library).bold = True


def _start(
    title: str,
    language: str,
    footer: str,
    generated_ms: int,
    library: str = "",
    logo: bytes | None = None,
) -> DocumentObject:
    document = Document()
    _a4(document)
    _set_language(document, language)
    if library or logo:
        section = document.sections[0]
        if logo:
            # Room for the logo above the text: the header from 8 mm, the text from 30 mm.
            section.header_distance, section.top_margin = Mm(8), Mm(30)
        _header(section.header.paragraphs[0], library, logo)
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    w = words(language)
    paragraph.add_run(f"{footer} · {w['page']} ")
    _field(paragraph, "PAGE")
    paragraph.add_run(f" {w['page_of']} ")
    _field(paragraph, "NUMPAGES")
    # The style, not the runs: the page number fields take their size from it too.
    document.styles["Footer"].font.size = Pt(9)
    props = document.core_properties
    props.title = title
    props.author = props.last_modified_by = "Samsyn"
    props.language = _LOCALES.get(language, "sv-SE")
    props.created = props.modified = datetime.fromtimestamp(generated_ms / 1000, UTC)
    return document


def _heading_block(
    document: DocumentObject,
    data: Mapping[str, Any],
    title: str,
    version: str,
    at_ms: int,
    language: str,
) -> None:
    w = words(language)
    document.add_heading(title, level=0)
    if data.get("library"):
        document.add_paragraph(data["library"], style="Subtitle")
    shown = version if version != "current" else w["current"]
    document.add_paragraph(f"{w['version']}: {shown} · {w['date']}: {day(at_ms)}")


def _footer_text(data: Mapping[str, Any], version: str, at_ms: int, language: str) -> str:
    parts = [data.get("library") or "", version_label(version, language), day(at_ms)]
    return " · ".join(p for p in parts if p)


def _prose(document: DocumentObject, heading: str, text: str) -> None:
    if text.strip():
        document.add_heading(heading, level=1)
        for chunk in text.split("\n\n"):
            if chunk.strip():
                document.add_paragraph(chunk.strip())


def _items(
    document: DocumentObject, heading: str, items: list[Mapping[str, str]], style: str
) -> None:
    texts = [i["text"].strip() for i in items if i["text"].strip()]
    if texts:
        document.add_heading(heading, level=1)
        for text in texts:
            document.add_paragraph(text, style=style)


def vision_docx(
    data: Mapping[str, Any],
    *,
    version: str,
    at_ms: int,
    language: str,
    logo: bytes | None = None,
) -> bytes:
    """The målbild document (a named version or the current draft) as .docx bytes."""
    w = words(language)
    title = version_label(version, language)
    footer = _footer_text(data, version, at_ms, language)
    document = _start(title, language, footer, at_ms, data.get("library") or "", logo)
    _heading_block(document, data, title, version, at_ms, language)
    _prose(document, w["purpose"], data.get("purpose", ""))
    _prose(document, w["summary"], data.get("summary", ""))
    document.add_heading(w["statements"], level=1)
    for statement in data.get("statements", []):
        document.add_heading(statement["theme"] or w["untitled_theme"], level=2)
        paragraph = document.add_paragraph(style="Quote")
        if statement["text"]:
            paragraph.add_run(statement["text"])
        else:
            paragraph.add_run(w["no_statement"]).italic = True
        steers = [(w[k], statement["steers"][k]) for k in STEERS if statement["steers"][k]]
        for label, text in steers:
            line = document.add_paragraph(style="List Bullet")
            line.add_run(f"{label}: ").bold = True
            line.add_run(text)
    _items(document, w["waves"], data.get("waves", []), "List Number")
    _prose(document, w["market"], data.get("market", ""))
    _prose(document, w["operating_model"], data.get("operating_model", ""))
    _items(document, w["intents"], data.get("intents", []), "List Bullet")
    _items(document, w["questions"], data.get("questions", []), "List Bullet")
    if data.get("actions"):
        document.add_heading(w["plan"], level=1)
        _actions_table(document, data, language)
    return _bytes(document)


def _actions_table(document: DocumentObject, data: Mapping[str, Any], language: str) -> None:
    w = words(language)
    themes = {s["id"]: s["theme"] or s["text"][:60] for s in data.get("statements", [])}
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    table.autofit = False
    for cell, name in zip(
        table.rows[0].cells, ("action", "owner", "due", "status", "serves"), strict=True
    ):
        cell.text = ""
        cell.paragraphs[0].add_run(w[name]).bold = True
    for action in data.get("actions", []):
        cells = table.add_row().cells
        values = (
            action["title"],
            action["owner"] or w["none"],
            action["due"] or w["none"],
            w[action["status"]],
            themes.get(action["statement"] or "", w["none"]),
        )
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    # The action's text needs the room; the rest are short. 170 mm: A4 less the margins.
    # Word reads the cells' widths, LibreOffice the grid's: set both.
    for column, width in zip(table.columns, _COLUMNS_MM, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, _COLUMNS_MM, strict=True):
            cell.width = Mm(width)


def plan_docx(
    data: Mapping[str, Any],
    *,
    version: str,
    at_ms: int,
    language: str,
    logo: bytes | None = None,
) -> bytes:
    """The plan: every action with owner, date, status and the statement it serves."""
    w = words(language)
    title = w["plan_document"]
    footer = _footer_text(data, version, at_ms, language)
    document = _start(title, language, footer, at_ms, data.get("library") or "", logo)
    _heading_block(document, data, title, version, at_ms, language)
    if data.get("actions"):
        _actions_table(document, data, language)
    else:
        document.add_paragraph(w["no_actions"])
    served = [
        s
        for s in data.get("statements", [])
        if any(a["statement"] == s["id"] for a in data["actions"])
    ]
    if served:
        document.add_heading(w["statements"], level=1)
        for statement in served:
            document.add_heading(statement["theme"] or w["untitled_theme"], level=2)
            document.add_paragraph(statement["text"] or w["no_statement"], style="Quote")
            for action in data["actions"]:
                if action["statement"] == statement["id"]:
                    owner, due = action["owner"] or w["none"], action["due"] or w["none"]
                    line = f"{action['title']} — {owner}, {due}"
                    document.add_paragraph(line, style="List Bullet")
    return _bytes(document)


def _bytes(document: DocumentObject) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
