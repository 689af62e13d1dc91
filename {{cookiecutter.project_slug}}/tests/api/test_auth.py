"""`/api/v1/auth/login` and bearer-token rules over HTTP."""

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

import httpx2
import pytest
from sqlalchemy import event, update

from {{ cookiecutter.package_name }}.api.auth_deps import (
    CurrentPrincipal,
    CurrentUser,
    get_auth_service,
    require,
)
from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.core.permissions import Permission
from {{ cookiecutter.package_name }}.core.security import AccessClaims, TokenCodec
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.schemas.user import UserRead
from {{ cookiecutter.package_name }}.services.auth import Principal
from tests.api.test_admin import make_admin
from tests.conftest import close_app
from tests.factories import PASSWORD, register_user

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/users/me"


async def test_login_returns_bearer_token(client: httpx2.AsyncClient):
    """Correct credentials answer an access token that opens /users/me, never cached."""
    user = await register_user(client)

    response = await client.post(LOGIN, data={"username": user["email"], "password": PASSWORD})

    assert response.status_code == 200
    assert (response.headers["Cache-Control"], response.headers["Pragma"]) == (
        "no-store",
        "no-cache",
    )
    body = response.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", 1800)
    assert body["refresh_token"]
    me = await client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["id"] == user["id"]


@pytest.mark.parametrize("case", ["wrong-password", "unknown-email"])
async def test_bad_credentials_answer_the_same_invalid_grant(client: httpx2.AsyncClient, case: str):
    """A wrong password and an unknown email get the identical RFC 6749 `invalid_grant`
    answer, with our `detail` and `code` beside it, never cached."""
    user = await register_user(client)
    email = user["email"] if case == "wrong-password" else "nobody@example.com"
    password = "wrong password!" if case == "wrong-password" else PASSWORD

    response = await client.post(LOGIN, data={"username": email, "password": password})

    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Incorrect email or password.",
        "detail": "Incorrect email or password.",
        "code": "auth.invalid_credentials",
    }


@pytest.mark.parametrize(
    ("form", "missing"),
    [
        ({}, "username and password"),
        ({"grant_type": "password", "username": "a@example.com"}, "password"),
        ({"grant_type": "refresh_token"}, "refresh_token"),
    ],
    ids=["nothing", "password-grant-without-password", "refresh-grant-without-token"],
)
async def test_token_request_missing_a_field_is_invalid_request(
    client: httpx2.AsyncClient, form: dict[str, str], missing: str
):
    """A token request without a field its grant needs is RFC 6749's `invalid_request`,
    naming what is missing."""
    response = await client.post(LOGIN, data=form)

    assert response.status_code == 400
    body = response.json()
    assert (body["error"], body["code"]) == ("invalid_request", "validation_error")
    assert body["error_description"].endswith(f"needs {missing}")


async def test_repeated_parameter_is_invalid_request(client: httpx2.AsyncClient):
    """A field sent twice is refused (RFC 6749, 3.2), not read as its last value: a proxy that
    reads the first would see another grant than the service."""
    user = await register_user(client)
    form = {"grant_type": ["refresh_token", "password"], "username": user["email"]}

    response = await client.post(LOGIN, data={**form, "password": PASSWORD})

    assert response.status_code == 400
    body = response.json()
    assert (body["error"], body["code"]) == ("invalid_request", "auth.repeated_parameter")
    assert "grant_type" in body["error_description"]


async def test_error_description_holds_only_what_rfc_6749_allows(client: httpx2.AsyncClient):
    """`error_description` keeps to printable ASCII without quotes and backslashes, whatever
    the validation message said; `detail` keeps it whole."""
    response = await client.post(LOGIN, data={"username": "a\u0000b", "password": "x"})

    body = response.json()
    assert body["error"] == "invalid_request"
    assert re.fullmatch(r"[\x20-\x21\x23-\x5b\x5d-\x7e]+", body["error_description"])
    assert "\\" in body["detail"]


