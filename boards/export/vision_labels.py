"""The words of the målbild documents (Word, print HTML, CSV), in Swedish and English."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

_WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "document": "Målbild {version}",
        "plan_document": "Plan för den digitala transformationen",
        "compare_document": "Målbild {old} jämförd med {new}",
        "current": "utkast",
        "date": "Datum",
        "version": "Version",
        "page": "Sida",
        "page_of": "av",
        "purpose": "Syfte",
        "summary": "Målbilden i korthet",
        "statements": "Målbildspåståenden per tema",
        "theme": "Tema",
        "untitled_theme": "Tema utan namn",
        "no_statement": "(inget påstående skrivet ännu)",
        "waves": "Prioriterade förändringsvågor",
        "market": "Bibliotekets marknad",
        "operating_model": "Verksamhetsmodell",
        "intents": "Avsiktsförklaringar",
        "questions": "Öppna frågor",
        "steers": "Så styr påståendet",
        "communication": "Kommunikation",
        "governance": "Styrning",
        "decisions": "Beslut",
        "plan": "Planen",
        "action": "Åtgärd",
        "owner": "Ansvarig",
        "due": "Datum",
        "status": "Status",
        "serves": "Påstående",
        "planned": "Planerad",
        "ongoing": "Pågår",
        "done": "Klar",
        "no_actions": "Inga åtgärder ännu.",
        "no_changes": "Inga påståenden har ändrats.",
        "why": "Varför",
        "from_board": "Från {board}",
        "missing_note": "(lappen finns inte längre)",
        "none": "—",
        "kind_added": "Nytt",
        "kind_reworded": "Omformulerat",
        "kind_merged": "Sammanslaget",
        "kind_dropped": "Struket",
    },
    "en": {
        "document": "Vision {version}",
        "plan_document": "Plan for the digital transformation",
        "compare_document": "Vision {old} compared with {new}",
        "current": "draft",
        "date": "Date",
        "version": "Version",
        "page": "Page",
        "page_of": "of",
        "purpose": "Purpose",
        "summary": "The vision in brief",
        "statements": "Vision statements by theme",
        "theme": "Theme",
        "untitled_theme": "Untitled theme",
        "no_statement": "(no statement written yet)",
        "waves": "Prioritised waves of change",
        "market": "The library's market",
        "operating_model": "Operating model",
        "intents": "Declarations of intent",
        "questions": "Open questions",
        "steers": "How the statement steers",
        "communication": "Communication",
        "governance": "Governance",
        "decisions": "Decisions",
        "plan": "The plan",
        "action": "Action",
        "owner": "Owner",
        "due": "Date",
        "status": "Status",
        "serves": "Statement",
        "planned": "Planned",
        "ongoing": "Ongoing",
        "done": "Done",
        "no_actions": "No actions yet.",
        "no_changes": "No statement has changed.",
        "why": "Why",
        "from_board": "From {board}",
        "missing_note": "(the note is gone)",
        "none": "—",
        "kind_added": "New",
        "kind_reworded": "Reworded",
        "kind_merged": "Merged",
        "kind_dropped": "Dropped",
    },
}


def words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["sv"])


def version_label(version: str, language: str) -> str:
    """ "Målbild 1.0", or "Målbild (utkast)" for the live document."""
    w = words(language)
    return w["document"].format(version=version if version != "current" else f"({w['current']})")


def day(at_ms: int, tz: tzinfo = UTC) -> str:
    return datetime.fromtimestamp(at_ms / 1000, tz).strftime("%Y-%m-%d")
