"""Målbild 0.5 as Markdown (CommonMark): every user text escaped, so it reads as typed."""

from __future__ import annotations

import re
from datetime import tzinfo

from boards.export.outline import DEFAULT_TZ, Outline, build_outline, votes_text
from boards.model import Board, Cluster, Note

# Punctuation that starts or ends Markdown syntax anywhere in a line. CommonMark lets any
# ASCII punctuation be backslash-escaped, so escaping is always safe, only noisier.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+\-!|~&=])")
# "1." or "1)" at the start of a line would become an ordered list.
_ORDERED = re.compile(r"^(\s*\d+)([.)])")


def escape(text: str) -> str:
    """Escape one line of user text for inline Markdown."""
    return _ORDERED.sub(r"\1\\\2", _SPECIAL.sub(r"\\\1", text))


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
    if note.author and not out.anonymous:
        extras.append(f"*{_inline(note.author)}*")
    if note.votes:
        extras.append(votes_text(note.votes, out.language))
    suffix = f" — {', '.join(extras)}" if extras else ""
    return f"{indent}- {body}{suffix}"


def _cluster_name(cluster: Cluster, out: Outline) -> str:
    return _inline(cluster.title) or out.labels["untitled"]


def to_markdown(board: Board, *, generated_ms: int | None = None, tz: tzinfo = DEFAULT_TZ) -> str:
    """The Målbild 0.5 document as Markdown text."""
    out = build_outline(board, generated_ms=generated_ms, tz=tz)
    words = out.labels
    lines = [f"# {_inline(out.title)}", ""]
    facts = [f"{words['date']}: {out.date}"]
    if out.created:
        facts.append(f"{words['board_created']}: {out.created}")
    if out.template:
        facts.append(f"{words['template']}: {_inline(out.template)}")
    lines += [" · ".join(facts), ""]
    lines += [f"- {label}: {n}" for label, n in out.counts] + [""]
    if out.anonymous:
        lines += [f"*{words['anonymous']}*", ""]

    lines += [f"## {words['vision']}", ""]
    if out.vision:
        lines += [words["vision_intro"], ""]
        for rank, cluster in enumerate(out.vision, start=1):
            votes = votes_text(cluster.votes, out.language)
            lines.append(f"{rank}. **{_cluster_name(cluster, out)}** — {votes}")
            lines += [_note(n, out, indent="   ") for n in cluster.notes]
        lines.append("")
    else:
        lines += [words["no_clusters"], ""]

    lines += [f"## {words['sections']}", ""]
    for group in out.groups:
        if group.title:
            lines += [f"### {_inline(group.title)}", ""]
        if group.prompt:
            lines += [f"*{_inline(group.prompt)}*", ""]
        for cluster in group.clusters:
            votes = votes_text(cluster.votes, out.language)
            lines += [f"#### {_cluster_name(cluster, out)} ({votes})", ""]
            if cluster.notes:
                lines += [_note(n, out) for n in cluster.notes] + [""]
        if group.notes:
            lines += [f"#### {words['unclustered']}", ""]
            lines += [_note(n, out) for n in group.notes] + [""]

    lines += [f"## {words['checkpoints']}", ""]
    if out.checkpoints:
        lines += [f"- {_inline(name)} — {when}" for name, when in out.checkpoints]
    else:
        lines.append(words["no_checkpoints"])
    lines.append("")
    return "\n".join(lines)
