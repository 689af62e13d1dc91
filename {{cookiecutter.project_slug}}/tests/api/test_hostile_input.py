"""Hostile input is refused with 422 at the schema boundary, never a 500 from the database:
NUL characters, integers beyond the column types, nulls for required columns, oversized
strings{% if cookiecutter.use_auth %}, datetimes out of range{% endif %}."""

import httpx2
import pytest

{% if cookiecutter.use_auth -%}
from tests.api.test_admin import make_admin
from tests.factories import create_item, register_user
{%- else -%}
from tests.factories import create_item
{%- endif %}

ITEMS = "/api/v1/items/"
BEYOND_INT32 = 2**31
BEYOND_INT64 = 2**63


def assert_refused(response: httpx2.Response) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    "payload",
    [{"title": "a\u0000b"}, {"title": "ok", "description": "a\u0000b"}],
    ids=["title", "description"],
)
async def test_nul_in_a_new_item_is_422(client: httpx2.AsyncClient, headers, payload):
    """A NUL character in an item's text is refused before it reaches the database."""
    response = await client.post(ITEMS, json=payload, headers=headers)
    listing = await client.get(ITEMS, headers=headers)

    assert_refused(response)
    assert listing.json()["total"] == 0


async def test_nul_in_an_item_update_is_422(client: httpx2.AsyncClient, headers):
    """A NUL character in a partial update is refused and the item keeps its text."""
    item = await create_item(client, headers, title="kept")

    response = await client.patch(
        f"{ITEMS}{item['id']}", json={"description": "\u0000"}, headers=headers
    )

    assert_refused(response)
    assert (await client.get(f"{ITEMS}{item['id']}", headers=headers)).json() == item


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("item_id", [0, BEYOND_INT32, BEYOND_INT64, 10**20])
async def test_item_ids_outside_the_column_range_are_422(
    client: httpx2.AsyncClient, headers, method, item_id
):
    """An item id the id column cannot hold is refused, not sent to the database."""
    response = await client.request(
        method, f"{ITEMS}{item_id}", json={"title": "x"}, headers=headers
    )

    assert_refused(response)


@pytest.mark.parametrize(
    "params",
    [{"offset": BEYOND_INT32}, {"offset": BEYOND_INT64}, {"limit": BEYOND_INT64}],
    ids=["offset-int32", "offset-int64", "limit-int64"],
)
async def test_paging_beyond_its_bounds_is_422(client: httpx2.AsyncClient, headers, params):
    """An offset or limit past its maximum is refused, not overflowed in the database."""
    assert_refused(await client.get(ITEMS, params=params, headers=headers))


@pytest.mark.parametrize("field", ["title"])
async def test_null_for_a_required_item_field_is_422(client: httpx2.AsyncClient, headers, field):
    """A partial update may leave a required field out, but not set it to null."""
    item = await create_item(client, headers, title="kept")

    response = await client.patch(f"{ITEMS}{item['id']}", json={field: None}, headers=headers)

    assert_refused(response)
    assert (await client.get(f"{ITEMS}{item['id']}", headers=headers)).json() == item


async def test_null_description_clears_it(client: httpx2.AsyncClient, headers):
    """An optional field may still be set to null, which clears it."""
    item = await create_item(client, headers, title="kept")

    response = await client.patch(
        f"{ITEMS}{item['id']}", json={"description": None}, headers=headers
    )

    assert response.status_code == 200
    assert response.json()["description"] is None
{%- if cookiecutter.use_auth %}


USERS = "/api/v1/users/"
LOGIN = "/api/v1/auth/login"
ADMIN_USERS = "/api/v1/admin/users/"
AUDIT = "/api/v1/admin/audit-logs/"
LONG_EMAIL = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 63}.{'e' * 63}.com"  # 328 characters


@pytest.fixture
async def admin_headers(client: httpx2.AsyncClient, session_factory) -> dict[str, str]:
    """Bearer headers of an admin."""
    return (await make_admin(client, session_factory))[1]


