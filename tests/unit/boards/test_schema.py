"""The content doc layout (schema 1) and the workshop template catalog."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc, Map, Text

from boards import catalog, schema
from boards.catalog import get_template, list_templates
from tests.support import ROOT
from tests.support.tools import require_or_skip


def _fresh() -> Doc[Any]:
    return Doc()


def test_new_id_is_url_safe_and_random() -> None:
    ids = {schema.new_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", i) for i in ids)


def test_init_board_writes_meta_and_template_sections_in_order() -> None:
    doc = _fresh()
    template = get_template("malbild-workshop")
    schema.init_board(
        doc, title="Bibliotek Väst", template=template, language="sv", created_ms=1_700_000_000_000
    )
    meta = schema.meta_map(doc).to_py()
    assert meta == {
        "title": "Bibliotek Väst",
        "schema": 1,
        "template": "malbild-workshop",
        "language": "sv",
        "created": 1_700_000_000_000,
    }
    sections = sorted((schema.sections_map(doc).to_py() or {}).values(), key=lambda s: s["order"])
    assert [s["title"] for s in sections] == [s.title["sv"] for s in template.sections]
    assert [int(s["order"]) for s in sections] == list(range(len(template.sections)))
    assert sections[-1]["title"] == "Målbild 0.5"
    # Laid out in a grid: no two sections overlap.
    boxes = [(s["x"], s["y"], s["x"] + s["w"], s["y"] + s["h"]) for s in sections]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def test_init_board_is_one_transaction() -> None:
    doc = _fresh()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    schema.init_board(
        doc,
        title="T",
        template=get_template("malbild-deepening"),
        language="en",
        created_ms=1,
    )
    assert len(updates) == 1
    titles = {s["title"] for s in (schema.sections_map(doc).to_py() or {}).values()}
    assert "What is missing?" in titles


def test_init_board_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="language"):
        schema.init_board(
            _fresh(), title="T", template=get_template("blank"), language="de", created_ms=1
        )


def test_notes_and_clusters_nest_shared_types_that_survive_sync() -> None:
    doc = _fresh()
    schema.init_board(doc, title="T", template=get_template("blank"), language="sv", created_ms=1)
    cid = schema.add_cluster(doc, title="Läsfrämjande", x=10, y=20, w=300, h=200, color="#fde68a")
    nid = schema.add_note(
        doc, text="Fler språk", x=15, y=25, color="yellow", author="Ada", cluster=cid, created_ms=5
    )
    # A second replica, as a Yjs client would receive it over the wire.
    other = _fresh()
    other.apply_update(doc.get_update())
    note = schema.notes_map(other)[nid]
    cluster = schema.clusters_map(other)[cid]
    assert isinstance(note, Map) and isinstance(cluster, Map)
    assert isinstance(note["text"], Text) and str(note["text"]) == "Fler språk"
    assert isinstance(cluster["title"], Text) and str(cluster["title"]) == "Läsfrämjande"
    assert note["cluster"] == cid and note["section"] is None
    assert note.to_py() == {
        "text": "Fler språk",
        "x": 15,
        "y": 25,
        "color": "yellow",
        "author": "Ada",
        "cluster": cid,
        "section": None,
        "created": 5,
    }


def test_templates_load_blank_first_and_every_file_is_valid() -> None:
    templates = list_templates()
    ids = [t.id for t in templates]
    assert ids[0] == "blank"
    assert {"blank", "malbild-workshop", "malbild-deepening"} <= set(ids)
    assert ids[1:] == sorted(ids[1:])
    for t in templates:
        for language in catalog.LANGUAGES:
            assert t.title[language], (t.id, language)
            for s in t.sections:
                assert s.title[language] and s.prompt[language], (t.id, language)


def test_workshop_template_follows_the_method() -> None:
    t = get_template("malbild-workshop")
    assert t.sections == get_template("malbild-workshop").sections
    sv = " ".join(s.title["sv"] + " " + s.prompt["sv"] for s in t.sections).lower()
    for term in ("omvärld", "intervju", "förändringsvåg", "marknad", "verksamhetsmodell"):
        assert term in sv
    assert t.sections[-1].title == {"sv": "Målbild 0.5", "en": "Target vision 0.5"}
    assert len(get_template("blank").sections) == 0


def test_localized_falls_back_to_swedish() -> None:
    t = get_template("malbild-deepening")
    en = t.localized("en")
    assert en["title"] == "Deepening Target vision 0.5"
    assert en["sections"][0]["title"] == "What does it mean in practice?"
    assert t.localized("fi")["title"] == t.title["sv"]
    json.dumps(en)  # plain data, ready for the API


@pytest.mark.parametrize(
    "bad", ["nope", "../pyproject", "blank.json", "Blank", "", "a/b", "/etc/passwd", "blank\x00"]
)
def test_unknown_or_malformed_template_id_raises_keyerror(bad: str) -> None:
    with pytest.raises(KeyError):
        get_template(bad)


_NODE_READER = """
import * as Y from 'yjs'
import fs from 'fs'
const doc = new Y.Doc()
Y.applyUpdate(doc, fs.readFileSync(process.argv[1]))
const kinds = (map) => Object.fromEntries([...map].map(([k, v]) => [k, v instanceof Y.Text
  ? 'Y.Text' : v instanceof Y.Map ? 'Y.Map' : v === null ? 'null' : typeof v]))
