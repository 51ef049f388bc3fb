"""Workshop templates, loaded from the JSON data files in ``boards/templates/``.

A new template is added by dropping a file ``<id>.json`` there; nothing else changes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from boards.schema import LANGUAGES

DEFAULT_LANGUAGE = "sv"
# What a template section's `plan` may say: nothing, or the status its cards have.
PLAN_STATUSES = ("", "planned", "ongoing", "done")
BLANK_ID = "blank"

__all__ = ["BLANK_ID", "LANGUAGES", "SectionTemplate", "Template", "get_template", "list_templates"]

_TEMPLATE_DIR = Path(__file__).parent / "templates"
# Ids become file names: only this alphabet, so ".." or "/" can never reach the disk.
_ID_RE = re.compile(r"[a-z0-9-]+")


def _pick(texts: Mapping[str, str], language: str) -> str:
    """The text in ``language``, else Swedish, else any: a template may lack a translation."""
    for lang in (language, DEFAULT_LANGUAGE, *texts):
        if lang in texts:
            return texts[lang]
    return ""


@dataclass(frozen=True)
class SectionTemplate:
    """One section of a workshop template: a question the room works on."""

    title: Mapping[str, str]
    prompt: Mapping[str, str]
    # A status section of the plan board (planned, ongoing, done; services/plan_board.py).
    plan: str = ""

    def localized(self, language: str) -> dict[str, str]:
        texts = {"title": _pick(self.title, language), "prompt": _pick(self.prompt, language)}
        if self.plan:
            texts["plan"] = self.plan
        return texts


@dataclass(frozen=True)
class Template:
    """A workshop template: localized title and description, and its sections in order."""

    id: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    sections: tuple[SectionTemplate, ...]

    def localized(self, language: str) -> dict[str, Any]:
        """Plain data in one language, for pages and the API."""
        return {
            "id": self.id,
            "title": _pick(self.title, language),
            "description": _pick(self.description, language),
            "sections": [s.localized(language) for s in self.sections],
        }


def _texts(value: object, where: str, *, required: bool = True) -> dict[str, str]:
    """A language -> text object; a bare string counts as Swedish."""
    if value is None and not required:
        return {}
    if isinstance(value, str):
        return {DEFAULT_LANGUAGE: value}
    if not isinstance(value, dict) or (required and not value):
        raise ValueError(f"{where}: expected an object of language -> text, got {value!r}")
    out: dict[str, str] = {}
    for lang, text in value.items():
        if not isinstance(lang, str) or not isinstance(text, str):
            raise ValueError(f"{where}: expected text for language {lang!r}, got {text!r}")
        out[lang] = text
    return out


def _parse(template_id: str, data: object) -> Template:
    where = f"template {template_id!r}"
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a JSON object, got {type(data).__name__}")
    raw_sections = data.get("sections", [])
    if not isinstance(raw_sections, list):
        raise ValueError(f"{where}: expected 'sections' to be a list, got {raw_sections!r}")
    sections: list[SectionTemplate] = []
    for i, raw in enumerate(raw_sections):
        if not isinstance(raw, dict):
            raise ValueError(f"{where} section {i}: expected an object, got {raw!r}")
        plan = raw.get("plan", "")
        if plan not in PLAN_STATUSES:
            raise ValueError(f"{where} section {i} plan: expected one of {PLAN_STATUSES}")
        sections.append(
            SectionTemplate(
                title=_texts(raw.get("title"), f"{where} section {i} title"),
                prompt=_texts(raw.get("prompt"), f"{where} section {i} prompt", required=False),
                plan=plan,
            )
        )
    return Template(
        id=template_id,
        title=_texts(data.get("title"), f"{where} title"),
        description=_texts(data.get("description"), f"{where} description", required=False),
        sections=tuple(sections),
    )


@cache
def _load(template_id: str) -> Template:
    path = _TEMPLATE_DIR / f"{template_id}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyError(template_id) from None
    return _parse(template_id, json.loads(text))


def get_template(template_id: str) -> Template:
    """The template with this id; ``KeyError`` if there is none (or the id is malformed)."""
    if not isinstance(template_id, str) or not _ID_RE.fullmatch(template_id):
        raise KeyError(template_id)
    return _load(template_id)


def list_templates() -> list[Template]:
    """All templates, ``blank`` first, then by id."""
    ids = sorted(
        p.stem for p in _TEMPLATE_DIR.glob("*.json") if _ID_RE.fullmatch(p.stem) is not None
    )
    ids.sort(key=lambda i: i != BLANK_ID)
    return [get_template(i) for i in ids]
