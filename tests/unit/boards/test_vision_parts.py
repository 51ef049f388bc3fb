"""The parts of a målbild that a round opens, and the logo check (pure, no server)."""

from __future__ import annotations

import struct
import zlib

import pytest

from boards import vision_parts
from boards.vision import VisionError, normalize
from boards.vision_logo import MAX_LOGO_BYTES, LogoError, logo_type

DATA = normalize(
    {
        "summary": "Kort",
        "statements": [{"id": "s1", "theme": "Mötesplats", "text": "Ett rum för alla"}],
        "questions": [{"id": "q1", "text": "Vem saknas?"}],
    }
)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_the_parts_are_named_in_document_order_and_checked() -> None:
    assert vision_parts.known_parts(DATA) == [
        "purpose", "summary", "statement:s1", "waves", "market", "operating_model", "intents",
        "questions",
    ]  # fmt: skip
    assert vision_parts.check_parts(DATA, ["questions", "summary"]) == ["summary", "questions"]
    with pytest.raises(VisionError, match="statement:gone"):
        vision_parts.check_parts(DATA, ["statement:gone"])
    with pytest.raises(VisionError, match="list of part names"):
        vision_parts.check_parts(DATA, "summary")


def test_an_edit_from_the_text_as_it_is_changes_only_that_part() -> None:
    edited = vision_parts.edit(
        DATA, "statement:s1", None, "Ett rum för alla", "Ett rum för var och en"
    )
    assert edited["statements"][0]["text"] == "Ett rum för var och en"
    assert edited["summary"] == "Kort" and DATA["statements"][0]["text"] == "Ett rum för alla"
    added = vision_parts.edit(DATA, "questions", None, "", "Hur når vi unga?")
    assert [q["text"] for q in added["questions"]] == ["Vem saknas?", "Hur når vi unga?"]
    item = vision_parts.edit(DATA, "questions", "q1", "Vem saknas?", "Vilka saknas?")
    assert [q["text"] for q in item["questions"]] == ["Vilka saknas?"]


def test_an_edit_from_an_older_text_is_refused_with_the_text_now() -> None:
    with pytest.raises(vision_parts.Stale) as refused:
        vision_parts.edit(DATA, "summary", None, "Äldre", "Min text")
    assert refused.value.current == "Kort"
    # The same words saved twice (a retry) are no conflict.
    assert vision_parts.edit(DATA, "summary", None, "Äldre", "Kort")["summary"] == "Kort"
    with pytest.raises(VisionError, match="no item"):
        vision_parts.edit(DATA, "questions", "nope", "", "x")


def test_a_logo_is_a_png_or_jpeg_of_at_most_512_kib() -> None:
    assert logo_type(_png()) == "image/png"
    with pytest.raises(LogoError, match="PNG or JPEG"):
        logo_type(b"GIF89a....")
    with pytest.raises(LogoError, match="empty"):
        logo_type(b"")
    with pytest.raises(LogoError, match="512 KiB"):
        logo_type(_png() + b"\x00" * MAX_LOGO_BYTES)
    with pytest.raises(LogoError, match="could not be read"):
        logo_type(_png()[:16])
