"""The method's ten steps, as data: what each is called and which board starting it makes.

`kind` says how a step's board is built from the step before (see `server/services/
journeys.py`): `none` (a step without a board), `template` (a fresh board of the
template, seeded with the previous result's texts), `groups` (one board per staff group
from Målbild 0.5: `copy` or `deepening`), `copy` (one copy of the previous result),
`rollup` (the staff boards side by side with provenance).
"""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("planned", "ongoing", "done")


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    title: dict[str, str]
    summary: dict[str, str]
    kind: str
    template: str = "blank"
    mode: str = ""  # for `groups`: "copy" (comment round) or "deepening"
    source: tuple[int, ...] = ()  # the steps whose result it starts from, nearest first


STEPS: tuple[Step, ...] = (
    Step(
        1,
        {"sv": "Förbereda ledarna", "en": "Prepare the leaders"},
        {
            "sv": "Ledare och nyckelmedarbetare lär sig vad målbildsarbete är; resan planeras.",
            "en": "Leaders and key staff learn what vision work is; the journey is planned.",
        },
        "none",
    ),
    Step(
        2,
        {"sv": "Kunskapslyft", "en": "Knowledge lift"},
        {
            "sv": "Omvärldsspaning, intervjuer, rundabordssamtal, rapporter och statistik.",
            "en": "Environmental scanning, interviews, round tables, reports and statistics.",
        },
        "template",
        "malbild-knowledge",
    ),
    Step(
        3,
        {"sv": "Utforskande workshop", "en": "Exploratory workshop"},
        {
            "sv": "Två dagar som landar i Målbild 0.5.",
            "en": "Two days that land in Target vision 0.5.",
        },
        "template",
        "malbild-workshop",
        source=(2,),
    ),
    Step(
        4,
        {"sv": "Medarbetarna introduceras", "en": "Staff introduced"},
        {
            "sv": "Målbild 0.5 delas på APT; medarbetarna kommenterar påståendena.",
            "en": "Target vision 0.5 shared at staff meetings; staff comment on its statements.",
        },
        "groups",
        mode="copy",
        source=(3,),
    ),
    Step(
        5,
        {"sv": "Fördjupa med medarbetarna", "en": "Deepen with the staff"},
        {
            "sv": "En tavla per arbetsgrupp eller filial: vad betyder det i praktiken?",
            "en": "One board per staff group or branch: what does it mean in practice?",
        },
        "groups",
        mode="deepening",
        source=(3,),
    ),
    Step(
        6,
        {"sv": "Externa ledare och nyckelpersoner", "en": "External leaders and key people"},
        {
            "sv": "Inbjudna gäster läser utkastet och kommenterar med en länk.",
            "en": "Invited guests read the draft and comment through a link.",
        },
        "template",
        "malbild-guests",
        source=(3,),
    ),
    Step(
        7,
        {"sv": "Förslag på målbild", "en": "Proposed vision"},
        {
            "sv": "Alla gruppers resultat sida vid sida, med var de kom ifrån.",
            "en": "Every group's result side by side, with where it came from.",
        },
        "rollup",
        source=(5, 4),
    ),
    Step(
        8,
        {"sv": "Gemensam dag", "en": "Joint day"},
        {
            "sv": "All personal samlas kring förslaget; dagen landar i Målbild 1.0.",
            "en": "All staff gather around the proposal; the day lands in Target vision 1.0.",
        },
        "copy",
        source=(7,),
    ),
    Step(
        9,
        {"sv": "Hur 1.0 styr verksamheten", "en": "How 1.0 steers operations"},
        {
            "sv": "Kommunikation, styrning och beslut, påstående för påstående.",
            "en": "Communication, governance and decisions, statement by statement.",
        },
        "template",
        "malbild-effects",
        source=(8,),
    ),
    Step(
        10,
        {"sv": "Planen för den digitala transformationen", "en": "The digital transformation plan"},
        {
            "sv": "Åtgärder med ansvarig, datum och status.",
            "en": "Actions with owner, date and status.",
        },
        "template",
        "malbild-plan",
        source=(9, 8),
    ),
)


def step(number: int) -> Step:
    for found in STEPS:
        if found.number == number:
            return found
    raise KeyError(number)
