"""`/api/v1/users` over HTTP: registration and the caller's profile."""

import httpx2
import pytest
from sqlalchemy import select

from {{ cookiecutter.package_name }}.models.audit import AuditLog
from tests.api.test_rate_limits import client_for, limited_app
from tests.conftest import close_app
from tests.factories import PASSWORD, auth_headers, login, register_user
from tests.fixtures.accounts import Mailbox

URL = "/api/v1/users/"
LOGIN = "/api/v1/auth/login"


async def test_register_returns_201_without_password(client: httpx2.AsyncClient):
    """Registration answers 201 with the profile and no trace of the password."""
    response = await client.post(URL, json={"email": "Ann@Example.com", "password": PASSWORD})

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ann@example.com"
    assert (body["is_active"], body["role"]) == (True, "user")
    assert "password" not in response.text
    assert "hashed_password" not in body


async def test_register_taken_email_is_409(client: httpx2.AsyncClient):
    """A second registration with the same email answers 409 user.email_taken."""
    await register_user(client, email="ann@example.com")

    response = await client.post(URL, json={"email": "ANN@example.com", "password": PASSWORD})

    assert response.status_code == 409
    assert response.json()["code"] == "user.email_taken"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
        ({"email": "a@example.com", "password": "Ab3$x"}, "password"),
        ({"email": "a@example.com", "password": "x" * 129}, "password"),
        ({"email": "a@example.com", "password": PASSWORD, "role": "admin"}, "role"),
    ],
    ids=["bad-email", "short-password", "long-password", "self-promotion"],
)
async def test_register_rejects_invalid_input(client: httpx2.AsyncClient, payload, field):
    """Invalid registrations answer 422 naming the field, never echoing the password."""
    response = await client.post(URL, json=payload)

    assert response.status_code == 422
    assert field in {error["loc"][-1] for error in response.json()["detail"]}
    assert payload["password"] not in response.text


async def test_me_returns_the_callers_profile(client: httpx2.AsyncClient):
    """/users/me answers the profile of the token's user."""
    headers = await auth_headers(client, email="me@example.com")

    response = await client.get(f"{URL}me", headers=headers)

    assert response.status_code == 200
    assert response.json()["email"] == "me@example.com"


