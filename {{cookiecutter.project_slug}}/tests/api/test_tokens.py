"""Refresh-token rotation, reuse detection, logout and forged tokens, attacked over HTTP."""

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx2
import jwt
import pytest
from sqlalchemy import delete, select, update

from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models.session import AuthSession, RefreshToken
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.repositories.session import SessionRepository
from tests.conftest import close_app
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


@pytest.mark.parametrize("url", [LOGOUT, LOGOUT_ALL])
async def test_logout_answers_204_without_content_type(client: httpx2.AsyncClient, email, url):
    """Logging out answers 204 with no body and no Content-Type."""
    pair = await login(client, email)

    response = await client.post(
        url, json={"refresh_token": pair["refresh_token"]}, headers=bearer(pair)
    )

    assert response.status_code == 204
    assert "content-type" not in response.headers
    assert response.content == b""


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
    """Correctly signed tokens of the wrong type or without a live session are refused as
    `invalid_token`."""
    user_id = (await client.get(ME, headers=bearer(await login(client, email)))).json()["id"]

    token = forge(settings, sub=str(user_id), **overrides)
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


async def test_unsigned_token_is_refused(client: httpx2.AsyncClient, email: str):
    """An `alg: none` token with a real session id is still refused."""
    pair = await login(client, email)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})

    unsigned = jwt.encode(claims, "", algorithm="none")
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


def session_of(pair: dict) -> str:
    """The session id (`sid`) a token pair belongs to."""
    return jwt.decode(pair["access_token"], options={"verify_signature": False})["sid"]


async def start_session_ago(session_factory, pair: dict, age: timedelta) -> datetime:
    """Make the pair's session look as if it started `age` ago; returns its new start."""
    started = datetime.now(UTC) - age
    async with session_factory() as session:
        await session.execute(
            update(AuthSession).where(AuthSession.id == session_of(pair)).values(created_at=started)
        )
        await session.commit()
    return started


async def test_session_past_its_lifetime_cannot_refresh(
    client: httpx2.AsyncClient, session_factory, email: str
):
    """A session older than SESSION_MAX_LIFETIME_DAYS (30) refreshes no more, though its
    refresh token has not expired."""
    pair = await login(client, email)
    await start_session_ago(session_factory, pair, timedelta(days=30, minutes=1))

    response = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})

    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_refresh_token"


async def test_refresh_near_the_lifetime_expires_at_the_sessions_end(
    client: httpx2.AsyncClient, session_factory, email: str
):
    """Rotation an hour before the session's end issues a token that expires exactly then."""
    pair = await login(client, email)
    started = await start_session_ago(session_factory, pair, timedelta(days=30, hours=-1))

    response = await client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})

    assert response.status_code == 200
    assert 3600 - 10 <= response.json()["refresh_expires_in"] <= 3600
    async with session_factory() as session:
        expires_at = await session.scalar(
            select(RefreshToken.expires_at).where(
                RefreshToken.session_id == session_of(pair), RefreshToken.used_at.is_(None)
            )
        )
    assert expires_at == started + timedelta(days=30)


@pytest.fixture
def slow_spend(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refreshes pause before spending their token: two at once then both read it unspent
    where readers do not wait for a writer (PostgreSQL), the race two tabs can run into."""
    spend = SessionRepository.spend_refresh_token

    async def paused(self: SessionRepository, token_id: int, *, now: datetime) -> bool:
        await asyncio.sleep(0.1)
        return await spend(self, token_id, now=now)

    monkeypatch.setattr(SessionRepository, "spend_refresh_token", paused)


async def refresh_twice_at_once(client: httpx2.AsyncClient, token: str) -> list[httpx2.Response]:
    """Two refreshes with the same token, concurrently (two tabs of one browser)."""
    return list(
        await asyncio.gather(
            *(client.post(REFRESH, json={"refresh_token": token}) for _ in range(2))
        )
    )


async def test_concurrent_refreshes_revoke_the_family_by_default(
    client: httpx2.AsyncClient, email: str, slow_spend: None
):
    """Without a reuse interval, a second concurrent use is reuse: one 200, one 401, and the
    winner's new pair dies with the session."""
    pair = await login(client, email)

    responses = await refresh_twice_at_once(client, pair["refresh_token"])

    assert sorted(response.status_code for response in responses) == [200, 401]
    winner = next(response.json() for response in responses if response.status_code == 200)
    assert (await client.get(ME, headers=bearer(winner))).status_code == 401
    again = await client.post(REFRESH, json={"refresh_token": winner["refresh_token"]})
    assert again.status_code == 401


@pytest.fixture
async def lenient_client(settings, engine) -> AsyncIterator[httpx2.AsyncClient]:
    """A client of an app with REFRESH_REUSE_INTERVAL_SECONDS=10."""
    app = create_app(settings.model_copy(update={"refresh_reuse_interval_seconds": 10}))
    transport = httpx2.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await close_app(app)


async def test_concurrent_refreshes_within_the_interval_get_the_same_token(
    lenient_client: httpx2.AsyncClient, email: str, slow_spend: None
):
    """Within the reuse interval, both concurrent refreshes answer 200 with the same new
    refresh token, and the session lives on."""
    pair = await login(lenient_client, email)

    responses = await refresh_twice_at_once(lenient_client, pair["refresh_token"])

    assert [response.status_code for response in responses] == [200, 200]
    first, second = (response.json() for response in responses)
    assert first["refresh_token"] == second["refresh_token"] != pair["refresh_token"]
    for new in (first, second):
        assert (await lenient_client.get(ME, headers=bearer(new))).status_code == 200
    again = await lenient_client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert again.status_code == 200


async def test_reuse_after_the_interval_revokes_the_family(
    lenient_client: httpx2.AsyncClient, session_factory, email: str
):
    """A spent token presented again once the reuse interval has passed is reuse."""
    pair = await login(lenient_client, email)
    rotated = (
        await lenient_client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    ).json()
    async with session_factory() as session:
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.session_id == session_of(pair), RefreshToken.used_at.is_not(None))
            .values(used_at=datetime.now(UTC) - timedelta(seconds=11))
        )
        await session.commit()

    replay = await lenient_client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})

    assert replay.status_code == 401
    legit = await lenient_client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
    assert legit.status_code == 401


async def test_reuse_after_the_successor_was_spent_revokes_the_family(
    lenient_client: httpx2.AsyncClient, email: str
):
    """Within the interval, a token whose successor was already spent is still reuse."""
    pair = await login(lenient_client, email)
    second = (
        await lenient_client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})
    ).json()
    third = (
        await lenient_client.post(REFRESH, json={"refresh_token": second["refresh_token"]})
    ).json()

    replay = await lenient_client.post(REFRESH, json={"refresh_token": pair["refresh_token"]})

    assert replay.status_code == 401
    assert (await lenient_client.get(ME, headers=bearer(third))).status_code == 401
    legit = await lenient_client.post(REFRESH, json={"refresh_token": third["refresh_token"]})
    assert legit.status_code == 401
