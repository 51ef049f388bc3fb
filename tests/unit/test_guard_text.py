"""Taking back what an update inserted into a text: by UTF-8 byte runs, as pycrdt counts."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Text

from server.services.guard import _remove_additions


def test_inserted_swedish_words_are_removed_whole() -> None:
    doc: Doc[Any] = Doc()
    text = doc.get("t", type=Text)
    text += "Läscirklar"
    events: list[Any] = []
    text.observe(lambda event: events.append(event))
    with doc.transaction():
        text.insert(len(text), " är dåliga")
        text.insert(len("Läs".encode()), "ö")
    _remove_additions(events[0])
    assert str(text) == "Läscirklar"
