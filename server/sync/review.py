"""The seam through which a room checks a client's update against rules it does not know.

A room applies the update, then asks the guard of the connection (the web layer gives
participants one) what to do: keep it, take it back and tell the sender why, or keep it
and set fields only the server may write (a new note's author).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pycrdt import Doc


@dataclass(frozen=True, slots=True)
class Review:
    """A guard's verdict on one applied update."""

    # Sent to the sender as the reason of a permission-denied message when refused.
    refusal: str | None = None
    # Takes the refused update back; runs its own transactions on the doc.
    repair: Callable[[], object] | None = None
    # Changes to make on the server's behalf, in one transaction, when the update stands.
    fix: Callable[[Doc[Any]], None] | None = None


class Watch(Protocol):
    """Watches the doc while one update is applied, in a transaction with `origin`."""

    @property
    def origin(self) -> object: ...

    def finish(self) -> Review: ...


class WriteGuard(Protocol):
    """Checks the updates of one connection: `watch` before applying one, then `finish`."""

    def watch(self, doc: Doc[Any]) -> Watch: ...
