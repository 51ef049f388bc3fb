"""A realistic Swedish Målbild 0.5 board, as a JSON export, and its rendered first page.

    .venv/bin/python scripts/malbild_demo.py            # writes docs/malbild-demo.json
    .venv/bin/python scripts/malbild_demo.py --render   # also docs/malbild-0.5-page1.png

The board is what a two-day exploratory workshop of a mid-sized municipal library ends
with: 8 clusters, 70 notes, votes and two checkpoints. `--render` goes the way a user
would: `samsyn import` into a temporary database, `samsyn export --format docx`, then
LibreOffice (PDF) and poppler's `pdftoppm` (PNG); it needs both installed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from pycrdt import Doc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from boards import schema  # noqa: E402
from boards.catalog import get_template  # noqa: E402
from boards.export.json import to_json  # noqa: E402
from boards.model import CheckpointInfo, board_from_doc  # noqa: E402

CREATED = 1_773_043_200_000  # 2026-03-09 09:00 CET, day one of the workshop
TITLE = "Stadsbiblioteket Norrköping, dag 1–2"
PEOPLE = [
    "Anna Lindqvist",
    "Björn Sandberg",
    "Cecilia Holm",
    "David Eriksson",
    "Elin Karlsson",
    "Farah Haddad",
    "Gustav Berg",
    "Hanna Nyström",
    "Ismail Yusuf",
    "Johanna Åkesson",
    "Karin Ström",
    "Lars Öberg",
]
# (section index, cluster title, votes, notes)
# Vision statements the room wrote in the discuss phase (not every cluster has one yet).
STATEMENTS: dict[str, str] = {
    "Biblioteket som demokratins vardagsrum": (
        "Biblioteket är stadens öppna vardagsrum, där alla kan mötas, samtala "
        "och bilda sig en egen uppfattning."
    ),
    "Digital delaktighet för alla": (
        "Biblioteket ser till att ingen i Norrköping lämnas utanför det digitala samhället."
    ),
    "Läsning och berättande hela livet": (
        "Biblioteket väcker läslust i alla åldrar och på många språk."
    ),
}

CLUSTERS: list[tuple[int, str, int, list[str]]] = [
    (
        5,
        "Biblioteket som demokratins vardagsrum",
        14,
        [
            "En självklar mötesplats för alla, oavsett bakgrund",
            "Debattkvällar om lokala frågor tillsammans med kommunen",
            "Neutral plats där man kan vara utan att konsumera",
            "Samtalsgrupper på lätt svenska",
            "Föreningar kan boka rum gratis",
            "Unga ska känna att biblioteket är deras",
            "Valkvällar och källkritik inför valet",
            "Utställningar från lokala konstnärer",
        ],
    ),
    (
        2,
        "Digital delaktighet för alla",
        12,
        [
            "Hjälp med BankID, 1177 och Skatteverket",
            "Digitala drop-in-tider varje vecka",
            "Låna surfplatta och mobilt bredband hem",
            "Seniorer lär seniorer",
            "Kurser i AI-verktyg för vardagen",
            "Samarbete med Medborgarkontoret",
            "Tillgängliga datorer med skärmläsare",
            "Ingen ska behöva skämmas för att fråga",
            "Digitalt först – men aldrig digitalt enbart",
        ],
    ),
    (
        1,
        "Läsning och berättande hela livet",
        11,
        [
            "Läsfrämjande tillsammans med förskolan",
            "Bokcirklar för unga vuxna",
            "Sagostunder på flera språk",
            "Ljudböcker och lättläst för nya läsare",
            "Skrivarverkstäder för tonåringar",
            "Läsombud för äldreboenden",
            "Sommarboken i hela kommunen",
            "Författarbesök i skolorna",
        ],
    ),
    (
        4,
        "Öppet när invånarna behöver oss",
        9,
        [
            "Meröppet kvällar och helger",
            "Bemannat där det gör mest nytta",
            "Självservice för lån och återlämning",
            "Tryggt och välkomnande även utan personal",
            "Längre öppettider på filialerna",
            "Mätbar nöjdhet med öppettiderna",
            "Boka studieplatser i appen",
        ],
    ),
    (
        0,
        "Omvärldsbevakning som vana",
        7,
        [
            "Gemensam omvärldsspaning varje termin",
            "Följ forskning om läsning och digitalisering",
            "Lär av andra bibliotek i Norden",
            "Dela rapporter och statistik med alla medarbetare",
            "Trendkort som stöd i planeringen",
            "Samla invånarnas röster systematiskt",
            "Använd SCB- och KB-statistik i beslut",
            "Spana på vad unga gör på nätet",
        ],
    ),
    (
        3,
        "Tydligt uppdrag och egen profil",
        6,
        [
            "Vi är kommunens kunskapsnav",
            "Definiera vilka vi inte är till för",
            "Bibliotekets marknad är hela kommunen, inte bara låntagarna",
            "Kommunicera värdet till politiken",
            "Stark varumärkesprofil i sociala medier",
            "Partnerskap med studieförbunden",
            "Företagare som en ny målgrupp",
        ],
    ),
    (
        4,
        "Medarbetare som växer",
        5,
        [
            "Kompetensutveckling i digital vägledning",
            "Tid att pröva nya idéer",
            "Fler yrkesroller: pedagoger, tekniker, kommunikatörer",
            "Arbetsplatsträffar där målbilden diskuteras",
            "Mentorskap mellan erfarna och nya",
            "Delat ledarskap i projekt",
            "Mod att sluta göra saker",
        ],
    ),
    (
        1,
        "Barn och unga först",
        4,
        [
            "Egen ingång och yta för tonåringar",
            "Gaming och makerspace efter skolan",
            "Unga rådgivare i biblioteksrådet",
            "Läxhjälp med volontärer",
            "Sommarlovsaktiviteter utan kostnad",
            "Samarbete med fritidsgårdarna",
        ],
    ),
]
LOOSE: list[tuple[int, str]] = [
    (0, "Hur påverkar AI informationssökning om fem år?"),
    (1, "Intervjuerna visar att många inte vet vad vi erbjuder"),
    (2, "Klimatomställning – vilken roll har biblioteket?"),
    (3, "Vad kostar ett besök? Jämför med andra verksamheter"),
    (5, "Målbilden ska gå att förklara på en minut"),
    (5, "Våga prioritera bort"),
]


def build_doc() -> tuple[Doc[Any], dict[str, int]]:
    """The board's content doc and its vote tallies."""
    doc: Doc[Any] = Doc()
    template = get_template("malbild-workshop")
    schema.init_board(doc, title=TITLE, template=template, language="sv", created_ms=CREATED)
    sections = schema.sections_map(doc).to_py() or {}
    by_order = [sid for sid, s in sorted(sections.items(), key=lambda kv: kv[1]["order"])]
    placed: dict[str, int] = {}
    tallies: dict[str, int] = {}
    serial = 0
    for index, (section, title, votes, notes) in enumerate(CLUSTERS):
        sx, sy, _, _ = schema.section_position(section)
        slot = placed.get(by_order[section], 0)
        placed[by_order[section]] = slot + 1
        cid = schema.add_cluster(
            doc,
            title=title,
            statement=STATEMENTS.get(title, ""),
            x=sx + 40 + slot * 580,
            y=sy + 140,
            w=540,
            h=700,
            color=["#cfe6ff", "#cdf0d2", "#ffd1e3", "#ffd8a8"][index % 4],
            section=by_order[section],
            cluster_id=f"k{index + 1}",
        )
        tallies[cid] = votes
        for n, text in enumerate(notes):
            serial += 1
            nid = schema.add_note(
                doc,
                text=text,
                x=sx + 56 + slot * 580 + (n % 3) * 172,
                y=sy + 200 + (n // 3) * 120,
                color=schema.DEFAULT_NOTE_COLOR,
                author=PEOPLE[serial % len(PEOPLE)],
                created_ms=CREATED + serial * 61_000,
                cluster=cid,
                note_id=f"n{serial:02}",
            )
            if n == 0:
                tallies[nid] = 2  # the room also dotted the sharpest formulation
    for n, (section, text) in enumerate(LOOSE):
        serial += 1
        sx, sy, _, _ = schema.section_position(section)
        schema.add_note(
            doc,
            text=text,
            x=sx + 60 + n * 40,
            y=sy + 760,
            color="#ffe3b3",
            author=PEOPLE[serial % len(PEOPLE)],
            created_ms=CREATED + serial * 61_000,
            section=by_order[section],
            note_id=f"n{serial:02}",
        )
    return doc, tallies


def demo_export() -> dict[str, Any]:
    """The board as a ``samsyn-board`` JSON export."""
    doc, tallies = build_doc()
    board = board_from_doc(
        doc,
        tallies=tallies,
        participants=len(PEOPLE) + 2,
        checkpoints=[
            CheckpointInfo("cp1", "Dag 1: efter klustringen", CREATED + 7 * 3_600_000),
            CheckpointInfo("cp2", "Dag 2: efter röstningen", CREATED + 31 * 3_600_000),
        ],
    )
    return to_json(board, generated_ms=CREATED + 32 * 3_600_000)


def _run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def render_first_page(export: Path, png: Path) -> None:
    """Import, export docx, convert with LibreOffice, rasterize page 1 at 80 dpi."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    pdftoppm = shutil.which("pdftoppm")
    if office is None or pdftoppm is None:
        raise SystemExit("--render needs libreoffice and pdftoppm (poppler-utils)")
    samsyn = str(Path(sys.executable).parent / "samsyn")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = str(tmp / "demo.db")
        out = _run([samsyn, "import", str(export), "--db", db], tmp)
        match = re.search(r"^board:\s+(\S+)", out, re.M)
        assert match is not None, out
        docx = tmp / "malbild.docx"
        _run(
            [samsyn, "export", match.group(1), "--format", "docx", "-o", str(docx), "--db", db], tmp
        )
        profile = f"-env:UserInstallation=file://{tmp}/lo-profile"
        _run(
            [office, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(docx)],
            tmp,
        )
        _run(
            [
                pdftoppm,
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(tmp / "malbild.pdf"),
                str(tmp / "page"),
            ],
            tmp,
        )
        png.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp / "page.png", png)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="also render the docx page 1")
    args = parser.parse_args()
    export = ROOT / "docs" / "malbild-demo.json"
    export.parent.mkdir(exist_ok=True)
    data = demo_export()
    export.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {export}: {data['counts']}")
    if args.render:
        png = ROOT / "docs" / "malbild-0.5-page1.png"
        render_first_page(export, png)
        print(f"wrote {png}")


if __name__ == "__main__":
    main()
