"""A typed, read-only view of a board, built from its content doc or from a JSON export.

Everything here is plain frozen data in a deterministic order, so the exporters only
format it. Values written by clients are untrusted: wrong types fall back to defaults,
dangling references (a note in a deleted cluster) are treated as absent, and characters
that are illegal in XML are dropped so every export format can carry every text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pycrdt import Doc

from boards import schema

# C0 controls except tab and newline, plus the XML non-characters: Word and SVG refuse
# them, so a note containing one would otherwise break those exports.
_ILLEGAL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class CheckpointInfo:
    """A named checkpoint of the board, as the store lists it."""

    id: str
    name: str
    at: int  # epoch ms


@dataclass(frozen=True)
class Note:
    id: str
    text: str
    author: str  # "" when the board is exported anonymously
    cluster: str | None
    section: str | None
    x: float
    y: float
    color: str
    votes: int
    created: int  # epoch ms
    # Where a rolled-up note came from: the staff board's id and its group's name.
    source_board: str = ""
    source_group: str = ""


@dataclass(frozen=True)
class Proposal:
    """A draft of a theme's statement from a formulera round (kept as its provenance)."""

    id: str
    text: str
    by: str  # whom it was written for: a group's name or its author's; "" when anonymous
    author: str  # who wrote it; "" when the board is exported anonymously
    created: int  # epoch ms


@dataclass(frozen=True)
class Cluster:
    """A cluster and its notes (ranked). ``votes`` counts votes on it and on its notes."""

    id: str
    title: str
    section: str | None
    x: float
    y: float
    w: float
    h: float
    color: str
    notes: tuple[Note, ...]
    votes: int
    statement: str = ""  # the vision statement written for it; "" on older boards
    # The drafts of that statement from formulera rounds (oldest first), and the one
    # the facilitator chose (None: written directly, or on older boards).
    proposals: tuple[Proposal, ...] = ()
    statement_from: str | None = None
    # Shared by ties (1, 1, 3), as the board's results list ranks; None without votes.
    rank: int | None = None


@dataclass(frozen=True)
class Section:
    """A template section with its clusters (ranked) and its unclustered notes."""

    id: str
    title: str
    prompt: str
    x: float
    y: float
    w: float
    h: float
    order: int
    clusters: tuple[Cluster, ...]
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class Board:
    """The whole board. ``clusters`` is the draft vision: every cluster, ranked by votes."""

    title: str
    language: str
    template: str
    created: int
    anonymous: bool
    sections: tuple[Section, ...]  # in template order
    clusters: tuple[Cluster, ...]  # ranked: votes desc, then title
    notes: tuple[Note, ...]  # every note, in id order
    other_clusters: tuple[Cluster, ...]  # clusters outside any section, ranked
    other_notes: tuple[Note, ...]  # notes in no cluster and no section, ranked
    participants: int
    votes: int
    tallies: Mapping[str, int]  # raw tallies of existing clusters and notes
    checkpoints: tuple[CheckpointInfo, ...]

    @property
    def unclustered(self) -> tuple[Note, ...]:
        """Notes in no cluster, in any section or none: the ideas not yet grouped."""
        return tuple(n for n in self.notes if n.cluster is None)


def clean_text(value: object) -> str:
    """Text as a str without XML-illegal characters; non-text becomes ""."""
    return _ILLEGAL.sub("", value) if isinstance(value, str) else ""


def _opt_id(value: object, known: Mapping[str, object]) -> str | None:
    return value if isinstance(value, str) and value in known else None


