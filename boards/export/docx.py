"""Målbild 0.5 as a Word document: librarians continue their plans in Word.

Real built-in styles (Title, Heading 1-3, List Bullet) so the navigation pane, the table
of contents and screen readers work; every user text goes in as a plain run.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, tzinfo

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph

from boards.export.outline import (
    DEFAULT_TZ,
    Outline,
    build_outline,
    cluster_name,
    note_author,
    rank_prefix,
    votes_text,
)
from boards.model import Board, Cluster, Note
from boards.schema import now_ms

_LOCALES = {"sv": "sv-SE", "en": "en-GB"}


def _set_language(document: DocumentObject, language: str) -> None:
    # Spelling and hyphenation follow w:lang; python-docx has no API for it.
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), _LOCALES.get(language, "sv-SE"))
    rpr.append(lang)


def _a4(document: DocumentObject) -> None:
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)


def _notes(document: DocumentObject, notes: tuple[Note, ...], out: Outline) -> None:
    for note in notes:
        paragraph = document.add_paragraph(style="List Bullet")
        text = note.text.strip()
        if text:
            paragraph.add_run(text)
        else:
            paragraph.add_run(out.labels["empty"]).italic = True
        author = note_author(note, out)
        if author:
            paragraph.add_run(" — ")
            paragraph.add_run(author).italic = True
        if note.votes:
            paragraph.add_run(f" ({votes_text(note.votes, out.language)})")


def _cluster_heading(cluster: Cluster, out: Outline) -> str:
    name = cluster_name(cluster, out.labels)
    return f"{rank_prefix(cluster)}{name} ({votes_text(cluster.votes, out.language)})"


def _statement(document: DocumentObject, cluster: Cluster, out: Outline) -> None:
    if cluster.statement:
        paragraph = document.add_paragraph(style="Quote")
        paragraph.add_run(f"{out.labels['statement']}: ").bold = True
        paragraph.add_run(cluster.statement)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when they lay out."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"  # what a reader that does not update fields shows
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, shown, end):
        run._r.append(element)


def _footer(document: DocumentObject, out: Outline) -> None:
    """ "Målbild 0.5 · Sida 2 av 5" at the foot of every page."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{out.labels['document']} · {out.labels['page']} ")
    _field(paragraph, "PAGE")
    paragraph.add_run(f" {out.labels['page_of']} ")
    _field(paragraph, "NUMPAGES")


def to_docx(
    board: Board,
    *,
    generated_ms: int | None = None,
    tz: tzinfo = DEFAULT_TZ,
    authors: bool = False,
) -> bytes:
    """The Målbild 0.5 document as .docx bytes; ``authors`` names who wrote each note."""
    generated = now_ms() if generated_ms is None else generated_ms
    out = build_outline(board, generated_ms=generated, tz=tz, authors=authors)
    words = out.labels
    document = Document()
    _a4(document)
    _set_language(document, out.language)
    _footer(document, out)
    props = document.core_properties
    props.title = out.title
    props.author = props.last_modified_by = "Samsyn"
    props.language = _LOCALES.get(out.language, "sv-SE")
    props.created = props.modified = datetime.fromtimestamp(generated / 1000, UTC)
    props.revision = 1

    document.add_heading(out.title, level=0)
    if out.subtitle:
        document.add_paragraph(out.subtitle, style="Subtitle")
    facts = [f"{words['date']}: {out.date}"]
    if out.created:
        facts.append(f"{words['board_created']}: {out.created}")
    if out.template:
        facts.append(f"{words['template']}: {out.template}")
    document.add_paragraph(" · ".join(facts))

    document.add_heading(words["about"], level=1)
    document.add_paragraph(out.purpose)
    document.add_paragraph(out.summary)

    document.add_heading(words["vision"], level=1)
    if out.vision:
        document.add_paragraph(words["vision_intro"])
        for cluster in out.vision:
            document.add_heading(_cluster_heading(cluster, out), level=2)
            _statement(document, cluster, out)
            section = out.section_titles.get(cluster.section or "")
            if section:
                line = f"{words['from_section']}: {section}"
                document.add_paragraph().add_run(line).italic = True
            _notes(document, cluster.notes, out)
    else:
        document.add_paragraph(words["no_clusters"])

    if out.loose:
        document.add_heading(words["loose"], level=1)
        document.add_paragraph(words["loose_intro"])
        for group in out.loose:
            if group.title:
                document.add_heading(group.title, level=2)
            _notes(document, group.notes, out)

    document.add_heading(words["next_steps"], level=1)
    for step in out.next_steps:
        document.add_paragraph(step, style="List Number")

    if out.checkpoints:
        document.add_heading(words["checkpoints"], level=1)
        for name, when in out.checkpoints:
            document.add_paragraph(f"{name} — {when}", style="List Bullet")

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
