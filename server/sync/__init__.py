"""Yjs rooms over y-websocket: frame codec, connections, awareness, one room, many rooms.

Knows no web routes, services, settings or store: a room is handed an `UpdateLog` and a
`RoomConfig` (see docs/architecture.md)."""
