"""The home page starts a library on the workshop template, not the blank board."""

from __future__ import annotations

import re

import httpx

from tests.support.servers import InProcessServer


async def test_the_workshop_template_is_picked_by_default(app_server: InProcessServer) -> None:
    async with httpx.AsyncClient(base_url=app_server.url) as client:
        home = await client.get("/")
    assert home.status_code == 200
    selected = re.findall(r'<option value="([^"]+)" selected>', home.text)
    assert selected == ["malbild-workshop"], selected
