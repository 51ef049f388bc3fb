"""The library's logo on the målbild's documents: which images are accepted (pure)."""

from __future__ import annotations

from docx.image.image import Image

MAX_LOGO_BYTES = 512 * 1024
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class LogoError(ValueError):
    """An upload that is not a PNG or JPEG image of at most MAX_LOGO_BYTES."""


def logo_type(data: bytes) -> str:
    """The media type of a logo image, from its first bytes; LogoError if it is none."""
    if not data:
        raise LogoError("expected a PNG or JPEG image, got an empty file")
    if len(data) > MAX_LOGO_BYTES:
        limit, size = MAX_LOGO_BYTES // 1024, len(data) // 1024
        raise LogoError(f"expected an image of at most {limit} KiB, got {size} KiB")
    media_type = next((t for magic, t in _MAGIC if data.startswith(magic)), None)
    if media_type is None:
        raise LogoError(f"expected a PNG or JPEG image, got a file starting {data[:8]!r}")
    try:
        # The Word writer reads the size from the header: a cut-off file fails here, not there.
        image = Image.from_blob(data)
    except Exception as exc:  # python-docx raises several kinds for a damaged file
        raise LogoError(f"the image could not be read ({type(exc).__name__})") from None
    if image.px_width < 1 or image.px_height < 1:
        raise LogoError("expected an image with a width and a height")
    return media_type
