"""The content doc layout, schema 1: names and write helpers shared by all code.

```
meta      Y.Map  title: str, schema: 1, template: str, language: "sv"|"en", created: epoch ms
sections  Y.Map  <id> -> Y.Map {title: str, prompt: str, x, y, w, h: number, order: int}
clusters  Y.Map  <id> -> Y.Map {title: Y.Text, x, y, w, h: number, color: str, section: str|null,
                                statement: Y.Text,
                                proposals: Y.Map <id> -> Y.Map {text: Y.Text, by: str,
                                    author: str, author_id: str, created: epoch ms},
                                statement_from: proposal id|null}
notes     Y.Map  <id> -> Y.Map {text: Y.Text, x, y: number, color: str, author: str,
                                cluster: str|null, section: str|null, created: epoch ms}
```

``statement`` (the cluster's vision statement, written in the discuss phase) was added
later, additively: boards from before it have no such key, which reads as "".
``proposals`` (the drafts of that statement written in a "formulera" round) and
``statement_from`` (the proposal the facilitator chose) were added the same way.

Yjs numbers are IEEE doubles, so pycrdt reads every number back as ``float``; readers
convert ``order`` and ``created`` back to ``int`` (see ``boards.model``).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from pycrdt import Doc, Map, Text

SCHEMA_VERSION = 1

META = "meta"
SECTIONS = "sections"
CLUSTERS = "clusters"
NOTES = "notes"
# A cluster's vision statement: one sentence of the target vision, written on the board.
STATEMENT = "statement"
# The drafts of the statement written in a formulera round (participants or groups),
# and the proposal whose text the facilitator settled on.
PROPOSALS = "proposals"
STATEMENT_FROM = "statement_from"

LANGUAGES: tuple[str, ...] = ("sv", "en")

# Sections start in a grid big enough for a few dozen notes each; users move them later.
SECTION_W = 1200
SECTION_H = 900
SECTION_GAP = 200
SECTION_COLUMNS = 3
# Notes have no size in the doc; the browser draws them at this size (static/src/model.js).
NOTE_W = 168
NOTE_H = 112
DEFAULT_NOTE_COLOR = "#fff3a6"
DEFAULT_CLUSTER_COLOR = "#cfe6ff"


class SectionLayout(Protocol):
    """What ``init_board`` reads of a template section (``boards.catalog.SectionTemplate``)."""

    def localized(self, language: str) -> dict[str, str]: ...


class TemplateLayout(Protocol):
    """What ``init_board`` reads of a template (``boards.catalog.Template``); a protocol,
    so that this module needs no import of the catalog, which builds on it."""

    @property
    def id(self) -> str: ...

    @property
    def sections(self) -> Sequence[SectionLayout]: ...


def new_id() -> str:
    """A random url-safe id of 12 characters (72 bits: collisions are not a concern).

    Never one that starts with "-": a board id is typed as a command-line argument
    (`samsyn export <id>`), where it would read as an option.
    """
    while True:
        value = secrets.token_urlsafe(9)
        if not value.startswith("-"):
            return value


def now_ms() -> int:
    """The current time in epoch ms, as every timestamp in the docs and the store."""
    return time.time_ns() // 1_000_000


def replay(updates: Iterable[bytes]) -> Doc[Any]:
    """A doc rebuilt from its stored updates (a snapshot first, then the log), in order."""
    doc: Doc[Any] = Doc()
    for update in updates:
        doc.apply_update(update)
    return doc


def root_map(doc: Doc[Any], name: str) -> Map[Any]:
    """The root map ``name`` of a doc (content or session), created if it is missing."""
    root: Map[Any] = doc.get(name, type=Map)
    return root


def meta_map(doc: Doc[Any]) -> Map[Any]:
    return root_map(doc, META)


def sections_map(doc: Doc[Any]) -> Map[Any]:
    return root_map(doc, SECTIONS)


def clusters_map(doc: Doc[Any]) -> Map[Any]:
    return root_map(doc, CLUSTERS)


def notes_map(doc: Doc[Any]) -> Map[Any]:
    return root_map(doc, NOTES)


def section_position(index: int) -> tuple[int, int, int, int]:
    """Where the ``index``-th section of a template starts: (x, y, w, h)."""
    col, row = index % SECTION_COLUMNS, index // SECTION_COLUMNS
    return (
        col * (SECTION_W + SECTION_GAP),
        row * (SECTION_H + SECTION_GAP),
        SECTION_W,
        SECTION_H,
    )


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")


def write_meta(doc: Doc[Any], *, title: str, template: str, language: str, created_ms: int) -> None:
    """Write the ``meta`` map (schema version included)."""
    _check_language(language)
    meta = meta_map(doc)
    with doc.transaction():
        meta["title"] = title
        meta["schema"] = SCHEMA_VERSION
        meta["template"] = template
        meta["language"] = language
        meta["created"] = created_ms


def add_section(
    doc: Doc[Any],
    *,
    title: str,
    prompt: str,
    x: float,
    y: float,
    w: float,
    h: float,
    order: int,
    section_id: str | None = None,
) -> str:
    """Add a section and return its id."""
    sid = section_id or new_id()
    sections_map(doc)[sid] = Map(
        {"title": title, "prompt": prompt, "x": x, "y": y, "w": w, "h": h, "order": order}
    )
    return sid


def init_board(
    doc: Doc[Any], *, title: str, template: TemplateLayout, language: str, created_ms: int
) -> None:
    """Write meta and lay out the template's sections in a grid, in one transaction."""
    _check_language(language)
    with doc.transaction():
        write_meta(doc, title=title, template=template.id, language=language, created_ms=created_ms)
        for order, section in enumerate(template.sections):
            texts = section.localized(language)
            x, y, w, h = section_position(order)
            sid = add_section(
                doc, title=texts["title"], prompt=texts["prompt"], x=x, y=y, w=w, h=h, order=order
            )
            if texts.get("plan"):
                sections_map(doc)[sid]["plan"] = texts["plan"]