const out = {}
for (const root of ['notes', 'clusters', 'sections']) {
  out[root] = [...doc.getMap(root).values()].map((m) => m instanceof Y.Map ? kinds(m) : 'no map')
}
out.meta = doc.getMap('meta').toJSON()
out.text = [...doc.getMap('notes').values()].map((m) => m.get('text').toString())
console.log(JSON.stringify(out))
"""


def test_a_yjs_client_reads_the_layout_of_design_md(tmp_path: Path) -> None:
    static = ROOT / "static"
    node = shutil.which("node")
    require_or_skip(
        node is not None and (static / "node_modules" / "yjs").is_dir(),
        "node with static/node_modules/yjs",
    )
    assert node is not None
    doc = _fresh()
    schema.init_board(
        doc, title="T", template=get_template("malbild-deepening"), language="sv", created_ms=7
    )
    cid = schema.add_cluster(doc, title="Grupp", x=1, y=2, w=3, h=4, color="#cfe6ff")
    schema.add_note(doc, text="Hej 📚", x=1.5, y=2, color="#fff3a6", author="A", created_ms=8)
    schema.add_note(doc, text="", x=0, y=0, color="", author="", cluster=cid, created_ms=9)
    update = tmp_path / "board.bin"
    update.write_bytes(doc.get_update())
    result = subprocess.run(
        [node, "--input-type=module", "-e", _NODE_READER, str(update)],
        cwd=static,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(result.stdout)
    assert seen["meta"] == {
        "title": "T",
        "schema": 1,
        "template": "malbild-deepening",
        "language": "sv",
        "created": 7,
    }
    note_kinds = {
        "text": "Y.Text",
        "x": "number",
        "y": "number",
        "color": "string",
        "author": "string",
        "created": "number",
    }
    assert {**note_kinds, "cluster": "null", "section": "null"} in seen["notes"]
    assert {**note_kinds, "cluster": "string", "section": "null"} in seen["notes"]
    assert seen["clusters"] == [
        {
            "title": "Y.Text",
            "x": "number",
            "y": "number",
            "w": "number",
            "h": "number",
            "color": "string",
            "section": "null",
            "statement": "Y.Text",
            "proposals": "Y.Map",
        }
    ]
    assert len(seen["sections"]) == 3
    section_kinds = {k: "number" for k in ("x", "y", "w", "h", "order")}
    section_kinds |= {"title": "string", "prompt": "string"}
    assert all(s == section_kinds for s in seen["sections"])
    assert sorted(seen["text"]) == ["", "Hej 📚"]
