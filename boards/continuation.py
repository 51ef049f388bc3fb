"""The next board in the journey: a deepening board for the staff, or a plain copy.

Step 5 of the method deepens Målbild 0.5 with the staff. The deepening board turns each
cluster of the draft, in rank order, into a section (the cluster's title is the heading,
its notes the prompt material), followed by the ``malbild-deepening`` template's own
questions. Both writers fill an empty content doc; the server stores it as a new board.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from boards import schema
from boards.catalog import get_template
from boards.export.json import apply_json, to_json
from boards.export.labels import labels
from boards.model import Board, Cluster

DEEPENING_TEMPLATE = "malbild-deepening"
MODES: tuple[str, ...] = ("deepening", "copy")
# A section prompt is read on the board; a huge cluster is cut with a count of the rest.
MAX_PROMPT_CHARS = 4000
BULLET = "• "

_SUFFIX = {
    "sv": {"deepening": "fördjupning", "copy": "kopia"},
    "en": {"deepening": "deepening", "copy": "copy"},
}
_MORE = {"sv": "… och {n} till", "en": "… and {n} more"}


def default_title(board: Board, mode: str) -> str:
    """ "<title> — fördjupning" or "<title> — kopia" (English on an English board)."""
    words = _SUFFIX.get(board.language, _SUFFIX["sv"])
    return f"{board.title} — {words[mode]}" if board.title else words[mode].capitalize()


def prompt_material(cluster: Cluster, language: str) -> str:
    """The cluster's notes, ranked, one bullet each, within ``MAX_PROMPT_CHARS``."""
    lines: list[str] = []
    used = 0
    for i, note in enumerate(cluster.notes):
        text = " ".join(note.text.split())
        if not text:
            continue
        line = BULLET + text
        if used + len(line) + 1 > MAX_PROMPT_CHARS:
            more = _MORE.get(language, _MORE["sv"]).format(n=len(cluster.notes) - i)
            lines.append(more)
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def write_deepening(doc: Doc[Any], source: Board, *, title: str, created_ms: int) -> None:
    """Lay out the deepening board of ``source`` in the empty ``doc``, in one transaction."""
    if not source.clusters:
        raise ValueError("deepening: expected a board with at least one cluster, got none")
    template = get_template(DEEPENING_TEMPLATE)
    language = source.language
    untitled = labels(language)["untitled"]
    sections = [
        (cluster.title.strip() or untitled, prompt_material(cluster, language))
        for cluster in source.clusters
    ]
    for section in template.sections:
        texts = section.localized(language)
        sections.append((texts["title"], texts["prompt"]))
    with doc.transaction():
        schema.write_meta(
            doc, title=title, template=template.id, language=language, created_ms=created_ms
        )
        for order, (heading, prompt) in enumerate(sections):
            x, y, w, h = schema.section_position(order)
            schema.add_section(doc, title=heading, prompt=prompt, x=x, y=y, w=w, h=h, order=order)


def write_copy(doc: Doc[Any], source: Board, *, title: str, created_ms: int) -> None:
    """Copy the content of ``source`` (sections, clusters, notes) into the empty ``doc``.

    Votes, participants and checkpoints stay with the source: the copy starts a new
    session. Authors are copied unless ``source`` was built anonymously (then they are
    already blank), so an anonymous board never names anyone in its copy.
    """
    data = to_json(source, generated_ms=created_ms)
    data["meta"] = {**data["meta"], "title": title, "created": created_ms}
    data["tallies"] = {}
    data["checkpoints"] = []
    apply_json(doc, data)
