"""Samsyn server: HTTP pages and API, the y-websocket endpoint and SQLite storage."""