def _num(value: object, default: float = 0) -> float:
    """A finite number, as int when integral so JSON output stays tidy (Yjs stores doubles)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return int(value) if float(value).is_integer() else float(value)


def _int(value: object, default: int = 0) -> int:
    number = _num(value, default)
    return int(number) if abs(number) < 2**63 else default


# Swedish alphabetical order puts å, ä, ö after z, and æ, ø with ä, ö; other accents
# (é, ü) sort as their base letter. Code point order would give "Ö" before "a".
_SWEDISH_LAST = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})


def title_key(title: str) -> str:
    """A case-insensitive sort key for titles in Swedish alphabetical order."""
    text = unicodedata.normalize("NFC", title.casefold()).translate(_SWEDISH_LAST)
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _rank_notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(sorted(notes, key=lambda n: (-n.votes, n.created, title_key(n.text), n.id)))


def _rank_clusters(clusters: Iterable[Cluster]) -> tuple[Cluster, ...]:
    """Clusters by votes, ties alphabetically; ranks as the board's results list gives them.

    Standard competition ranking (1, 1, 3) over clusters with votes, the rule of
    ``rankTargets`` in static/src/votes.js, so the document and the screen agree.
    """
    ordered = sorted(clusters, key=lambda c: (-c.votes, title_key(c.title), c.title, c.id))
    ranked: list[Cluster] = []
    for index, cluster in enumerate(ordered):
        if cluster.votes <= 0:
            rank = None
        elif index and ordered[index - 1].votes == cluster.votes:
            rank = ranked[-1].rank
        else:
            rank = index + 1
        ranked.append(replace(cluster, rank=rank))
    return tuple(ranked)


def _source(raw: object) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {
        "source_board": clean_text(raw.get("board")),
        "source_group": clean_text(raw.get("group")),
    }


def _entries(raw: object) -> list[tuple[str, dict[str, Any]]]:
    """The (id, fields) pairs of a root map, skipping anything a client wrote that is no map."""
    if not isinstance(raw, dict):
        return []
    return sorted((k, v) for k, v in raw.items() if isinstance(k, str) and isinstance(v, dict))


def _proposals(raw: object, anonymous: bool) -> tuple[Proposal, ...]:
    found = [
        Proposal(
            id=pid,
            text=clean_text(f.get("text")).strip(),
            by="" if anonymous else clean_text(f.get("by")).strip(),
            author="" if anonymous else clean_text(f.get("author")),
            created=_int(f.get("created")),
        )
        for pid, f in _entries(raw)
    ]
    return tuple(sorted(found, key=lambda p: (p.created, p.id)))


def board_from_data(
    content: Mapping[str, Any],
    *,
    tallies: Mapping[str, int] | None = None,
    anonymous: bool = False,
    participants: int = 0,
    checkpoints: Sequence[CheckpointInfo] = (),
) -> Board:
    """Build a Board from the content doc as plain data (``{root: doc.get(root).to_py()}``)."""
    tallies = tallies or {}
    meta = content.get(schema.META)
    meta = meta if isinstance(meta, dict) else {}

    raw_sections = dict(_entries(content.get(schema.SECTIONS)))
    raw_clusters = dict(_entries(content.get(schema.CLUSTERS)))
    raw_notes = _entries(content.get(schema.NOTES))

    def votes_of(target: str) -> int:
        return max(0, _int(tallies.get(target, 0)))

    notes = tuple(
        Note(
            id=nid,
            text=clean_text(f.get("text")),
            author="" if anonymous else clean_text(f.get("author")),
            cluster=_opt_id(f.get("cluster"), raw_clusters),
            section=_opt_id(f.get("section"), raw_sections),
            x=_num(f.get("x")),
            y=_num(f.get("y")),
            color=clean_text(f.get("color")) or schema.DEFAULT_NOTE_COLOR,
            votes=votes_of(nid),
            created=_int(f.get("created")),
            **_source(f.get("source")),
        )
        for nid, f in raw_notes
    )
    by_cluster: dict[str, list[Note]] = {}
    for note in notes:
        if note.cluster is not None:
            by_cluster.setdefault(note.cluster, []).append(note)

    clusters = _rank_clusters(
        Cluster(
            id=cid,
            title=clean_text(f.get("title")),
            section=_opt_id(f.get("section"), raw_sections),
            x=_num(f.get("x")),
            y=_num(f.get("y")),
            w=_num(f.get("w")),
            h=_num(f.get("h")),
            color=clean_text(f.get("color")) or schema.DEFAULT_CLUSTER_COLOR,
            notes=_rank_notes(by_cluster.get(cid, ())),
            votes=votes_of(cid) + sum(n.votes for n in by_cluster.get(cid, ())),
            statement=clean_text(f.get(schema.STATEMENT)).strip(),
            proposals=_proposals(f.get(schema.PROPOSALS), anonymous),
            statement_from=_opt_id(
                f.get(schema.STATEMENT_FROM), dict(_entries(f.get(schema.PROPOSALS)))
            ),
        )
        for cid, f in sorted(raw_clusters.items())
    )
    loose = [n for n in notes if n.cluster is None]

    sections = tuple(
        sorted(
            (
                Section(
                    id=sid,
                    title=clean_text(f.get("title")),
                    prompt=clean_text(f.get("prompt")),
                    x=_num(f.get("x")),
                    y=_num(f.get("y")),
                    w=_num(f.get("w")),
                    h=_num(f.get("h")),
                    order=_int(f.get("order")),
                    clusters=tuple(c for c in clusters if c.section == sid),
                    notes=_rank_notes(n for n in loose if n.section == sid),
                )
                for sid, f in raw_sections.items()
            ),
            key=lambda s: (s.order, s.title, s.id),
        )
    )
    known = {n.id for n in notes} | {c.id for c in clusters}
    kept_tallies = {k: votes_of(k) for k in sorted(tallies) if k in known and votes_of(k) > 0}
    authors = {n.author for n in notes if n.author}
    return Board(
        title=clean_text(meta.get("title")),
        language=meta["language"] if meta.get("language") in schema.LANGUAGES else "sv",
        template=clean_text(meta.get("template")),
        created=_int(meta.get("created")),
        anonymous=anonymous,
        sections=sections,
        clusters=clusters,
        notes=notes,
        other_clusters=tuple(c for c in clusters if c.section is None),
        other_notes=_rank_notes(n for n in loose if n.section is None),
        # Every author took part even if the caller could not count them (e.g. an import).
        participants=max(participants, len(authors)),
        votes=sum(kept_tallies.values()),
        tallies=kept_tallies,
        checkpoints=tuple(sorted(checkpoints, key=lambda c: (c.at, c.name, c.id))),
    )


def doc_content(doc: Doc[Any]) -> dict[str, Any]:
    """The four roots of a content doc as plain data (Y.Text becomes str)."""
    return {
        schema.META: schema.meta_map(doc).to_py() or {},
        schema.SECTIONS: schema.sections_map(doc).to_py() or {},
        schema.CLUSTERS: schema.clusters_map(doc).to_py() or {},
        schema.NOTES: schema.notes_map(doc).to_py() or {},
    }


def board_from_doc(
    doc: Doc[Any],
    *,
    tallies: Mapping[str, int] | None = None,
    anonymous: bool = False,
    participants: int = 0,
    checkpoints: Sequence[CheckpointInfo] = (),
) -> Board:
    """Build a Board from a live content doc. Call it on the thread that owns the doc."""
    return board_from_data(
        doc_content(doc),
        tallies=tallies,
        anonymous=anonymous,
        participants=participants,
        checkpoints=checkpoints,
    )
