"""The records of accounts and journeys: organisations, users, links, journeys' steps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OrgRecord:
    id: str
    name: str
    created: int


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    email: str
    password_hash: str | None
    created: int


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    org: OrgRecord
    user_id: str
    email: str
    role: str  # "owner" | "facilitator"


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A single-use link: an invite into an org, or a set-password link of a user."""

    kind: str  # "invite" | "password"
    org_id: str | None
    user_id: str | None
    role: str | None
    expires: int  # epoch ms


@dataclass(frozen=True, slots=True)
class JourneyRecord:
    id: str
    org_id: str
    title: str
    language: str
    created: int


@dataclass(frozen=True, slots=True)
class JourneyStepRecord:
    journey_id: str
    step: int
    status: str  # "planned" | "ongoing" | "done"
    starts: str | None  # ISO date
    ends: str | None


@dataclass(frozen=True, slots=True)
class JourneyBoardRecord:
    board_id: str
    journey_id: str
    step: int
    group: str  # the staff group or branch; "" for a step's one board
    created: int
    position: int = 0  # the order the facilitator listed the step's groups in