async def test_me_without_token_is_401(client: httpx2.AsyncClient):
    """/users/me without a token answers 401 with a Bearer challenge."""
    response = await client.get(f"{URL}me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_password_change_revokes_other_sessions(client: httpx2.AsyncClient):
    """Changing the password keeps this session, ends the others, and swaps the password."""
    user = await register_user(client)
    here = await login_pair(client, user["email"], PASSWORD)
    elsewhere = await login_pair(client, user["email"], PASSWORD)

    response = await client.patch(
        f"{URL}me",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
        headers=bearer(here),
    )

    assert response.status_code == 200
    assert (await client.get(f"{URL}me", headers=bearer(here))).status_code == 200
    assert (await client.get(f"{URL}me", headers=bearer(elsewhere))).status_code == 401
    old = await client.post(LOGIN, data={"username": user["email"], "password": PASSWORD})
    new = await client.post(
        LOGIN, data={"username": user["email"], "password": "a brand new password"}
    )
    assert (old.status_code, new.status_code) == (400, 200)


@pytest.mark.parametrize(
    "payload",
    [
        {"current_password": "wrong password", "new_password": "a brand new password"},
        {"new_password": "a brand new password"},
    ],
    ids=["wrong-current", "missing-current"],
)
async def test_password_change_needs_the_current_password(client: httpx2.AsyncClient, payload):
    """Without the right current password the change is refused and nothing changes."""
    user = await register_user(client)
    pair = await login_pair(client, user["email"], PASSWORD)

    response = await client.patch(f"{URL}me", json=payload, headers=bearer(pair))

    assert response.status_code == 422
    assert response.json()["code"] == "user.invalid_current_password"
    still = await client.post(LOGIN, data={"username": user["email"], "password": PASSWORD})
    assert still.status_code == 200


async def test_profile_update_changes_name_only(client: httpx2.AsyncClient):
    """A name change needs no password and keeps every session."""
    headers = await auth_headers(client)

    response = await client.patch(f"{URL}me", json={"full_name": "Ann Example"}, headers=headers)

    assert response.status_code == 200
    assert response.json()["full_name"] == "Ann Example"


async def login_pair(client: httpx2.AsyncClient, email: str, password: str) -> dict:
    response = await client.post(LOGIN, data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(pair: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def test_wrong_current_passwords_count_against_the_account_limit(settings, client, engine):
    """Guessing the current password through PATCH /users/me is limited like login: each
    failure is audited, and once the account's limit is used up even the right one gets 429."""
    user = await register_user(client)
    app = limited_app(settings, rate_limit_login_account="4/minute")
    try:
        async with client_for(app) as thief:
            headers = {"Authorization": f"Bearer {await login(thief, email=user['email'])}"}
            wrong = [
                await thief.patch(
                    f"{URL}me",
                    json={"current_password": f"guess {n}", "new_password": "stolen password"},
                    headers=headers,
                )
                for n in range(3)
            ]
            right = await thief.patch(
                f"{URL}me",
                json={"current_password": PASSWORD, "new_password": "stolen password"},
                headers=headers,
            )
    finally:
        await close_app(app)

    assert [response.status_code for response in wrong] == [422, 422, 422]
    assert right.status_code == 429
    assert int(right.headers["Retry-After"]) > 0
    async with engine.connect() as connection:
        actions = (
            await connection.execute(select(AuditLog.action).where(AuditLog.actor_id == user["id"]))
        ).scalars()
        assert list(actions).count("auth.password_check_failed") == 3


@pytest.mark.parametrize(
    ("registered", "other_form"),
    [
        ("admin@example.com", "\uff41\uff44\uff4d\uff49\uff4e@example.com"),  # fullwidth
        ("jos\u00e9@example.com", "jose\u0301@example.com"),  # composed vs decomposed
        ("ann@example.com", " Ann@Example.COM "),
        ("dave@example\uff61com", "dave@example.com"),  # a full stop IDNA maps to "."
    ],
    ids=["fullwidth", "nfd", "spaces-and-case", "idna-mapped-domain"],
)
async def test_one_email_in_any_form_is_one_account(client, registered: str, other_form: str):
    """Registration and login normalise emails the same way (NFKC, stripped, lower-case):
    another form of a registered address is taken, and logs in to the same account."""
    user = await register_user(client, email=registered)

    second = await client.post(URL, json={"email": other_form, "password": PASSWORD})
    logins = [
        await client.post(LOGIN, data={"username": form, "password": PASSWORD})
        for form in (registered, other_form)
    ]

    assert (second.status_code, second.json()["code"]) == (409, "user.email_taken")
    for logged_in in logins:
        assert logged_in.status_code == 200, logged_in.text
        me = await client.get(f"{URL}me", headers=bearer(logged_in.json()))
        assert me.json()["id"] == user["id"]


async def test_private_registration_answers_alike_for_new_and_taken_addresses(
    settings, client, mailbox: Mailbox
):
    """With PRIVATE_REGISTRATION, a taken address and a new one get the same 202 answer; the
    new one becomes an account, the owner of the taken one gets an email, and nothing else."""
    taken = await register_user(client)
    app = limited_app(settings, private_registration=True)
    try:
        async with client_for(app) as caller:
            answers = [
                await caller.post(URL, json={"email": email, "password": "another password"})
                for email in (taken["email"], "newcomer@example.com")
            ]
            await app.state.outbox.drain()
            newcomer = await caller.post(
                LOGIN, data={"username": "newcomer@example.com", "password": "another password"}
            )
            owner = await caller.post(
                LOGIN, data={"username": taken["email"], "password": "another password"}
            )
    finally:
        await close_app(app)

    assert [answer.status_code for answer in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    assert newcomer.status_code == 200
    assert owner.status_code == 400  # the existing account kept its own password
    assert [message["To"] for message in mailbox.messages] == [taken["email"]]
    body = mailbox.messages[0].get_body(("plain",))
    assert body is not None
    assert "already has one" in body.get_content()
