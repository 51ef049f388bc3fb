"""Several processes serving the same boards: PostgreSQL holds everything, Redis relays.

This package sits beside the sync layer and uses it (a room's commit and awareness
hooks); the sync layer never imports it, and it reads no settings: the app hands it a
`RelayConfig`.
"""
