"""A realistic Swedish Målbild 1.0 with its plan, and the rendered first page of each.

    .venv/bin/python scripts/vision_demo.py --render   # docs/malbild-1.0-page1.png,
                                                       # docs/plan-page1.png
    .venv/bin/python scripts/vision_demo.py --render --logo docs/demo-logo.png
                                                       # docs/malbild-1.0-logo-page1.png

The document is what a mid-sized municipal library has after its joint day: five
statements with how they steer, waves of change, declarations of intent and a plan.
`--render` writes the Word files with the same writers the server uses, then LibreOffice
(PDF) and poppler's `pdftoppm` (PNG); it needs both installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from boards.export.vision_docx import plan_docx, vision_docx  # noqa: E402
from boards.vision import normalize  # noqa: E402

AT = 1_789_120_800_000  # 2026-09-11, the joint day


def _statement(sid: str, theme: str, text: str, **steers: str) -> dict[str, Any]:
    return {"id": sid, "theme": theme, "text": text, "steers": steers}


def demo() -> dict[str, Any]:
    return normalize(
        {
            "library": "Stadsbiblioteket Norrköping",
            "purpose": (
                "Målbilden ger biblioteket en gemensam riktning för den digitala "
                "transformationen fram till 2030. Den är skriven av medarbetarna tillsammans, "
                "i workshoppar, på arbetsplatsträffar och på den gemensamma dagen."
            ),
            "summary": (
                "Biblioteket är en öppen mötesplats, fysiskt och digitalt, där alla kan läsa, "
                "lära och delta i samhället. Vi utgår från invånarnas behov och arbetar "
                "tillsammans med kommunens övriga verksamheter."
            ),
            "statements": [
                _statement(
                    "s1",
                    "Mötesplats för alla",
                    "Biblioteket är en mötesplats för alla, även för dem som inte läser.",
                    communication="Vi berättar om biblioteket som plats, inte bara om böcker.",
                    governance="Lokalernas användning följs upp varje kvartal.",
                    decisions="Öppettider beslutas utifrån besöksmönster.",
                ),
                _statement(
                    "s2",
                    "Digital delaktighet",
                    "Biblioteket hjälper alla invånare att delta i det digitala samhället.",
                    communication="Digital hjälp marknadsförs tillsammans med kontaktcenter.",
                    decisions="Minst två drop-in-tider i veckan på varje filial.",
                ),
                _statement(
                    "s3",
                    "Läsfrämjande",
                    "Biblioteket väcker läslust hos barn och unga, i skolan och på fritiden.",
                    governance="Samverkansavtal med skolförvaltningen.",
                ),
                _statement(
                    "s4",
                    "Livslångt lärande",
                    "Biblioteket är en plats för livslångt lärande.",
                    communication="Kurskalendern samlas på ett ställe.",
                ),
            ],
            "waves": [
                {"text": "Digitala tjänster som fungerar på mobilen"},
                {"text": "Samverkan med skola och vuxenutbildning"},
                {"text": "Data om besök och lån som underlag för beslut"},
            ],
            "market": "Alla som bor, arbetar och studerar i kommunen, med särskilt fokus på "
            "dem som står längst från det digitala samhället.",
            "operating_model": "Filialerna arbetar som ett bibliotek med gemensamma team för "
            "digitala tjänster, programverksamhet och läsfrämjande.",
            "intents": [
                {"text": "Vi prövar nytt i liten skala och delar det som fungerar."},
                {"text": "Vi fattar beslut nära invånarna."},
            ],
            "questions": [{"text": "Hur mäter vi digital delaktighet?"}],
            "actions": [
                {
                    "title": "Öppna entrén som mötesplats med kafé",
                    "owner": "Anna Lindqvist",
                    "due": "2027-01-31",
                    "status": "ongoing",
                    "statement": "s1",
                },
                {
                    "title": "Drop-in för digital hjälp på alla filialer",
                    "owner": "Björn Sandberg",
                    "due": "2026-11-01",
                    "status": "planned",
                    "statement": "s2",
                },
                {
                    "title": "Läsambassadörer i årskurs 4–6",
                    "owner": "Cecilia Holm",
                    "due": "2027-06-15",
                    "status": "planned",
                    "statement": "s3",
                },
                {
                    "title": "Gemensam kurskalender på webben",
                    "owner": "David Eriksson",
                    "due": "2026-10-15",
                    "status": "done",
                    "statement": "s4",
                },
            ],
        }
    )


def _first_page(docx: bytes, png: Path) -> None:
    office = shutil.which("libreoffice") or shutil.which("soffice")
    pdftoppm = shutil.which("pdftoppm")
    if office is None or pdftoppm is None:
        raise SystemExit("--render needs libreoffice and pdftoppm (poppler-utils)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        source = tmp / "doc.docx"
        source.write_bytes(docx)
        env_home = f"-env:UserInstallation=file://{tmp}/lo"
        subprocess.run(
            [
                office,
                env_home,
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(tmp / "doc.pdf"),
                str(png.with_suffix("")),
            ],
            check=True,
            timeout=60,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true", help="write the PNGs into docs/")
    parser.add_argument("--logo", type=Path, help="a PNG or JPEG for the header (one PNG then)")
    args = parser.parse_args()
    data = demo()
    logo = args.logo.read_bytes() if args.logo else None
    vision = vision_docx(data, version="1.0", at_ms=AT, language="sv", logo=logo)
    plan = plan_docx(data, version="1.0", at_ms=AT, language="sv")
    if args.render and logo:
        _first_page(vision, ROOT / "docs" / "malbild-1.0-logo-page1.png")
    elif args.render:
        _first_page(vision, ROOT / "docs" / "malbild-1.0-page1.png")
        _first_page(plan, ROOT / "docs" / "plan-page1.png")
    else:
        print(f"{len(vision)} bytes of Målbild 1.0, {len(plan)} bytes of plan; --render for PNGs")


if __name__ == "__main__":
    main()
