"""A standard OAuth2 client (authlib's, as a team's other services and scripts would use it)
against the token endpoint and the API: it logs in, refreshes and recognises every failure
from RFC 6749 and RFC 6750 alone, with no code written for this service."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.core.security import TokenCodec
from tests.api.test_mfa import turn_on_mfa
from tests.api.test_rate_limits import limited_app
from tests.conftest import close_app
from tests.factories import PASSWORD, register_user

BASE = "http://testserver"
TOKEN_URL = f"{BASE}/api/v1/auth/login"
ME = f"{BASE}/api/v1/users/me"


def oauth2_client(app: FastAPI) -> AsyncOAuth2Client:
    """authlib's client, talking to the app in-process. No client id: a public client."""
    transport = httpx2.ASGITransport(app=app)
    return AsyncOAuth2Client(client_id=None, transport=transport, base_url=BASE)


async def bearer_for(oauth2: AsyncOAuth2Client, email: str) -> dict[str, str]:
    """Log in through the client; the bearer headers of the token it got."""
    token = await oauth2.fetch_token(TOKEN_URL, username=email, password=PASSWORD)
    return {"Authorization": f"Bearer {token['access_token']}"}


@pytest.fixture
async def oauth2(app: FastAPI) -> AsyncIterator[AsyncOAuth2Client]:
    async with oauth2_client(app) as client:
        yield client


@pytest.fixture
async def email(client: httpx2.AsyncClient) -> str:
    """The email of a freshly registered user (the `client` fixture empties the tables)."""
    return (await register_user(client))["email"]


async def test_password_grant_gives_a_token_that_opens_the_api(
    oauth2: AsyncOAuth2Client, email: str
):
    """`fetch_token` with a username and password stores a bearer token the client then
    sends on its own."""
    token = await oauth2.fetch_token(TOKEN_URL, username=email, password=PASSWORD)

    assert token["token_type"] == "bearer"
    assert token["refresh_token"]
    me = await oauth2.get(ME)
    assert (me.status_code, me.json()["email"]) == (200, email)


async def test_wrong_password_raises_invalid_grant_and_stores_nothing(
    oauth2: AsyncOAuth2Client, email: str
):
    """The library raises its OAuth error, named `invalid_grant`, instead of keeping the
    error body as a token."""
    with pytest.raises(OAuthError) as raised:
        await oauth2.fetch_token(TOKEN_URL, username=email, password="not the password")

    assert raised.value.error == "invalid_grant"
    assert raised.value.description == "Incorrect email or password."
    assert not oauth2.token


async def test_refresh_grant_rotates_the_token(oauth2: AsyncOAuth2Client, email: str):
    """`refresh_token` sends the standard refresh grant to the token endpoint and gets a new
    pair; the new access token works."""
    first = await oauth2.fetch_token(TOKEN_URL, username=email, password=PASSWORD)

    second = await oauth2.refresh_token(TOKEN_URL, refresh_token=first["refresh_token"])

    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert (await oauth2.get(ME)).status_code == 200


async def test_reused_refresh_token_is_invalid_grant_and_ends_the_family(
    oauth2: AsyncOAuth2Client, email: str
):
    """A refresh token sent twice (a stolen copy) is refused with `invalid_grant`, and the
    pair issued from it is revoked with it."""
    stolen = await oauth2.fetch_token(TOKEN_URL, username=email, password=PASSWORD)
    rotated = await oauth2.refresh_token(TOKEN_URL, refresh_token=stolen["refresh_token"])

    with pytest.raises(OAuthError) as replayed:
        await oauth2.refresh_token(TOKEN_URL, refresh_token=stolen["refresh_token"])
    with pytest.raises(OAuthError) as after:
        await oauth2.refresh_token(TOKEN_URL, refresh_token=rotated["refresh_token"])

    assert (replayed.value.error, after.value.error) == ("invalid_grant", "invalid_grant")
    me = await oauth2.get(ME, headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert me.status_code == 401


async def test_expired_access_token_is_answered_invalid_token(
    oauth2: AsyncOAuth2Client, email: str, client: httpx2.AsyncClient, settings
):
    """An expired access token gets 401 with `error="invalid_token"` (RFC 6750), which tells
    a client to refresh rather than ask the user to log in again."""
    user_id = (await client.get(ME, headers=await bearer_for(oauth2, email))).json()["id"]
    expired = TokenCodec.from_settings(settings).issue(
        user_id=user_id, session_id="s", now=datetime.now(UTC) - timedelta(hours=1)
    )
    oauth2.token = {"access_token": expired.token, "token_type": "bearer"}

    response = await oauth2.get(ME)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


async def test_account_with_mfa_raises_mfa_required(
    oauth2: AsyncOAuth2Client, client: httpx2.AsyncClient, email: str
):
    """A correct password for an account with MFA on is an OAuth error the client can tell
    apart (`mfa_required`), not a token."""
    await turn_on_mfa(client, await bearer_for(oauth2, email))
    oauth2.token = None

    with pytest.raises(OAuthError) as raised:
        await oauth2.fetch_token(TOKEN_URL, username=email, password=PASSWORD)

    assert raised.value.error == "mfa_required"
    assert not oauth2.token


async def test_too_many_attempts_raise_an_oauth_error(settings, client: httpx2.AsyncClient):
    """Rate-limited logins stay 429 with Retry-After, and their body names an RFC 6749 error,
    so the client raises instead of storing the refusal as a token."""
    email = (await register_user(client))["email"]
    app = limited_app(settings, rate_limit_login_account="2/minute")
    try:
        async with oauth2_client(app) as oauth2:
            for _ in range(2):
                with pytest.raises(OAuthError):
                    await oauth2.fetch_token(TOKEN_URL, username=email, password="wrong")
            with pytest.raises(OAuthError) as raised:
                await oauth2.fetch_token(TOKEN_URL, username=email, password=PASSWORD)
    finally:
        await close_app(app)

    assert raised.value.error == "temporarily_unavailable"
    assert not oauth2.token
