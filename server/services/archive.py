"""Everything of a journey as one zip: every board's documents, step by step."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile

from boards.export import render
from boards.model import Board
from server.services.journeys import journey_json, live_view
from server.store import JourneyRecord, Store
from server.sync.rooms import Rooms

ARCHIVE_FORMATS = ("md", "docx", "json", "csv")


def _zip(journey: dict[str, object], boards: list[tuple[str, Board]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("journey.json", json.dumps(journey, ensure_ascii=False, indent=2))
        for folder, board in boards:
            for fmt in ARCHIVE_FORMATS:
                rendered = render(board, fmt)
                archive.writestr(f"{folder}/{rendered.filename}", rendered.content)
    return buffer.getvalue()


async def journey_archive(store: Store, rooms: Rooms, journey: JourneyRecord) -> bytes:
    """The zip: `journey.json` and, per step and board, Markdown, Word, JSON and CSV."""
    data = await journey_json(store, journey)
    boards: list[tuple[str, Board]] = []
    for link in await store.journey_boards(journey.id):
        record = await store.get_board(link.board_id)
        if record is None:
            continue
        folder = f"steg-{link.step:02d}/{record.id}"
        boards.append((folder, await live_view(store, rooms, record)))
    return await asyncio.to_thread(_zip, data, boards)
