"""`/api/v1/users` over HTTP: registration and the caller's profile."""

import httpx2
import pytest

from tests.factories import PASSWORD, auth_headers, register_user

URL = "/api/v1/users/"


async def test_register_returns_201_without_password(client: httpx2.AsyncClient):
    """Registration answers 201 with the profile and no trace of the password."""
    response = await client.post(URL, json={"email": "Ann@Example.com", "password": PASSWORD})

    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ann@example.com"
    assert (body["is_active"], body["is_superuser"]) == (True, False)
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
        ({"email": "a@example.com", "password": PASSWORD, "is_superuser": True}, "is_superuser"),
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
