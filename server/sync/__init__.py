"""The y-websocket endpoint: frame codec, live rooms and their loading."""
