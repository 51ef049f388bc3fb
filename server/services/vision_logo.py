"""The målbild's logo: one PNG or JPEG per målbild, kept in the database."""

from __future__ import annotations

from boards.vision_logo import LogoError, logo_type
from server.errors import InvalidInput, NotFound
from server.store import Store, VisionRecord


async def set_logo(store: Store, record: VisionRecord, data: bytes) -> str:
    """Store the image (replacing the old one); its media type. 400 for anything else."""
    try:
        media_type = logo_type(data)
    except LogoError as exc:
        raise InvalidInput("invalid_logo", str(exc)) from None
    await store.set_vision_logo(record.id, media_type, data)
    return media_type


async def logo(store: Store, record: VisionRecord) -> tuple[str, bytes] | None:
    return await store.vision_logo(record.id)


async def require_logo(store: Store, record: VisionRecord) -> tuple[str, bytes]:
    found = await store.vision_logo(record.id)
    if found is None:
        raise NotFound("logo_not_found", "this målbild has no logo")
    return found


async def remove_logo(store: Store, record: VisionRecord) -> None:
    await store.delete_vision_logo(record.id)