async def test_unknown_grant_type_is_unsupported_grant_type(client: httpx2.AsyncClient):
    """A grant this server does not offer is named as such, not as a malformed request."""
    response = await client.post(LOGIN, data={"grant_type": "client_credentials"})

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_refresh_grant_at_the_token_endpoint_rotates_the_pair(client: httpx2.AsyncClient):
    """`grant_type=refresh_token` gives a new working pair, and the spent refresh token is
    then `invalid_grant`."""
    user = await register_user(client)
    pair = (await client.post(LOGIN, data={"username": user["email"], "password": PASSWORD})).json()
    grant = {"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}

    fresh = await client.post(LOGIN, data=grant)
    me = await client.get(ME, headers={"Authorization": f"Bearer {fresh.json()['access_token']}"})
    spent = await client.post(LOGIN, data=grant)

    assert fresh.status_code == 200
    assert fresh.json()["refresh_token"] != pair["refresh_token"]
    assert me.status_code == 200
    assert (spent.status_code, spent.json()["error"]) == (400, "invalid_grant")


INVALID_TOKEN = 'Bearer error="invalid_token", error_description="Could not validate credentials."'


@pytest.mark.parametrize(
    ("authorization", "challenge"),
    [
        ("Bearer not-a-jwt", INVALID_TOKEN),
        ("Bearer a.b.c", INVALID_TOKEN),
        ("Bearer ", "Bearer"),
        ("Basic dXNlcjpwYXNz", "Bearer"),
    ],
    ids=["garbage", "bad-segments", "empty", "wrong-scheme"],
)
async def test_bad_tokens_are_401_saying_whether_a_token_was_refused(
    client: httpx2.AsyncClient, authorization: str, challenge: str
):
    """Malformed or foreign authorization headers answer 401, never 500. A bearer token that
    was presented and refused is named `invalid_token` (RFC 6750); with none, plain `Bearer`."""
    response = await client.get(ME, headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == challenge


async def test_expired_token_is_401_invalid_token(client: httpx2.AsyncClient, settings):
    """A token past its expiry is refused as `invalid_token`, so a client knows to refresh."""
    user = await register_user(client)
    expired = TokenCodec.from_settings(settings).issue(
        user_id=user["id"], session_id="s", now=datetime.now(UTC) - timedelta(hours=1)
    )

    response = await client.get(ME, headers={"Authorization": f"Bearer {expired.token}"})

    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN


async def test_token_signed_with_another_key_is_401(client: httpx2.AsyncClient, settings):
    """A token minted with someone else's key is refused."""
    user = await register_user(client)
    forged = TokenCodec(secret_key="f" * 48, algorithm="HS256", expire_minutes=30)

    token = forged.issue(user_id=user["id"], session_id="s").token

    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


async def test_deactivated_users_token_stops_working(client: httpx2.AsyncClient, session_factory):
    """Deactivating a user invalidates their tokens at once, and they cannot log in."""
    user = await register_user(client)
    login = await client.post(LOGIN, data={"username": user["email"], "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    async with session_factory() as session:
        await session.execute(update(User).where(User.id == user["id"]).values(is_active=False))
        await session.commit()

    assert (await client.get(ME, headers=headers)).status_code == 401
    relogin = await client.post(LOGIN, data={"username": user["email"], "password": PASSWORD})
    assert relogin.status_code == 400


async def test_a_route_asking_for_the_caller_three_ways_checks_the_token_once(
    client: httpx2.AsyncClient, session_factory, settings: Settings
):
    """The user, the principal and a permission check share one look-up of the session."""
    user, headers = await make_admin(client, session_factory)
    app = create_app(settings)

    @app.get("/probe")
    async def probe(
        me: CurrentUser,
        caller: CurrentPrincipal,
        reader: Annotated[Principal, require(Permission.USERS_READ)],
    ) -> list[int]:
        return [me.id, caller.user.id, reader.user.id]

    looked_up: list[str] = []

    def on_execute(_conn, _cursor, statement: str, *_: object) -> None:
        if "auth_session" in statement:
            looked_up.append(statement)

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", on_execute)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as other:
        response = await other.get("/probe", headers=headers)
    await close_app(app)

    assert response.status_code == 200, response.text
    assert response.json() == [user["id"]] * 3
    assert len(looked_up) == 1


async def test_overriding_the_auth_service_reaches_authentication(settings: Settings):
    """Authentication asks the auth service for the caller, so a test that overrides
    `get_auth_service` decides who is calling, on every protected route."""
    now = datetime.now(UTC)
    caller = UserRead(
        id=41,
        email="stand-in@example.com",
        full_name=None,
        is_active=True,
        role="user",
        created_at=now,
    )
    claims = AccessClaims(user_id=41, session_id="s", jti="j", expires_at=now + timedelta(1))
    seen: list[str] = []

    class StandInAuth:
        async def authenticate(self, token: str) -> Principal:
            seen.append(token)
            return Principal(user=caller, claims=claims)

    app = create_app(settings)
    app.dependency_overrides[get_auth_service] = StandInAuth
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as other:
        response = await other.get(ME, headers={"Authorization": "Bearer any-token"})
    await close_app(app)

    assert response.status_code == 200, response.text
    assert response.json()["email"] == "stand-in@example.com"
    assert seen == ["any-token"]


def test_openapi_shows_one_oauth2_password_scheme_on_the_protected_routes(app):
    """`/docs` keeps its Authorize button: one OAuth2 password scheme, required where the
    caller is, and not on login or registration."""
    document = app.openapi()
    paths = document["paths"]

    assert document["components"]["securitySchemes"] == {
        "OAuth2PasswordBearer": {
            "type": "oauth2",
            "flows": {
                "password": {"scopes": {}, "tokenUrl": LOGIN, "refreshUrl": LOGIN},
            },
        }
    }
    assert paths[ME]["get"]["security"] == [{"OAuth2PasswordBearer": []}]
    assert paths["/api/v1/admin/users/"]["get"]["security"] == [{"OAuth2PasswordBearer": []}]
    assert "security" not in paths[LOGIN]["post"]
    assert "security" not in paths["/api/v1/users/"]["post"]


async def test_auth_answers_are_never_cached_failures_included(client: httpx2.AsyncClient):
    """A refused login, a refused refresh and a granted login each carry exactly one
    `Cache-Control: no-store` (the route's own, or the edge's for an error)."""
    user = await register_user(client)
    answers = [
        await client.post(
            "/api/v1/auth/login", data={"username": user["email"], "password": "wrong password"}
        ),
        await client.post("/api/v1/auth/refresh", json={"refresh_token": "never issued"}),
        await client.post(
            "/api/v1/auth/login", data={"username": user["email"], "password": PASSWORD}
        ),
    ]

    assert [answer.status_code for answer in answers] == [400, 401, 200]
    assert [answer.headers.get_list("cache-control") for answer in answers] == [["no-store"]] * 3
