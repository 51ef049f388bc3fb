"""The stock npm y-websocket client (yjs@13) and a Python client edit one board."""

from __future__ import annotations

import json

from pycrdt import Map, Text

from tests.support.boards import create_board
from tests.support.servers import InProcessServer
from tests.support.tools import node_output, node_peer
from tests.support.yjs import YClient


async def test_node_y_websocket_and_python_converge(app_server: InProcessServer) -> None:
    board = await create_board(app_server.url, "Interop")
    url = f"{app_server.ws_url}/ws/{board['id']}?token={board['facilitator_key']}"
    async with YClient(url) as py:
        await py.wait_for(py.synced.is_set)
        notes = py.doc.get("notes", type=Map)
        notes["py"] = Map({"text": Text("från python"), "x": 1.0, "y": 2.0})
        node = await node_peer(
            "interop-client.mjs", f"{app_server.ws_url}/ws", board["id"], board["facilitator_key"]
        )
        try:
            await py.wait_for(lambda: "node" in notes and str(notes["node"]["text"]) != "")
            await py.wait_for(lambda: any('"Node"' in s for s in py.awareness.values()))
            text = notes["py"]["text"]
            text.insert(len(text), "!")
        finally:
            out = await node_output(node, within=25)
        seen = json.loads(out)
        await py.wait_for(lambda: str(notes["node"]["text"]) == "Hej från node")
        assert seen["notes"] == {"py": "från python!", "node": "Hej från node"}
        assert seen["title"] == "Interop"
        # The node client left: its awareness state is gone for everyone.
        await py.wait_for(lambda: not any('"Node"' in s for s in py.awareness.values()))
