"""Who is calling: keys, participant tokens, join codes and the roles they grant."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from server.store import BoardRecord, Store

# 24 random bytes: 192 bits, comfortably past the 128 the design asks for.
_SECRET_BYTES = 24
# Join codes are read aloud and typed from a projector: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6


class Role(StrEnum):
    FACILITATOR = "facilitator"
    # Runs the workshop like the facilitator, through a link of its own that the
    # facilitator can revoke; cannot issue or revoke links itself.
    COFACILITATOR = "cofacilitator"
    PARTICIPANT = "participant"
    WALL = "wall"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, on which board."""

    board_id: str
    role: Role
    participant_id: str | None = None
    name: str = ""

    @property
    def is_facilitator(self) -> bool:
        """May run the workshop (phases, timer, reveal...): facilitator or co-facilitator."""
        return self.role in (Role.FACILITATOR, Role.COFACILITATOR)

    @property
    def is_owner(self) -> bool:
        """The facilitator proper: the one who may issue and revoke links."""
        return self.role is Role.FACILITATOR


def new_secret() -> str:
    return secrets.token_urlsafe(_SECRET_BYTES)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalize_join_code(raw: str) -> str:
    """Upper-case and strip spaces and dashes, as people type codes from a wall."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def hash_secret(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


async def authenticate(store: Store, board: BoardRecord, secret: str) -> Principal | None:
    """Resolve a secret to a principal of `board`, comparing in constant time."""
    if not secret:
        return None
    digest = hash_secret(secret)
    if hmac.compare_digest(digest, board.facilitator_key_hash):
        return Principal(board.id, Role.FACILITATOR, name="")
    co_hash = board.cofacilitator_key_hash
    if co_hash is not None and hmac.compare_digest(digest, co_hash):
        return Principal(board.id, Role.COFACILITATOR, name="")
    if board.wall_key_hash is not None and hmac.compare_digest(digest, board.wall_key_hash):
        return Principal(board.id, Role.WALL, name="")
    participant = await store.participant_by_token_hash(digest)
    # The lookup is by hash, so timing tells nothing of the token; check the board too.
    if participant is None or not hmac.compare_digest(participant.board_id, board.id):
        return None
    if participant.removed is not None:
        return None
    return Principal(board.id, Role.PARTICIPANT, participant.id, participant.name)


async def removed_among(store: Store, board: BoardRecord, secrets: Sequence[str]) -> bool:
    """Is one of `secrets` the token of a participant the facilitator removed from
    `board`? Asked only after the secrets failed, to say why instead of "unknown"."""
    for secret in secrets:
        if not secret:
            continue
        participant = await store.participant_by_token_hash(hash_secret(secret))
        if (
            participant is not None
            and participant.removed is not None
            and hmac.compare_digest(participant.board_id, board.id)
        ):
            return True
    return False


async def first_valid(
    store: Store, board: BoardRecord, secrets: Sequence[str]
) -> tuple[Principal, str] | None:
    """The first of `secrets` that is valid on `board`, with its principal."""
    for secret in secrets:
        principal = await authenticate(store, board, secret)
        if principal is not None:
            return principal, secret
    return None


async def authenticate_any(
    store: Store, board: BoardRecord, secrets: Sequence[str]
) -> Principal | None:
    """The principal of the first of `secrets` that is valid on `board`."""
    found = await first_valid(store, board, secrets)
    return found[0] if found else None
