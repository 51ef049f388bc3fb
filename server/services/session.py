"""The session doc of a board: facilitation state that only the server writes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pycrdt import Doc, Map

from boards.facilitation import Capabilities, capabilities, default_session
from boards.schema import now_ms, root_map
from server.sync.room import Room

SESSION_SUFFIX = "/session"
DRAFTS_INFIX = "/drafts/"
# Maps of the session doc that hold plain fields (tallies and drafts are keyed by id).
FIELD_MAPS = ("phase", "timer", "voting", "lock", "follow", "board", "formulera")


def session_doc_name(board_id: str) -> str:
    return board_id + SESSION_SUFFIX


def is_board_doc_name(name: str) -> bool:
    """A board's content doc (its id), not its session or a drafts doc."""
    return "/" not in name


def drafts_doc_name(board_id: str, participant_id: str) -> str:
    return f"{board_id}{DRAFTS_INFIX}{participant_id}"


class Session:
    """Read and write the session doc held by a loaded room."""

    def __init__(self, room: Room) -> None:
        self.room = room

    def ensure_defaults(self) -> None:
        """Give a new board its initial state; fill in maps added by later versions."""
        defaults = default_session(now_ms())
        doc = self.room.doc
        missing = {
            name: values
            for name, values in defaults.items()
            if any(key not in root_map(doc, name) for key in values)
        }
        if not missing:
            return

        def write(doc: Doc[Any]) -> None:
            for name, values in missing.items():
                root = root_map(doc, name)
                for key, value in values.items():
                    if key not in root:
                        root[key] = value

        self.room.mutate(write)

    def get(self, name: str) -> dict[str, Any]:
        data: dict[str, Any] = root_map(self.room.doc, name).to_py() or {}
        return data

    def state(self) -> dict[str, Any]:
        """Everything a client would show, as JSON."""
        state = {name: self.get(name) for name in FIELD_MAPS}
        state["tallies"] = {k: int(v) for k, v in self.get("tallies").items()}
        state["drafts"] = self.get("drafts")
        state["participants"] = self.get("participants")
        state["removed"] = self.get("removed")
        return state

    def update(self, name: str, values: Mapping[str, Any]) -> None:
        changed = {k: v for k, v in values.items() if self.get(name).get(k, object()) != v}
        if not changed:
            return

        def write(doc: Doc[Any]) -> None:
            root = root_map(doc, name)
            for key, value in changed.items():
                root[key] = value

        self.room.mutate(write)

    def replace_tallies(self, tallies: Mapping[str, int]) -> None:
        def write(doc: Doc[Any]) -> None:
            root = root_map(doc, "tallies")
            for key in list(root.keys()):
                if key not in tallies:
                    del root[key]
            for key, count in tallies.items():
                if root.get(key) != count:
                    root[key] = count

        self.room.mutate(write)

    def set_drafts(self, participant_id: str, name: str, count: int) -> None:
        current = self.get("drafts").get(participant_id)
        if current == {"name": name, "count": count}:
            return
        self.room.mutate(
            lambda doc: root_map(doc, "drafts").__setitem__(
                participant_id, Map({"name": name, "count": count})
            )
        )

    def set_participant(self, participant_id: str, name: str, online: bool) -> None:
        if self.get("participants").get(participant_id) == {"name": name, "online": online}:
            return
        self.room.mutate(
            lambda doc: root_map(doc, "participants").__setitem__(
                participant_id, Map({"name": name, "online": online})
            )
        )

    def mark_removed(self, participant_id: str, at: int) -> None:
        """The facilitator removed the participant: lists leave them out from now on."""
        self.room.mutate(lambda doc: root_map(doc, "removed").__setitem__(participant_id, at))

    @property
    def phase(self) -> str:
        return str(self.get("phase").get("name", "brainstorm"))

    @property
    def locked(self) -> bool:
        return bool(self.get("lock").get("content"))

    def participant_rules(self) -> Capabilities:
        """What participants may do now (boards/capabilities.json, read per update)."""
        return capabilities(
            self.phase,
            locked=self.locked,
            notes_while_voting=bool(self.get("board").get("notes_while_voting")),
            formulera_open=bool(self.get("formulera").get("open")),
        )

    def formulera_theme(self) -> str | None:
        """The one theme (cluster id) an open formulera round is about; None: every theme."""
        theme = self.get("formulera").get("cluster")
        return theme if isinstance(theme, str) else None

    def participants_may_write(self) -> bool:
        """May a participant's socket change the content doc at all? Not while the board is
        locked or closed, nor during the vote unless notes_while_voting is on."""
        rules = self.participant_rules()
        return rules.edit or rules.add_notes or rules.propose