@pytest.mark.parametrize(
    "username",
    ["ad\u0000min@example.com", "a" * 321, f"{'a' * 900_000}@example.com"],
    ids=["nul", "over-320", "900-kB"],
)
async def test_hostile_login_username_is_invalid_request(client: httpx2.AsyncClient, username):
    """A login name with a NUL or longer than any email is refused before any work, as the
    token endpoint refuses a malformed request (RFC 6749's `invalid_request`)."""
    response = await client.post(LOGIN, data={"username": username, "password": "whatever-1"})

    assert response.status_code == 400, response.text
    assert (response.json()["error"], response.json()["code"]) == (
        "invalid_request",
        "validation_error",
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "nul\u0000@example.com", "password": "long enough"},
        {"email": "ok@example.com", "password": "long enough", "full_name": "A\u0000B"},
        {"email": LONG_EMAIL, "password": "long enough"},
    ],
    ids=["email-nul", "full-name-nul", "email-over-320"],
)
async def test_hostile_registration_is_422(client: httpx2.AsyncClient, payload):
    """Registration refuses NUL characters and over-long emails with 422."""
    assert_refused(await client.post(USERS, json=payload))


async def test_nul_in_the_profile_is_422(client: httpx2.AsyncClient, headers):
    """A NUL character in one's own full name is refused with 422."""
    response = await client.patch(f"{USERS}me", json={"full_name": "\u0000"}, headers=headers)

    assert_refused(response)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (ADMIN_USERS, {"email": "a\u0000b"}),
        (AUDIT, {"action": "a\u0000b"}),
        (AUDIT, {"entity_type": "a\u0000b"}),
        (AUDIT, {"entity_id": "a\u0000b"}),
        (AUDIT, {"actor_id": BEYOND_INT32}),
        (AUDIT, {"actor_id": BEYOND_INT64}),
        (AUDIT, {"offset": BEYOND_INT64}),
        (AUDIT, {"until": "9999-12-31T23:59:59-23:59"}),
        (AUDIT, {"since": "0001-01-01T00:00:00+01:00"}),
    ],
)
async def test_hostile_admin_filters_are_422(
    client: httpx2.AsyncClient, admin_headers, url, params
):
    """Filters with NUL characters, ids beyond the column or datetimes beyond the calendar
    (once in UTC) are refused with 422."""
    assert_refused(await client.get(url, params=params, headers=admin_headers))


async def test_naive_audit_bounds_are_read_as_utc(client: httpx2.AsyncClient, admin_headers):
    """An audit filter datetime without an offset is taken as UTC."""
    response = await client.get(
        AUDIT,
        params={"since": "2024-01-01T00:00:00", "until": "9999-12-31T00:00:00"},
        headers=admin_headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["total"] >= 1  # at least the admin's own registration


@pytest.mark.parametrize("user_id", [0, BEYOND_INT32, 10**20])
@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("PATCH", ""), ("DELETE", "/mfa")])
async def test_user_ids_outside_the_column_range_are_422(
    client: httpx2.AsyncClient, admin_headers, user_id, method, suffix
):
    """A user id the id column cannot hold is refused, not sent to the database."""
    response = await client.request(
        method, f"{ADMIN_USERS}{user_id}{suffix}", json={"is_active": True}, headers=admin_headers
    )

    assert_refused(response)


@pytest.mark.parametrize("field", ["role", "is_active"])
async def test_null_for_a_required_user_field_is_422(
    client: httpx2.AsyncClient, admin_headers, field
):
    """An admin's update may leave a user's role or active flag out, but not set it to null."""
    user = await register_user(client)

    response = await client.patch(
        f"{ADMIN_USERS}{user['id']}", json={field: None}, headers=admin_headers
    )

    assert_refused(response)


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("/api/v1/auth/refresh", {"refresh_token": "t" * 257}),
        ("/api/v1/auth/password-reset/confirm", {"token": "t" * 257, "new_password": "p" * 12}),
        ("/api/v1/auth/password-reset/request", {"email": LONG_EMAIL}),
        ("/api/v1/auth/mfa/verify", {"mfa_token": "t", "code": "1" * 33}),
    ],
    ids=["refresh-token", "reset-token", "reset-email", "mfa-code"],
)
async def test_oversized_tokens_and_codes_are_422(client: httpx2.AsyncClient, url, payload):
    """Tokens, codes and emails in JSON bodies longer than any real one are refused with 422."""
    assert_refused(await client.post(url, json=payload))
{%- endif %}
