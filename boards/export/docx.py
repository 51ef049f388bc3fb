"""Målbild 0.5 as a Word document: librarians continue their plans in Word.

Real built-in styles (Title, Heading 1-3, List Bullet) so the navigation pane, the table
of contents and screen readers work; every user text goes in as a plain run.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, tzinfo

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from boards.export.outline import DEFAULT_TZ, Outline, build_outline, votes_text
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
        if note.author and not out.anonymous:
            paragraph.add_run(" — ")
            paragraph.add_run(note.author).italic = True
        if note.votes:
            paragraph.add_run(f" ({votes_text(note.votes, out.language)})")


def _cluster_heading(cluster: Cluster, out: Outline, prefix: str = "") -> str:
    title = " ".join(cluster.title.split()) or out.labels["untitled"]
    return f"{prefix}{title} ({votes_text(cluster.votes, out.language)})"


def to_docx(board: Board, *, generated_ms: int | None = None, tz: tzinfo = DEFAULT_TZ) -> bytes:
    """The Målbild 0.5 document as .docx bytes."""
    generated = now_ms() if generated_ms is None else generated_ms
    out = build_outline(board, generated_ms=generated, tz=tz)
    words = out.labels
    document = Document()
    _a4(document)
    _set_language(document, out.language)
    props = document.core_properties
    props.title = out.title
    props.author = props.last_modified_by = "Samsyn"
    props.language = _LOCALES.get(out.language, "sv-SE")
    props.created = props.modified = datetime.fromtimestamp(generated / 1000, UTC)
    props.revision = 1

    document.add_heading(out.title, level=0)
    facts = [f"{words['date']}: {out.date}"]
    if out.created:
        facts.append(f"{words['board_created']}: {out.created}")
    if out.template:
        facts.append(f"{words['template']}: {out.template}")
    document.add_paragraph(" · ".join(facts))
    document.add_paragraph(" · ".join(f"{label}: {n}" for label, n in out.counts))
    if out.anonymous:
        document.add_paragraph().add_run(words["anonymous"]).italic = True

    document.add_heading(words["vision"], level=1)
    if out.vision:
        document.add_paragraph(words["vision_intro"])
        for rank, cluster in enumerate(out.vision, start=1):
            document.add_heading(_cluster_heading(cluster, out, f"{rank}. "), level=2)
            _notes(document, cluster.notes, out)
    else:
        document.add_paragraph(words["no_clusters"])

    document.add_heading(words["sections"], level=1)
    for group in out.groups:
        if group.title:
            document.add_heading(" ".join(group.title.split()), level=2)
        if group.prompt:
            document.add_paragraph().add_run(group.prompt).italic = True
        for cluster in group.clusters:
            document.add_heading(_cluster_heading(cluster, out), level=3)
            _notes(document, cluster.notes, out)
        if group.notes:
            document.add_heading(words["unclustered"], level=3)
            _notes(document, group.notes, out)

    document.add_heading(words["checkpoints"], level=1)
    if out.checkpoints:
        for name, when in out.checkpoints:
            document.add_paragraph(f"{name} — {when}", style="List Bullet")
    else:
        document.add_paragraph(words["no_checkpoints"])

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
