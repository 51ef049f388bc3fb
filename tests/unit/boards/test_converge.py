"""boards.converge: a live doc turned into a checkpoint's content by one update."""

from __future__ import annotations

from typing import Any

import pytest
from pycrdt import Doc, Map, Text, XmlFragment, XmlText

from boards import schema
from boards.converge import converge, replace_text, restoring_update


def _copy(doc: Doc[Any]) -> Doc[Any]:
    other: Doc[Any] = Doc()
    other.apply_update(doc.get_update())
    return other


def _content(doc: Doc[Any]) -> dict[str, Any]:
    return {name: schema.root_map(doc, name).to_py() for name in ("meta", "notes", "clusters")}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("åäö 😀 hej", "åäö 😀 då hej ö"),
        ("Läscirklar 📚 för alla", "📚"),
        ("", "Ny idé"),
        ("Öppet hus", ""),
        ("ääää", "äää"),
    ],
)
def test_replace_text_edits_by_characters_not_bytes(old: str, new: str) -> None:
    doc: Doc[Any] = Doc()
    text = doc.get("t", type=Text)
    text += old
    replace_text(text, new)
    assert str(text) == new


def test_converge_makes_the_live_doc_equal_and_peers_follow() -> None:
    live: Doc[Any] = Doc()
    schema.write_meta(live, title="Dag 1", template="blank", language="sv", created_ms=1)
    cid = schema.add_cluster(live, title="Mötesplatser", x=0, y=0, w=400, h=300, color="#fff")
    kept = schema.add_note(
        live, text="Språkcafé", x=1, y=2, color="#ff0", author="Anna", created_ms=1, cluster=cid
    )
    lost = schema.add_note(
        live, text="Öppet hus", x=3, y=4, color="#ff0", author="Bo", created_ms=2
    )
    checkpoint = _copy(live)
    peer = _copy(live)
    with live.transaction():
        del schema.notes_map(live)[lost]
        del schema.clusters_map(live)[cid]
        schema.notes_map(live)[kept]["text"] += " PWNED"
        schema.notes_map(live)[kept]["x"] = 500.0
        schema.meta_map(live)["title"] = "PWNED"
        schema.meta_map(live)["schema"] = 2
        schema.add_note(live, text="Efteråt", x=0, y=0, color="#ff0", author="C", created_ms=3)
    peer.apply_update(live.get_update(peer.get_state()))
    seen_by_peer = peer.get_state()

    with live.transaction():
        result = converge(live, checkpoint)

    assert {name: vars(t) for name, t in result.roots.items()} == {
        "notes": {"restored": 1, "removed": 1, "changed": 1},
        "clusters": {"restored": 1, "removed": 0, "changed": 0},
        "sections": {"restored": 0, "removed": 0, "changed": 0},
    }
    assert result.meta_changed is True
    wanted = _content(checkpoint)
    # The schema version stays as it is on the live board; the rest is the checkpoint's.
    wanted["meta"]["schema"] = 2.0
    # The restored cluster is a map again, with its statement as a text.
    assert _content(live) == wanted
    assert isinstance(schema.clusters_map(live)[cid]["statement"], Text)
    # A peer that had the broken board gets the restore as one update on top of it.
    peer.apply_update(live.get_update(seen_by_peer))
    assert _content(peer) == wanted
    assert isinstance(schema.notes_map(peer)[kept], Map)


def test_converge_changes_nothing_when_the_board_is_the_checkpoint() -> None:
    live: Doc[Any] = Doc()
    schema.write_meta(live, title="Dag 1", template="blank", language="en", created_ms=1)
    schema.add_note(live, text="Idea", x=1, y=2, color="#ff0", author="Anna", created_ms=1)
    before = live.get_state()
    with live.transaction():
        result = converge(live, _copy(live))
    assert not result.meta_changed
    assert all(
        vars(t) == {"restored": 0, "removed": 0, "changed": 0} for t in result.roots.values()
    )
    assert live.get_state() == before


def test_restoring_update_is_one_update_and_copes_with_odd_checkpoints() -> None:
    # A checkpoint whose note holds an XML fragment (any Yjs client can write one; no
    # field of the schema does): a map cannot take it as it is, so its text is restored.
    odd: Doc[Any] = Doc()
    schema.notes_map(odd)["n1"] = Map({"text": XmlFragment([XmlText("Läscirklar")]), "x": 1.0})
    live: Doc[Any] = Doc()
    schema.add_note(live, text="Efteråt", x=0, y=0, color="#ff0", author="C", created_ms=3)
    untouched = live.get_state()
    update, result = restoring_update(live.get_update(), odd.get_update())
    # Worked out on a copy: the live doc is unchanged until the update is applied.
    assert live.get_state() == untouched
    assert (result.roots["notes"].restored, result.roots["notes"].removed) == (1, 1)
    live.apply_update(update)
    assert schema.notes_map(live).to_py() == {"n1": {"text": "Läscirklar", "x": 1.0}}
