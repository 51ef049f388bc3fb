"""The plan as CSV: one row per action, semicolons for Swedish Excel, UTF-8 with a BOM."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from boards.export.csv import BOM, DELIMITERS, neutralise
from boards.export.vision_labels import words


def plan_csv(data: Mapping[str, Any], *, language: str) -> bytes:
    w = words(language)
    statements = {s["id"]: s for s in data.get("statements", [])}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITERS.get(language, ";"), lineterminator="\r\n")
    writer.writerow([w[k] for k in ("action", "owner", "due", "status", "theme", "serves")])
    for action in data.get("actions", []):
        statement = statements.get(action["statement"] or "")
        writer.writerow(
            [
                neutralise(action["title"]),
                neutralise(action["owner"]),
                action["due"],
                w[action["status"]],
                neutralise(statement["theme"]) if statement else "",
                neutralise(statement["text"]) if statement else "",
            ]
        )
    return (BOM + buffer.getvalue()).encode("utf-8")
