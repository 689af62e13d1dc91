"""Admin routes over HTTP: permission boundaries, the last-admin rule, deactivation, audit rows."""

import asyncio

import httpx2
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models.audit import AuditLog
from {{ cookiecutter.package_name }}.models.user import User
from tests.api.test_item_races import delete_concurrently
from tests.conftest import close_app, empty_tables
from tests.factories import PASSWORD, auth_headers, create_item, login, register_user

USERS = "/api/v1/admin/users/"
AUDIT = "/api/v1/admin/audit-logs/"


async def make_admin(client: httpx2.AsyncClient, session_factory) -> tuple[dict, dict]:
    """Register a user, promote them in the database (as create-admin would), log in."""
    user = await register_user(client)
    async with session_factory() as session:
        await session.execute(update(User).where(User.id == user["id"]).values(role="admin"))
        await session.commit()
    token = await login(client, email=user["email"])
    return user, {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def admin(client: httpx2.AsyncClient, session_factory) -> tuple[dict, dict]:
    """An admin user and their bearer headers."""
    return await make_admin(client, session_factory)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", USERS),
        ("GET", f"{USERS}1"),
        ("PATCH", f"{USERS}1"),
        ("DELETE", f"{USERS}1/mfa"),
        ("GET", AUDIT),
    ],
)
async def test_plain_users_get_403_on_admin_routes(client: httpx2.AsyncClient, method, url):
    """A user without the permission gets 403 permission.denied on every admin route."""
    headers = await auth_headers(client)

    response = await client.request(method, url, json={"role": "admin"}, headers=headers)

    assert response.status_code == 403
    assert response.json()["code"] == "permission.denied"


async def test_admin_routes_need_authentication(client: httpx2.AsyncClient):
    """Without a token the admin routes answer 401, not 403."""
    assert (await client.get(USERS)).status_code == 401


async def test_admin_lists_and_filters_users(client: httpx2.AsyncClient, admin):
    """Admins page through users and filter by email fragment, role and active flag."""
    await register_user(client, email="findme@example.com")

    everyone = await client.get(USERS, headers=admin[1])
    found = await client.get(USERS, params={"email": "findme"}, headers=admin[1])
    admins = await client.get(USERS, params={"role": "admin"}, headers=admin[1])

    assert everyone.status_code == 200
    assert everyone.json()["total"] == 2
    assert [user["email"] for user in found.json()["items"]] == ["findme@example.com"]
    assert [user["id"] for user in admins.json()["items"]] == [admin[0]["id"]]


async def test_email_filter_treats_wildcards_literally(client: httpx2.AsyncClient, admin):
    """`%` and `_` in the email filter match themselves, not anything."""
    response = await client.get(USERS, params={"email": "%"}, headers=admin[1])

    assert response.json()["total"] == 0


async def test_admin_reads_one_user_or_404(client: httpx2.AsyncClient, admin):
    """GET by id returns the user; an unknown id is 404 user.not_found."""
    user = await register_user(client)

    found = await client.get(f"{USERS}{user['id']}", headers=admin[1])
    missing = await client.get(f"{USERS}999999", headers=admin[1])

    assert found.json()["email"] == user["email"]
    assert (missing.status_code, missing.json()["code"]) == (404, "user.not_found")


async def test_promotion_grants_admin_routes(client: httpx2.AsyncClient, admin):
    """A promoted user can use the admin routes with their next request."""
    user = await register_user(client)
    headers = {"Authorization": f"Bearer {await login(client, email=user['email'])}"}

    promoted = await client.patch(f"{USERS}{user['id']}", json={"role": "admin"}, headers=admin[1])

    assert promoted.json()["role"] == "admin"
    assert (await client.get(USERS, headers=headers)).status_code == 200


async def test_unknown_role_is_422(client: httpx2.AsyncClient, admin):
    """Only roles from the table can be assigned."""
    response = await client.patch(
        f"{USERS}{admin[0]['id']}", json={"role": "overlord"}, headers=admin[1]
    )

    assert response.status_code == 422


@pytest.mark.parametrize("change", [{"role": "user"}, {"is_active": False}])
async def test_last_admin_cannot_demote_or_deactivate_self(
    client: httpx2.AsyncClient, admin, change
):
    """The last active admin gets 409 user.last_admin, and stays an active admin."""
    response = await client.patch(f"{USERS}{admin[0]['id']}", json=change, headers=admin[1])

    assert response.status_code == 409
    assert response.json()["code"] == "user.last_admin"
    me = await client.get("/api/v1/users/me", headers=admin[1])
    assert (me.json()["role"], me.json()["is_active"]) == ("admin", True)


async def test_demotion_waits_for_a_concurrent_one_and_keeps_an_admin(
    client: httpx2.AsyncClient, session_factory
):
    """While another transaction demotes the second of two admins, demoting the first waits
    for it, then sees one admin left: 409. (PostgreSQL locks the admin rows while counting;
    SQLite takes its write lock as the transaction begins.)"""
    first, first_headers = await make_admin(client, session_factory)
    second, _ = await make_admin(client, session_factory)

    async with session_factory() as other:
        await other.execute(update(User).where(User.id == second["id"]).values(role="user"))
        request = asyncio.create_task(
            client.patch(f"{USERS}{first['id']}", json={"role": "user"}, headers=first_headers)
        )
        await asyncio.sleep(0.5)
        waited = not request.done()
        await other.commit()
    response = await request

    assert waited
    assert response.status_code == 409
    assert response.json()["code"] == "user.last_admin"