def add_note(
    doc: Doc[Any],
    *,
    text: str,
    x: float,
    y: float,
    color: str,
    author: str,
    created_ms: int,
    section: str | None = None,
    cluster: str | None = None,
    note_id: str | None = None,
) -> str:
    """Add a note and return its id. Its text is a Y.Text so people can edit it together."""
    nid = note_id or new_id()
    notes_map(doc)[nid] = Map(
        {
            "text": Text(text),
            "x": x,
            "y": y,
            "color": color,
            "author": author,
            "cluster": cluster,
            "section": section,
            "created": created_ms,
        }
    )
    return nid


def clusters_without_statement(doc: Doc[Any]) -> list[str]:
    """Ids of clusters from before the statement, whose ``statement`` is no Y.Text yet."""
    return [
        cid
        for cid, cluster in clusters_map(doc).items()
        if isinstance(cluster, Map) and not isinstance(cluster.get(STATEMENT), Text)
    ]


def give_statements(doc: Doc[Any], ids: Iterable[str]) -> None:
    """Give each of these clusters an empty statement text (a string one keeps its words).

    A client that finds no text creates one as it opens the field, and two who open it
    at once make two: one wins and the other's typing is lost. Made once by one writer
    (the server, loading the board), every browser shares the same text, as on new boards.
    """
    clusters = clusters_map(doc)
    for cid in ids:
        cluster = clusters.get(cid)
        if isinstance(cluster, Map) and not isinstance(cluster.get(STATEMENT), Text):
            old = cluster.get(STATEMENT)
            cluster[STATEMENT] = Text(old if isinstance(old, str) else "")


def clusters_without_proposals(doc: Doc[Any], ids: Iterable[str] | None = None) -> list[str]:
    """Ids of clusters (of `ids`, or all) that have no ``proposals`` map yet."""
    clusters = clusters_map(doc)
    wanted = list(clusters.keys()) if ids is None else list(ids)
    return [
        cid
        for cid in wanted
        if isinstance(cluster := clusters.get(cid), Map)
        and not isinstance(cluster.get(PROPOSALS), Map)
    ]


def give_proposals(doc: Doc[Any], ids: Iterable[str]) -> None:
    """Give each of these clusters an empty proposals map, made by one writer (the
    server) for the same reason as `give_statements`: two browsers making it at once
    would each make one, and one side's proposals would vanish."""
    clusters = clusters_map(doc)
    for cid in ids:
        cluster = clusters.get(cid)
        if isinstance(cluster, Map) and not isinstance(cluster.get(PROPOSALS), Map):
            cluster[PROPOSALS] = Map()


def add_cluster(
    doc: Doc[Any],
    *,
    title: str,
    x: float,
    y: float,
    w: float,
    h: float,
    color: str,
    section: str | None = None,
    cluster_id: str | None = None,
    statement: str = "",
    proposals: Mapping[str, Mapping[str, Any]] | None = None,
    statement_from: str | None = None,
) -> str:
    """Add a cluster and return its id. Title and statement are Y.Text, edited together;
    `proposals` (id -> text, by, author, created) are the statement's drafts."""
    cid = cluster_id or new_id()
    clusters_map(doc)[cid] = Map(
        {
            "title": Text(title),
            "x": x,
            "y": y,
            "w": w,
            "h": h,
            "color": color,
            "section": section,
            STATEMENT: Text(statement),
            PROPOSALS: Map(
                {
                    pid: Map(
                        {
                            "text": Text(str(p.get("text", ""))),
                            "by": str(p.get("by", "")),
                            "author": str(p.get("author", "")),
                            "created": p.get("created", 0),
                        }
                    )
                    for pid, p in (proposals or {}).items()
                }
            ),
        }
    )
    if statement_from is not None:
        clusters_map(doc)[cid][STATEMENT_FROM] = statement_from
    return cid
