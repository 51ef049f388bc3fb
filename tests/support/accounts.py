"""Organisations and facilitators for tests, made through the services (as the CLI does),
and signed in over real HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from server.services import accounts
from server.store import Store
from tests.support.servers import InProcessServer

PASSWORD = "ett långt lösenord"


@dataclass
class Member:
    email: str
    org_id: str
    client: httpx.AsyncClient  # holds the signed-in session cookie

    @property
    def cookie(self) -> str:
        return f"samsyn_account={self.client.cookies['samsyn_account']}"


def store_of(server: InProcessServer) -> Store:
    store: Store = server.app.state.store
    return store


async def make_org(server: InProcessServer, name: str) -> str:
    return (await accounts.create_org(store_of(server), name)).id


async def make_user(server: InProcessServer, org_id: str, email: str, role: str = "owner") -> None:
    store = store_of(server)
    org = await store.get_org(org_id)
    assert org is not None
    await accounts.add_member(store, org, email, role, PASSWORD)


async def sign_in(server: InProcessServer, email: str, org_id: str) -> Member:
    # argon2 is slow on purpose; a loaded test machine needs more than httpx's 5 s.
    client = httpx.AsyncClient(base_url=server.url, timeout=30)
    response = await client.post("/api/session", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return Member(email, org_id, client)


async def member_of(
    server: InProcessServer, org_name: str, email: str, role: str = "owner"
) -> Member:
    org_id = await make_org(server, org_name)
    await make_user(server, org_id, email, role)
    return await sign_in(server, email, org_id)
