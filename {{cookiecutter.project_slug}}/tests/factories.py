"""Helpers that create test data through the public API, as a client would."""

import itertools

import httpx2

_counter = itertools.count(1)
{%- if cookiecutter.use_auth %}

PASSWORD = "correct horse battery staple"


def unique_email() -> str:
    return f"user{next(_counter)}@example.com"


async def register_user(
    client: httpx2.AsyncClient, *, email: str | None = None, password: str = PASSWORD
) -> dict:
    response = await client.post(
        "/api/v1/users/", json={"email": email or unique_email(), "password": password}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def login(client: httpx2.AsyncClient, *, email: str, password: str = PASSWORD) -> str:
    """Log in and return the access token."""
    response = await client.post(
        "/api/v1/auth/login", data={"username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def auth_headers(client: httpx2.AsyncClient, *, email: str | None = None) -> dict[str, str]:
    """Register a new user and return headers carrying their bearer token."""
    user = await register_user(client, email=email)
    return {"Authorization": f"Bearer {await login(client, email=user['email'])}"}
{%- endif %}


async def create_item(
    client: httpx2.AsyncClient, headers: dict[str, str], *, title: str | None = None
) -> dict:
    """Create an item through the API as the caller `headers` name (none without auth)."""
    response = await client.post(
        "/api/v1/items/",
        json={"title": title or f"item {next(_counter)}", "description": "made by a test"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()
