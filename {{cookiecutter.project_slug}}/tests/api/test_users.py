"""`/api/v1/users` over HTTP: registration and the caller's profile."""

import httpx2
import pytest

from tests.factories import PASSWORD, auth_headers, register_user

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
    assert (old.status_code, new.status_code) == (401, 200)


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
