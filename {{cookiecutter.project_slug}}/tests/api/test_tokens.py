"""Refresh-token rotation, reuse detection, logout and forged tokens, attacked over HTTP."""

import time

import httpx2
import jwt
import pytest
from sqlalchemy import delete

from {{ cookiecutter.package_name }}.models.user import User
from tests.factories import PASSWORD, register_user

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
LOGOUT_ALL = "/api/v1/auth/logout-all"
ME = "/api/v1/users/me"


async def login(client: httpx2.AsyncClient, email: str) -> dict:
    response = await client.post(LOGIN, data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(pair: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


@pytest.fixture
async def email(client: httpx2.AsyncClient) -> str:
    """The email of a freshly registered user."""
    return (await register_user(client))["email"]


async def test_refresh_returns_a_new_working_pair(client: httpx2.AsyncClient, email: str):
    """A refresh token buys a new access token that works, and a different refresh token."""
    pair = await login(client, email)

    response = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})

    assert response.status_code == 200
    new = response.json()
    assert new["refresh_token"] != pair["refresh_token"]
    assert (await client.get(ME, headers=bearer(new))).status_code == 200


async def test_reusing_a_refresh_token_revokes_the_family(client: httpx2.AsyncClient, email: str):
    """A replayed refresh token is refused, and the pair issued from it dies too."""
    stolen = await login(client, email)
    rotated = (await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})).json()

    replay = await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})

    assert replay.status_code == 401
    assert replay.json()["code"] == "auth.invalid_refresh_token"
    assert replay.headers["WWW-Authenticate"] == "Bearer"
    legit = await client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
    assert legit.status_code == 401
    assert (await client.get(ME, headers=bearer(rotated))).status_code == 401


async def test_reuse_leaves_other_sessions_alone(client: httpx2.AsyncClient, email: str):
    """Revoking one stolen family does not log the user out elsewhere."""
    stolen = await login(client, email)
    other_device = await login(client, email)
    await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})
    await client.post(REFRESH, json={"refresh_token": stolen["refresh_token"]})

    assert (await client.get(ME, headers=bearer(other_device))).status_code == 200


@pytest.mark.parametrize("token", ["", "x" * 257, "not-a-real-refresh-token"])
async def test_bogus_refresh_tokens_are_refused(client: httpx2.AsyncClient, token: str):
    """Empty, oversized and unknown refresh tokens are refused with 4xx, never 500."""
    response = await client.post(REFRESH, json={"refresh_token": token})

    assert response.status_code in (401, 422)


async def test_access_token_is_not_a_refresh_token(client: httpx2.AsyncClient, email: str):
    """An access token presented as a refresh token is refused."""
    pair = await login(client, email)

    response = await client.post(REFRESH, json={"refresh_token": pair["access_token"]})

    assert response.status_code in (401, 422)


async def test_logout_kills_access_and_refresh_token(client: httpx2.AsyncClient, email: str):
    """After logout the access token is refused at once and the refresh token is dead."""
    pair = await login(client, email)

    response = await client.post(
        LOGOUT, json={"refresh_token": pair["refresh_token"]}, headers=bearer(pair)
    )

    assert response.status_code == 204
    assert (await client.get(ME, headers=bearer(pair))).status_code == 401
    refresh = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    assert refresh.status_code == 401


async def test_logout_needs_authentication(client: httpx2.AsyncClient, email: str):
    """Logout without an access token is 401 and revokes nothing."""
    pair = await login(client, email)

    response = await client.post(LOGOUT, json={"refresh_token": pair["refresh_token"]})

    assert response.status_code == 401
    assert (await client.get(ME, headers=bearer(pair))).status_code == 200


async def test_logout_all_ends_every_session(client: httpx2.AsyncClient, email: str):
    """logout-all refuses every access and refresh token the user had."""
    laptop = await login(client, email)
    phone = await login(client, email)

    response = await client.post(LOGOUT_ALL, headers=bearer(laptop))

    assert response.status_code == 204
    for pair in (laptop, phone):
        assert (await client.get(ME, headers=bearer(pair))).status_code == 401
        refresh = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
        assert refresh.status_code == 401
    assert (await client.get(ME, headers=bearer(await login(client, email)))).status_code == 200


def forge(settings, **overrides) -> str:
    """A token signed with the real key whose claims we control: what an insider could mint."""
    now = int(time.time())
    claims = {"sub": "1", "sid": "x", "jti": "j", "type": "access", "iat": now, "exp": now + 60}
    claims.update(overrides)
    claims = {key: value for key, value in claims.items() if value is not None}
    return jwt.encode(claims, settings.secret_key, algorithm="HS256")


@pytest.mark.parametrize(
    "overrides",
    [{"type": "refresh"}, {"type": None}, {"sid": None}, {"sid": "no-such-session"}],
    ids=["refresh-type", "no-type", "no-session", "unknown-session"],
)
async def test_tokens_outside_a_live_session_are_refused(
    client: httpx2.AsyncClient, settings, email: str, overrides: dict
):
    """Correctly signed tokens of the wrong type or without a live session are refused."""
    user_id = (await client.get(ME, headers=bearer(await login(client, email)))).json()["id"]

    token = forge(settings, sub=str(user_id), **overrides)
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_unsigned_token_is_refused(client: httpx2.AsyncClient, email: str):
    """An `alg: none` token with a real session id is still refused."""
    pair = await login(client, email)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})

    unsigned = jwt.encode(claims, None, algorithm="none")
    response = await client.get(ME, headers={"Authorization": f"Bearer {unsigned}"})

    assert response.status_code == 401


async def test_tampered_subject_is_refused(client: httpx2.AsyncClient, email: str):
    """Re-signing another user's id into a real token needs the key: without it, 401."""
    pair = await login(client, email)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    claims["sub"] = str(int(claims["sub"]) + 1)

    tampered = jwt.encode(claims, "guessed-key-guessed-key-guessed-key!", algorithm="HS256")
    response = await client.get(ME, headers={"Authorization": f"Bearer {tampered}"})

    assert response.status_code == 401


async def test_deleted_users_token_is_refused(client: httpx2.AsyncClient, session_factory, email):
    """Once a user is deleted, their still-unexpired token is refused."""
    pair = await login(client, email)
    async with session_factory() as session:
        await session.execute(delete(User).where(User.email == email))
        await session.commit()

    assert (await client.get(ME, headers=bearer(pair))).status_code == 401
