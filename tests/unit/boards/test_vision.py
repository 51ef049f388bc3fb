"""The målbild document: its shape, the comparison of two versions, the JSON round trip."""

from __future__ import annotations

import re
from typing import Any

import pytest

from boards.vision import (
    VisionError,
    compare,
    describe,
    export_json,
    import_json,
    normalize,
)


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return normalize({"statements": list(statements)})


def _s(sid: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"id": sid, "theme": sid.upper(), "text": text, **extra}


def test_normalize_fills_defaults_and_refuses_wrong_shapes() -> None:
    data = normalize({"statements": [{"text": "Biblioteket är öppet"}]})
    statement = data["statements"][0]
    assert statement["id"] and statement["sources"] == [] and statement["merged_from"] == []
    assert statement["steers"] == {"communication": "", "governance": "", "decisions": ""}
    assert data["waves"] == [] and data["actions"] == []
    for bad, where in (
        ({"purpose": 3}, "purpose"),
        ({"actions": [{"title": "x", "due": "imorgon"}]}, "actions[0].due"),
        ({"actions": [{"title": "x", "status": "kanske"}]}, "actions[0].status"),
        ({"statements": [_s("a", "x"), _s("a", "y")]}, "used twice"),
    ):
        with pytest.raises(VisionError, match=re.escape(where)):
            normalize(bad)


def test_compare_names_exactly_what_changed_and_the_new_notes() -> None:
    old = _doc(
        _s("a", "Biblioteket är en mötesplats", sources=[{"board_id": "B1", "note_ids": ["n1"]}]),
        _s("b", "Biblioteket hjälper digitalt"),
        _s("c", "Biblioteket väcker läslust"),
        _s("d", "Biblioteket delar data"),
        _s("e", "Oförändrat påstående"),
    )
    new = _doc(
        _s(
            "a",
            "Biblioteket är en mötesplats för alla",
            sources=[
                {"board_id": "B1", "note_ids": ["n1"]},
                {"board_id": "B2", "note_ids": ["n7"]},
            ],
        ),
        _s("m", "Biblioteket stärker läsning och digital delaktighet", merged_from=["b", "c"]),
        _s("e", "Oförändrat   påstående"),  # spacing only: not a change
        _s("n", "Biblioteket är en plats för lärande"),
    )
    changes = {c.statement: c for c in compare(old, new)}
    assert {sid: c.kind for sid, c in changes.items()} == {
        "a": "reworded",
        "m": "merged",
        "n": "added",
        "d": "dropped",
    }
    # Only the notes that came in since the older version explain the change.
    assert changes["a"].sources == (("B2", ("n7",)),)
    assert changes["m"].before == ("Biblioteket hjälper digitalt", "Biblioteket väcker läslust")
    assert describe(changes["m"], "sv") == (
        "Sammanslaget: ”Biblioteket hjälper digitalt” och ”Biblioteket väcker läslust”"
        " blev ”Biblioteket stärker läsning och digital delaktighet”"
    )
    assert describe(changes["d"], "en") == "Dropped: “Biblioteket delar data”"
    assert compare(new, new) == []


def test_json_export_imports_back_losslessly() -> None:
    data = normalize(
        {
            "library": "Stadsbiblioteket",
            "statements": [_s("a", "Biblioteket är öppet")],
            "actions": [{"title": "Öppna", "owner": "Eva", "due": "2027-01-01"}],
            "waves": [{"text": "Mobilen först"}],
        }
    )
    versions = [{"name": "0.5", "at": 1, "vision": data}]
    exported = export_json(data, versions, board_id="B1", generated_ms=2)
    back, back_versions = import_json(exported)
    assert back == data
    assert back_versions == versions
    with pytest.raises(VisionError, match="målbild export"):
        import_json({"samsyn": "board"})
