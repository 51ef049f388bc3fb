"""Målbild 1.0 and a comparison of two versions as print-ready A4 HTML (autoescape on)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

# The 0.5 page's environment: the same templates folder, autoescape, strict undefined.
from boards.export.html import _environment
from boards.export.vision_labels import day, version_label, words
from boards.vision import STEERS


def _data_uri(logo: tuple[str, bytes] | None) -> str:
    """The logo inline (the export's CSP allows only data: images; the page stands alone)."""
    if logo is None:
        return ""
    media_type, data = logo
    return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"


def vision_html(
    data: Mapping[str, Any],
    *,
    version: str,
    at_ms: int,
    language: str,
    logo: tuple[str, bytes] | None = None,
) -> bytes:
    html = (
        _environment()
        .get_template("vision.html.j2")
        .render(
            kind="vision",
            lang=language,
            w=words(language),
            title=version_label(version, language),
            version=version,
            date=day(at_ms),
            data=data,
            steers=STEERS,
            logo=_data_uri(logo),
        )
    )
    return html.encode("utf-8")


def compare_html(
    comparison: Mapping[str, Any], *, library: str, at_ms: int, language: str
) -> bytes:
    """The changes of `services.vision.comparison`, each with the notes that led to it."""
    w = words(language)
    old, new = comparison["from"], comparison["to"]
    label = {"current": w["current"]}
    title = w["compare_document"].format(old=label.get(old, old), new=label.get(new, new))
    html = (
        _environment()
        .get_template("vision.html.j2")
        .render(
            kind="compare",
            lang=language,
            w=w,
            title=title,
            version=new,
            date=day(at_ms),
            data={"library": library},
            changes=comparison["changes"],
            logo="",
        )
    )
    return html.encode("utf-8")
