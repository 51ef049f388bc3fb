"""The formulera round: the facilitator opens it on one theme or all, participants (or
the groups they write for) draft the theme's statement as proposals in the content doc,
and the facilitator settles the wording by choosing one.

The round's state lives in the session doc (`formulera`); the proposals in the content
doc (`clusters[id].proposals`), whose guard lets participants write only their own and
only while the round is open (`boards/guard.py`).
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map, Text

from boards import schema
from boards.converge import replace_text
from boards.facilitation import RuleError, formulera_after
from boards.schema import now_ms
from server.errors import NotFound
from server.services.session import Session
from server.store import BoardRecord, Store
from server.sync.rooms import Rooms


async def round_change(
    store: Store, rooms: Rooms, board: BoardRecord, session: Session, body: dict[str, Any]
) -> None:
    """Open (`{open: true, cluster?}`) or close (`{open: false}`) the round."""
    async with rooms.use(board.id) as content:
        clusters = [
            cid for cid, c in schema.clusters_map(content.doc).items() if isinstance(c, Map)
        ]
        state = formulera_after(
            body, session.get("formulera"), phase=session.phase, clusters=clusters, now_ms=now_ms()
        )
        if state["open"]:
            # Each theme of the round gets its map of proposals from the server, once, so
            # two participants who start at once write into the same map.
            themes = [state["cluster"]] if state["cluster"] else clusters
            missing = schema.clusters_without_proposals(content.doc, themes)
            if missing:
                content.mutate(lambda doc: schema.give_proposals(doc, missing))
                await content.durable()
    session.update("formulera", state)
    # Proposals refused while the round was closed may be held back by their clients.
    content_room = rooms.get(board.id)
    if content_room is not None and state["open"]:
        content_room.resync_refused()


def _proposal(doc: Doc[Any], cluster_id: object, proposal_id: object) -> tuple[Map[Any], Map[Any]]:
    clusters = schema.clusters_map(doc)
    cluster = clusters.get(cluster_id) if isinstance(cluster_id, str) else None
    if not isinstance(cluster, Map):
        raise NotFound("cluster_not_found", f"no theme {cluster_id!r} on this board")
    proposals = cluster.get(schema.PROPOSALS)
    proposal = (
        proposals.get(proposal_id)
        if isinstance(proposals, Map) and isinstance(proposal_id, str)
        else None
    )
    if not isinstance(proposal, Map):
        raise NotFound(
            "proposal_not_found", f"no proposal {proposal_id!r} for theme {cluster_id!r}"
        )
    return cluster, proposal


async def settle(
    rooms: Rooms, board: BoardRecord, body: dict[str, Any], *, sender: str
) -> dict[str, Any]:
    """Copy the chosen proposal's text into its theme's statement, as one logged update;
    the proposals stay (they are the statement's provenance)."""
    cluster_id, proposal_id = body.get("cluster"), body.get("proposal")
    async with rooms.use(board.id) as content:
        cluster, proposal = _proposal(content.doc, cluster_id, proposal_id)
        text = str(proposal.get("text") or "").strip()
        if not text:
            # Settling on nothing would wipe the statement someone may have written.
            raise RuleError("empty_proposal", f"proposal {proposal_id!r} has no text yet")

        def write(doc: Doc[Any]) -> None:
            statement = cluster.get(schema.STATEMENT)
            if isinstance(statement, Text):
                replace_text(statement, text)
            else:
                cluster[schema.STATEMENT] = Text(text)
            cluster[schema.STATEMENT_FROM] = proposal_id

        content.mutate(write, sender=sender)
        await content.durable()
        return {
            "cluster": cluster_id,
            "proposal": proposal_id,
            "statement": str(cluster.get(schema.STATEMENT)),
            "by": str(proposal.get("by") or ""),
        }
