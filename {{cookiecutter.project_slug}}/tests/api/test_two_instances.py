"""Two instances of the service behave as one: what one decides, the other knows at once.

Replicas and worker processes share nothing but their backing services. Each test builds a
second app from the same settings (its own engine, pools and caches, as another process has)
and sends requests through both. Failed logins spread over two instances meeting one limit are
tested in test_rate_limits.py.
"""

from collections.abc import AsyncIterator

import httpx2
import pytest

from {{ cookiecutter.package_name }}.main import create_app
from tests.api.test_admin import AUDIT, USERS, make_admin
from tests.conftest import close_app
from tests.factories import PASSWORD, login, register_user

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/users/me"


@pytest.fixture
async def other(settings, engine) -> AsyncIterator[httpx2.AsyncClient]:
    """A client of a second instance of the service, built from the same settings."""
    app = create_app(settings)
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await close_app(app)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_from_one_instance_is_accepted_by_the_other(client, other):
    user = await register_user(client)
    token = await login(client, email=user["email"])

    me = await other.get(ME, headers=bearer(token))

    assert me.status_code == 200
    assert me.json()["id"] == user["id"]


async def test_logout_through_one_instance_is_refused_by_the_other_at_once(client, other):
    """Both instances have just accepted the token (and cached what they could); a logout
    through the first ends it on the second with the very next request."""
    user = await register_user(client)
    pair = (await client.post(LOGIN, data={"username": user["email"], "password": PASSWORD})).json()
    headers = bearer(pair["access_token"])
    assert (await other.get(ME, headers=headers)).status_code == 200

    logout = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=headers
    )

    assert logout.status_code == 204
    assert (await other.get(ME, headers=headers)).status_code == 401
    refresh = {"refresh_token": pair["refresh_token"]}
    assert (await other.post("/api/v1/auth/refresh", json=refresh)).status_code == 401


async def test_deactivation_through_one_instance_is_refused_by_the_other_at_once(
    client, other, session_factory
):
    _, admin_headers = await make_admin(client, session_factory)
    user = await register_user(client)
    headers = bearer(await login(other, email=user["email"]))
    assert (await other.get(ME, headers=headers)).status_code == 200

    changed = await client.patch(
        f"{USERS}{user['id']}", json={"is_active": False}, headers=admin_headers
    )

    assert changed.status_code == 200
    assert (await other.get(ME, headers=headers)).status_code == 401


async def test_the_audit_log_records_what_both_instances_did(client, other, session_factory):
    """A failed login on each instance leaves a row each, in the one log either can read."""
    _, admin_headers = await make_admin(client, session_factory)
    user = await register_user(client)
    for instance in (client, other):
        await instance.post(LOGIN, data={"username": user["email"], "password": "wrong"})

    for instance in (client, other):
        answer = await instance.get(
            AUDIT, params={"action": "auth.login_failed"}, headers=admin_headers
        )
        assert len(answer.json()["items"]) == 2
