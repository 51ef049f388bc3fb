"""What the tests share: servers, a Yjs client, browser helpers and one board factory."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
