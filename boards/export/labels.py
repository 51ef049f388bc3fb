"""The words the exports print, in Swedish and English."""

from __future__ import annotations

from collections.abc import Mapping

LABELS: Mapping[str, Mapping[str, str]] = {
    "sv": {
        "document": "Målbild 0.5",
        "date": "Datum",
        "board_created": "Tavlan skapad",
        "template": "Mall",
        "participants": "Deltagare",
        "notes": "Lappar",
        "clusters": "Grupper",
        "votes": "Röster",
        "vision": "Utkast till målbild",
        "vision_intro": "Grupperna rangordnade efter antal röster.",
        "sections": "Avsnitt för avsnitt",
        "other": "Övriga idéer",
        "unclustered": "Idéer utanför grupper",
        "untitled": "(utan rubrik)",
        "empty": "(tom lapp)",
        "no_clusters": "Inga grupper ännu.",
        "checkpoints": "Sparade lägen",
        "no_checkpoints": "Inga sparade lägen.",
        "anonymous": "Lapparna visas utan författare.",
        "author": "Författare",
        "section": "Avsnitt",
        "cluster": "Grupp",
        "cluster_votes": "Röster på gruppen",
        "note": "Lapp",
        "note_votes": "Röster på lappen",
        "vote_one": "röst",
        "vote_many": "röster",
        "generated_by": "Skapad med Samsyn",
    },
    "en": {
        "document": "Target vision 0.5",
        "date": "Date",
        "board_created": "Board created",
        "template": "Template",
        "participants": "Participants",
        "notes": "Notes",
        "clusters": "Clusters",
        "votes": "Votes",
        "vision": "Draft target vision",
        "vision_intro": "Clusters ranked by number of votes.",
        "sections": "Section by section",
        "other": "Other ideas",
        "unclustered": "Ideas outside clusters",
        "untitled": "(untitled)",
        "empty": "(empty note)",
        "no_clusters": "No clusters yet.",
        "checkpoints": "Checkpoints",
        "no_checkpoints": "No checkpoints.",
        "anonymous": "Notes are shown without authors.",
        "author": "Author",
        "section": "Section",
        "cluster": "Cluster",
        "cluster_votes": "Cluster votes",
        "note": "Note",
        "note_votes": "Note votes",
        "vote_one": "vote",
        "vote_many": "votes",
        "generated_by": "Made with Samsyn",
    },
}


def labels(language: str) -> Mapping[str, str]:
    """The labels for ``language``; Swedish for anything else."""
    return LABELS.get(language, LABELS["sv"])
