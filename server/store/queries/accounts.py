"""The account tables: `orgs`, `users`, `memberships`, `user_sessions`, `links`, `board_orgs`."""

from __future__ import annotations

import sqlite3

from server.store.org_records import LinkRecord, MembershipRecord, OrgRecord, UserRecord


def insert_org(conn: sqlite3.Connection, org: OrgRecord) -> None:
    conn.execute(
        "INSERT INTO orgs (id, name, created) VALUES (?, ?, ?)", (org.id, org.name, org.created)
    )


def org(conn: sqlite3.Connection, column: str, value: str) -> OrgRecord | None:
    assert column in ("id", "name")
    row = conn.execute(f"SELECT id, name, created FROM orgs WHERE {column} = ?", (value,))
    found = row.fetchone()
    return OrgRecord(*found) if found else None


def insert_user(conn: sqlite3.Connection, user: UserRecord) -> None:
    conn.execute(
        "INSERT INTO users (id, email, password_hash, created) VALUES (?, ?, ?, ?)",
        (user.id, user.email, user.password_hash, user.created),
    )


def user(conn: sqlite3.Connection, column: str, value: str) -> UserRecord | None:
    assert column in ("id", "email")
    row = conn.execute(
        f"SELECT id, email, password_hash, created FROM users WHERE {column} = ?", (value,)
    ).fetchone()
    return UserRecord(*row) if row else None


def set_password(conn: sqlite3.Connection, user_id: str, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
    # A new password signs every browser out: a leaked session dies with the old password.
    conn.execute("DELETE FROM user_sessions WHERE user_id = ?", (user_id,))


def set_membership(conn: sqlite3.Connection, org_id: str, user_id: str, role: str) -> None:
    conn.execute(
        "INSERT INTO memberships (org_id, user_id, role) VALUES (?, ?, ?)"
        " ON CONFLICT(org_id, user_id) DO UPDATE SET role = excluded.role",
        (org_id, user_id, role),
    )


def change_membership(conn: sqlite3.Connection, org_id: str, user_id: str, role: str | None) -> str:
    """See Store.change_membership."""
    rows = conn.execute("SELECT user_id, role FROM memberships WHERE org_id = ?", (org_id,))
    outcome = membership_outcome(dict(rows.fetchall()), user_id, role)
    if outcome == "changed":
        if role is None:
            conn.execute(MEMBERSHIP_DELETE.replace("%s", "?"), (org_id, user_id))
        else:
            conn.execute(MEMBERSHIP_ROLE.replace("%s", "?"), (role, org_id, user_id))
    return outcome


def membership_outcome(roles: dict[str, str], user_id: str, role: str | None) -> str:
    """What changing `user_id` to `role` (None: removing) does to an org whose members
    have `roles`: "changed", "not_member" or "last_owner"."""
    if user_id not in roles:
        return "not_member"
    owners = [uid for uid, r in roles.items() if r == "owner"]
    if roles[user_id] == "owner" and role != "owner" and owners == [user_id]:
        return "last_owner"
    return "changed"


MEMBERSHIP_DELETE = "DELETE FROM memberships WHERE org_id = %s AND user_id = %s"
MEMBERSHIP_ROLE = "UPDATE memberships SET role = %s WHERE org_id = %s AND user_id = %s"


_MEMBERS = (
    "SELECT o.id, o.name, o.created, m.user_id, u.email, m.role FROM memberships m"
    " JOIN orgs o ON o.id = m.org_id JOIN users u ON u.id = m.user_id"
)


def _membership(row: tuple[str, str, int, str, str, str]) -> MembershipRecord:
    return MembershipRecord(OrgRecord(row[0], row[1], row[2]), row[3], row[4], row[5])


def memberships_of(conn: sqlite3.Connection, user_id: str) -> list[MembershipRecord]:
    rows = conn.execute(f"{_MEMBERS} WHERE m.user_id = ? ORDER BY o.name", (user_id,))
    return [_membership(row) for row in rows.fetchall()]


def members_of(conn: sqlite3.Connection, org_id: str) -> list[MembershipRecord]:
    rows = conn.execute(f"{_MEMBERS} WHERE m.org_id = ? ORDER BY u.email", (org_id,))
    return [_membership(row) for row in rows.fetchall()]


def insert_session(
    conn: sqlite3.Connection, id_hash: bytes, user_id: str, created: int, expires: int
) -> None:
    conn.execute(
        "INSERT INTO user_sessions (id_hash, user_id, created, expires) VALUES (?, ?, ?, ?)",
        (id_hash, user_id, created, expires),
    )


def session_user(conn: sqlite3.Connection, id_hash: bytes, now: int) -> str | None:
    row = conn.execute(
        "SELECT user_id FROM user_sessions WHERE id_hash = ? AND expires > ?", (id_hash, now)
    ).fetchone()
    return str(row[0]) if row else None


def delete_session(conn: sqlite3.Connection, id_hash: bytes) -> None:
    conn.execute("DELETE FROM user_sessions WHERE id_hash = ?", (id_hash,))


def insert_link(conn: sqlite3.Connection, token_hash: bytes, link: LinkRecord) -> None:
    conn.execute(
        "INSERT INTO links (token_hash, kind, org_id, user_id, role, expires)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (token_hash, link.kind, link.org_id, link.user_id, link.role, link.expires),
    )


def peek_link(conn: sqlite3.Connection, token_hash: bytes, now: int) -> LinkRecord | None:
    row = conn.execute(
        "SELECT kind, org_id, user_id, role, expires FROM links"
        " WHERE token_hash = ? AND used = 0 AND expires > ?",
        (token_hash, now),
    ).fetchone()
    return LinkRecord(*row) if row else None


def use_link(conn: sqlite3.Connection, token_hash: bytes, now: int) -> LinkRecord | None:
    """The link, marked used in the same job: two clicks cannot both redeem it."""
    found = peek_link(conn, token_hash, now)
    if found is not None:
        conn.execute("UPDATE links SET used = 1 WHERE token_hash = ?", (token_hash,))
    return found


def set_board_org(conn: sqlite3.Connection, board_id: str, org_id: str) -> None:
    conn.execute(
        "INSERT INTO board_orgs (board_id, org_id) VALUES (?, ?)"
        " ON CONFLICT(board_id) DO UPDATE SET org_id = excluded.org_id",
        (board_id, org_id),
    )


def board_org(conn: sqlite3.Connection, board_id: str) -> str | None:
    row = conn.execute("SELECT org_id FROM board_orgs WHERE board_id = ?", (board_id,)).fetchone()
    return str(row[0]) if row else None


def boards_of_org(conn: sqlite3.Connection, org_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT b.id FROM board_orgs o JOIN boards b ON b.id = o.board_id"
        " WHERE o.org_id = ? ORDER BY b.created",
        (org_id,),
    )
    return [str(row[0]) for row in rows.fetchall()]
