"""Målbild 0.5 as Markdown (CommonMark): every user text escaped, so it reads as typed."""

from __future__ import annotations

import re
from datetime import tzinfo

from boards.export.outline import (
    DEFAULT_TZ,
    Outline,
    build_outline,
    cluster_name,
    note_author,
    rank_prefix,
    votes_text,
)
from boards.model import Board, Note

# Punctuation that starts or ends Markdown syntax anywhere in a line. CommonMark lets any
# ASCII punctuation be backslash-escaped, so escaping is always safe, only noisier.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#!|~&])")
# "-", "+" and "=" mean something only at the start of a line (a list item, a setext
# underline); escaped everywhere they made "e\-tjänster" out of every hyphenated word.
_LINE_START = re.compile(r"^(\s*)([-+=])")
# "1." or "1)" at the start of a line would become an ordered list.
_ORDERED = re.compile(r"^(\s*\d+)([.)])")


def escape(text: str) -> str:
    """Escape one line of user text for inline Markdown."""
    text = _LINE_START.sub(r"\1\\\2", _SPECIAL.sub(r"\\\1", text))
    return _ORDERED.sub(r"\1\\\2", text)


def _inline(text: str) -> str:
    """User text for a heading or a single line: newlines folded into spaces."""
    return escape(" ".join(text.split()))


def _block(text: str, indent: str) -> str:
    """Multi-line user text inside a list item: hard line breaks, continuation indented."""
    lines = [escape(line.strip()) for line in text.strip().splitlines() if line.strip()]
    return ("\\\n" + indent).join(lines)


def _note(note: Note, out: Outline, indent: str = "") -> str:
    body = _block(note.text, indent + "  ") or f"*{out.labels['empty']}*"
    extras = []
    author = note_author(note, out)
    if author:
        extras.append(f"*{_inline(author)}*")
    if note.votes:
        extras.append(votes_text(note.votes, out.language))
    suffix = f" — {', '.join(extras)}" if extras else ""
    return f"{indent}- {body}{suffix}"


def to_markdown(
    board: Board,
    *,
    generated_ms: int | None = None,
    tz: tzinfo = DEFAULT_TZ,
    authors: bool = False,
) -> str:
    """The Målbild 0.5 document as Markdown text; ``authors`` names who wrote each note."""
    out = build_outline(board, generated_ms=generated_ms, tz=tz, authors=authors)
    words = out.labels
    lines = [f"# {_inline(out.title)}", ""]
    if out.subtitle:
        lines += [f"*{_inline(out.subtitle)}*", ""]
    facts = [f"{words['date']}: {out.date}"]
    if out.created:
        facts.append(f"{words['board_created']}: {out.created}")
    if out.template:
        facts.append(f"{words['template']}: {_inline(out.template)}")
    lines += [" · ".join(facts), ""]

    lines += [f"## {words['about']}", "", out.purpose, "", out.summary, ""]

    lines += [f"## {words['vision']}", ""]
    if out.vision:
        lines += [words["vision_intro"], ""]
        for cluster in out.vision:
            votes = votes_text(cluster.votes, out.language)
            name = _inline(cluster_name(cluster, words))
            lines += [f"### {rank_prefix(cluster)}{name} ({votes})", ""]
            if cluster.statement:
                lines += [f"> **{words['statement']}:** {_inline(cluster.statement)}", ""]
            section = out.section_titles.get(cluster.section or "")
            if section:
                lines += [f"*{words['from_section']}: {_inline(section)}*", ""]
            if cluster.notes:
                lines += [_note(n, out) for n in cluster.notes] + [""]
    else:
        lines += [words["no_clusters"], ""]

    if out.loose:
        lines += [f"## {words['loose']}", "", words["loose_intro"], ""]
        for group in out.loose:
            if group.title:
                lines += [f"### {_inline(group.title)}", ""]
            lines += [_note(n, out) for n in group.notes] + [""]

    lines += [f"## {words['next_steps']}", ""]
    lines += [f"{i}. {step}" for i, step in enumerate(out.next_steps, start=1)] + [""]

    if out.checkpoints:
        lines += [f"## {words['checkpoints']}", ""]
        lines += [f"- {_inline(name)} — {when}" for name, when in out.checkpoints] + [""]

    drafted = [c for c in out.vision if c.proposals]
    if drafted:
        lines += [f"## {words['proposals']}", "", words["proposals_intro"], ""]
        for cluster in drafted:
            lines += [f"### {_inline(cluster_name(cluster, words))}", ""]
            for p in cluster.proposals:
                text = _inline(p.text) if p.text else f"*{words['proposal_empty']}*"
                by = f" — {_inline(p.by)}" if p.by else ""
                chosen = (
                    f" **({words['proposal_chosen']})**" if p.id == cluster.statement_from else ""
                )
                lines.append(f"- {text}{by}{chosen}")
            lines.append("")
    return "\n".join(lines)