async def test_deactivation_revokes_all_sessions_at_once(client: httpx2.AsyncClient, admin):
    """A deactivated user's tokens stop working immediately, and they cannot log in."""
    user = await register_user(client)
    token = await login(client, email=user["email"])
    refresh = await client.post(
        "/api/v1/auth/login", data={"username": user["email"], "password": PASSWORD}
    )

    response = await client.patch(
        f"{USERS}{user['id']}", json={"is_active": False}, headers=admin[1]
    )

    assert response.status_code == 200
    me = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": refresh.json()["refresh_token"]}
    )
    assert again.status_code == 401
    relogin = await client.post(
        "/api/v1/auth/login", data={"username": user["email"], "password": PASSWORD}
    )
    assert relogin.status_code == 400
    assert relogin.json()["error"] == "invalid_grant"


async def test_admin_may_act_on_any_item(client: httpx2.AsyncClient, admin):
    """Admins read, change and delete other users' items; users only their own."""
    owner = await auth_headers(client)
    item = await create_item(client, owner, title="theirs")

    read = await client.get(f"/api/v1/items/{item['id']}", headers=admin[1])
    changed = await client.patch(
        f"/api/v1/items/{item['id']}", json={"title": "moderated"}, headers=admin[1]
    )
    deleted = await client.delete(f"/api/v1/items/{item['id']}", headers=admin[1])

    assert (read.status_code, changed.status_code, deleted.status_code) == (200, 200, 204)


async def audit_actions(client: httpx2.AsyncClient, headers: dict, **params) -> list[dict]:
    response = await client.get(AUDIT, params={"limit": 100, **params}, headers=headers)
    assert response.status_code == 200
    return response.json()["items"]


async def test_audited_actions_write_rows(client: httpx2.AsyncClient, admin):
    """Login success and failure, role change, deactivation, item deletion, password change,
    logout-all and refresh-token reuse each leave an audit row with the request id."""
    user = await register_user(client)
    await client.post("/api/v1/auth/login", data={"username": user["email"], "password": "nope"})
    pair = (
        await client.post(
            "/api/v1/auth/login", data={"username": user["email"], "password": PASSWORD}
        )
    ).json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    item = await create_item(client, headers, title="doomed")
    await client.delete(f"/api/v1/items/{item['id']}", headers=headers)
    await client.patch(
        "/api/v1/users/me",
        json={"current_password": PASSWORD, "new_password": "another password"},
        headers=headers,
    )
    await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    await client.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    fresh = await login(client, email=user["email"], password="another password")
    await client.post("/api/v1/auth/logout-all", headers={"Authorization": f"Bearer {fresh}"})
    await client.patch(f"{USERS}{user['id']}", json={"role": "admin"}, headers=admin[1])
    await client.patch(f"{USERS}{user['id']}", json={"is_active": False}, headers=admin[1])

    rows = await audit_actions(client, admin[1])
    seen = {row["action"] for row in rows}

    assert {
        "auth.login_failed",
        "auth.login_succeeded",
        "item.deleted",
        "user.password_changed",
        "auth.refresh_token_reused",
        "auth.logged_out_everywhere",
        "user.role_changed",
        "user.deactivated",
    } <= seen
    assert all(row["request_id"] for row in rows)
    assert "another password" not in str(rows)
    assert PASSWORD not in str(rows)


async def test_audit_log_is_newest_first_and_filterable(client: httpx2.AsyncClient, admin):
    """Rows come newest first and filter by actor, action and entity."""
    user = await register_user(client)
    await client.patch(f"{USERS}{user['id']}", json={"role": "admin"}, headers=admin[1])
    await client.patch(f"{USERS}{user['id']}", json={"role": "user"}, headers=admin[1])

    changes = await audit_actions(
        client,
        admin[1],
        action="user.role_changed",
        actor_id=admin[0]["id"],
        entity_type="user",
        entity_id=str(user["id"]),
    )
    nothing = await audit_actions(client, admin[1], since="2999-01-01T00:00:00Z")

    assert [row["details"]["to"] for row in changes] == ["user", "admin"]
    assert nothing == []


async def test_audit_row_records_the_request_id_and_the_forwarded_client(
    settings, engine: AsyncEngine
):
    """A row written while serving a request carries that request's id and, behind a trusted
    proxy, the client address the proxy forwarded (not the proxy's own)."""
    app = create_app(settings.model_copy(update={"forwarded_allow_ips": ["127.0.0.1"]}))
    request_id = "5a1e0c2d3b4f4a6e8d9c0b1a2f3e4d5c"
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/api/v1/auth/login",
            data={"username": "nobody@example.com", "password": "not the password"},
            headers={"X-Forwarded-For": "198.51.100.23", "X-Request-ID": request_id},
        )
    await close_app(app)
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(AuditLog.request_id, AuditLog.client_address).where(
                    AuditLog.action == "auth.login_failed"
                )
            )
        ).all()
    await empty_tables(engine)

    assert response.status_code == 400
    assert [tuple(row) for row in rows] == [(request_id, "198.51.100.23")]


async def test_concurrent_deletes_of_one_item_are_audited_once(
    client: httpx2.AsyncClient, headers, session_factory
):
    """Of simultaneous DELETEs of one item only the one that removed it writes its
    `item.deleted` audit row."""
    rounds = 3
    for _ in range(rounds):
        await delete_concurrently(client, headers)

    async with session_factory() as session:
        deletions = await session.scalar(
            select(func.count()).where(AuditLog.action == "item.deleted")
        )
    assert deletions == rounds
