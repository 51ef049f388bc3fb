"""The words the exports print, in Swedish and English.

The names of things are the board's own (static/src/i18n/{sv,en}.json): a reader who
was in the room finds "kluster", "lapp" and "kontrollpunkt" where the board showed them.
"""

from __future__ import annotations

from collections.abc import Mapping

LABELS: Mapping[str, Mapping[str, str]] = {
    "sv": {
        "document": "Målbild 0.5",
        "date": "Datum",
        "board_created": "Tavlan skapad",
        "template": "Mall",
        "about": "Om utkastet",
        "purpose": (
            "Det här är Målbild 0.5, det första utkastet till bibliotekets målbild för den"
            " digitala transformationen. Det sammanfattar vad deltagarna kom fram till på"
            " workshopen: klustren som lapparna samlades i, rangordnade efter röster."
            " Utkastet är en utgångspunkt för samtalen med medarbetarna, inte ett färdigt beslut."
        ),
        "purpose_statements": (
            "Under varje kluster står det målbildspåstående som deltagarna formulerade"
            " tillsammans, och lapparna som ledde dit."
        ),
        "summary": "{participants} skrev {notes}, samlade dem i {clusters} och lade {votes}.",
        "participant_one": "1 deltagare",
        "participant_many": "{n} deltagare",
        "note_one": "1 lapp",
        "note_many": "{n} lappar",
        "cluster_one": "1 kluster",
        "cluster_many": "{n} kluster",
        "vote_one": "1 röst",
        "vote_many": "{n} röster",
        "participants": "Deltagare",
        "notes": "Lappar",
        "clusters": "Kluster",
        "votes": "Röster",
        "vision": "Förslag till målbild",
        "vision_intro": (
            "Klustren i rangordning efter antal röster; kluster med lika många röster delar plats."
        ),
        "statement": "Målbildspåstående",
        "from_section": "Från avsnittet",
        "no_clusters": "Inga kluster ännu.",
        "loose": "Lappar utan kluster",
        "loose_intro": "Idéer som inte samlades i något kluster, avsnitt för avsnitt.",
        "other": "Övrigt",
        "untitled": "Kluster utan namn",
        "untitled_section": "Avsnitt utan namn",
        "empty": "(tom lapp)",
        "next_steps": "Nästa steg",
        "checkpoints": "Kontrollpunkter",
        "proposals": "Bilaga: förslag till målbildspåståenden",
        "proposals_intro": (
            "Förslagen som grupperna skrev under formuleringsrundorna, tema för tema;"
            " det som valdes till påståendet är markerat."
        ),
        "proposal_chosen": "valt",
        "proposal_empty": "(tomt förslag)",
        "author": "Författare",
        "section": "Avsnitt",
        "rank": "Plats",
        "cluster": "Kluster",
        "cluster_votes": "Röster på klustret",
        "note": "Lapp",
        "note_votes": "Röster på lappen",
        "page": "Sida",
        "page_of": "av",
        "generated_by": "Skapad med Samsyn",
    },
    "en": {
        "document": "Target vision 0.5",
        "date": "Date",
        "board_created": "Board created",
        "template": "Template",
        "about": "About this draft",
        "purpose": (
            "This is Target vision 0.5, the first draft of the library's target vision for its"
            " digital transformation. It sums up what the participants arrived at in the"
            " workshop: the clusters the notes were gathered into, ranked by votes. The draft"
            " is a starting point for the conversations with the staff, not a final decision."
        ),
        "purpose_statements": (
            "Under each cluster stands the vision statement the participants wrote together,"
            " and the notes that led there."
        ),
        "summary": "{participants} wrote {notes}, gathered them into {clusters} and cast {votes}.",
        "participant_one": "1 participant",
        "participant_many": "{n} participants",
        "note_one": "1 note",
        "note_many": "{n} notes",
        "cluster_one": "1 cluster",
        "cluster_many": "{n} clusters",
        "vote_one": "1 vote",
        "vote_many": "{n} votes",
        "participants": "Participants",
        "notes": "Notes",
        "clusters": "Clusters",
        "votes": "Votes",
        "vision": "Draft target vision",
        "vision_intro": (
            "The clusters ranked by number of votes; clusters with as many votes share a place."
        ),
        "statement": "Vision statement",
        "from_section": "From the section",
        "no_clusters": "No clusters yet.",
        "loose": "Notes outside clusters",
        "loose_intro": "Ideas that were not gathered into any cluster, section by section.",
        "other": "Other",
        "untitled": "Untitled cluster",
        "untitled_section": "Untitled section",
        "empty": "(empty note)",
        "next_steps": "Next steps",
        "checkpoints": "Checkpoints",
        "proposals": "Appendix: proposed vision statements",
        "proposals_intro": (
            "The proposals the groups wrote in the formulera rounds, theme by theme;"
            " the one chosen as the statement is marked."
        ),
        "proposal_chosen": "chosen",
        "proposal_empty": "(empty proposal)",
        "author": "Author",
        "section": "Section",
        "rank": "Rank",
        "cluster": "Cluster",
        "cluster_votes": "Cluster votes",
        "note": "Note",
        "note_votes": "Note votes",
        "page": "Page",
        "page_of": "of",
        "generated_by": "Made with Samsyn",
    },
}

# What comes after the workshop, in the method's order (steps 4-8). A template may give
# its own list (``next_steps`` in its JSON file); these are for every other board.
NEXT_STEPS: Mapping[str, tuple[str, ...]] = {
    "sv": (
        "Dela Målbild 0.5 med medarbetarna och låt dem reflektera över den på"
        " arbetsplatsträffar: vad håller ni med om, vad vill ni lägga till, vad är otydligt?",
        "Fördjupa utkastet tillsammans med medarbetarna: vad betyder varje påstående i"
        " praktiken, vilka förändringsvågor prioriterar vi, hur definierar vi bibliotekets"
        " marknad och hur påverkas verksamhetsmodellen?",
        "Låt externa ledare och nyckelpersoner läsa och kommentera utkastet.",
        "Skriv ett förslag på målbilden och ta fram Målbild 1.0 på en gemensam dag för alla"
        " medarbetare.",
    ),
    "en": (
        "Share Target vision 0.5 with the staff and let them reflect on it at staff meetings:"
        " what do you agree with, what would you add, what is unclear?",
        "Deepen the draft together with the staff: what does each statement mean in practice,"
        " which waves of change do we prioritise, how do we define the library's market and"
        " how is the operating model affected?",
        "Let external leaders and key people read and comment on the draft.",
        "Write a proposal for the target vision and arrive at Target vision 1.0 on a joint day"
        " for all staff.",
    ),
}


def labels(language: str) -> Mapping[str, str]:
    """The labels for ``language``; Swedish for anything else."""
    return LABELS.get(language, LABELS["sv"])


def count_text(n: int, kind: str, language: str) -> str:
    """ "1 röst", "3 röster": ``kind`` is participant, note, cluster or vote."""
    words = labels(language)
    return words[f"{kind}_one"] if n == 1 else words[f"{kind}_many"].format(n=n)
