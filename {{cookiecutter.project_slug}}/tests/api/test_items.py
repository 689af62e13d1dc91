"""`/api/v1/items` over HTTP on the real database."""

import httpx2
import pytest
from fastapi import FastAPI

from tests.factories import {% if cookiecutter.use_auth %}auth_headers, {% endif %}create_item
from tests.pool import all_returned, lent_at_response_start, watching

URL = "/api/v1/items/"
# Blocks a request's dependencies read in before its use case's own{% if cookiecutter.use_auth %} (the caller's session){% endif %}.
DEPENDENCY_BLOCKS = {% if cookiecutter.use_auth %}1{% else %}0{% endif %}


async def test_create_item_returns_201_with_the_item(client: httpx2.AsyncClient, headers):
    """POST stores the item and answers 201 with it."""
    response = await client.post(URL, json={"title": "Milk", "description": "2 l"}, headers=headers)

    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["description"]) == ("Milk", "2 l")
    assert {"id", "created_at", "updated_at"} <= body.keys()


async def test_list_items_returns_a_page(client: httpx2.AsyncClient, headers):
    """GET returns the page shape with items, total, limit and offset."""
    for title in ("a", "b", "c"):
        await create_item(client, headers, title=title)

    response = await client.get(URL, params={"limit": 2, "offset": 1}, headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert [item["title"] for item in body["items"]] == ["b", "c"]
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 1)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}])
async def test_list_items_rejects_bad_paging(client: httpx2.AsyncClient, headers, params):
    """Out-of-range limit or offset is a 422, not a silent clamp."""
    response = await client.get(URL, params=params, headers=headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_listing_items_borrows_one_connection(
    client: httpx2.AsyncClient, app: FastAPI, headers
):
    """Every read of the request (its dependencies' and the page) goes over one pooled
    connection: one checkout, one pre-ping; it is back in the pool once the request is done."""
    await create_item(client, headers, title="a")
    engine = app.state.engine
    assert await all_returned(engine)

    with watching(engine) as pool:
        response = await client.get(URL, headers=headers)

    assert response.status_code == 200
    assert pool.checkouts == 1
    assert await all_returned(engine)


async def test_a_listing_returns_its_connection_before_it_answers(
    client: httpx2.AsyncClient, app: FastAPI, headers
):
    """The connection is back in the pool when the response starts. Returned after it, the
    client's next request could take it ahead of the requests waiting for the pool (which
    lengthens the tail under load)."""
    await create_item(client, headers, title="a")
    engine, lent = app.state.engine, list[int]()
    transport = httpx2.ASGITransport(app=lent_at_response_start(app, engine, lent))
    assert await all_returned(engine)

    async with httpx2.AsyncClient(transport=transport, base_url="http://testserver") as counted:
        response = await counted.get(URL, headers=headers)

    assert response.status_code == 200
    assert lent == [0]


async def test_creating_an_item_borrows_one_connection_at_a_time(
    client: httpx2.AsyncClient, app: FastAPI, headers
):
    """The write's transaction takes its own connection, after any earlier block of the request
    has returned its own: a request never holds two."""
    engine = app.state.engine
    assert await all_returned(engine)

    with watching(engine) as pool:
        response = await client.post(URL, json={"title": "Milk"}, headers=headers)

    assert response.status_code == 201
    assert (pool.checkouts, pool.most_out) == (DEPENDENCY_BLOCKS + 1, 1)


async def test_get_item_returns_it(client: httpx2.AsyncClient, headers):
    """GET by id returns the stored item."""
    item = await create_item(client, headers, title="x")

    response = await client.get(f"{URL}{item['id']}", headers=headers)

    assert response.status_code == 200
    assert response.json() == item


async def test_update_item_changes_sent_fields(client: httpx2.AsyncClient, headers):
    """PATCH changes only the fields sent."""
    item = await create_item(client, headers, title="old")

    response = await client.patch(f"{URL}{item['id']}", json={"title": "new"}, headers=headers)

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["description"]) == ("new", "made by a test")


async def test_delete_item_returns_204_then_404(client: httpx2.AsyncClient, headers):
    """DELETE answers 204; the item is gone afterwards."""
    item = await create_item(client, headers, title="x")

    deleted = await client.delete(f"{URL}{item['id']}", headers=headers)
    again = await client.get(f"{URL}{item['id']}", headers=headers)

    assert deleted.status_code == 204
    assert again.status_code == 404


async def test_no_content_answer_has_no_content_type(client: httpx2.AsyncClient, headers):
    """A 204 has no body, so it names no media type: no Content-Type, no bytes."""
    item = await create_item(client, headers, title="x")

    deleted = await client.delete(f"{URL}{item['id']}", headers=headers)

    assert deleted.status_code == 204
    assert "content-type" not in deleted.headers
    assert deleted.content == b""


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_missing_item_is_json_404(client: httpx2.AsyncClient, headers, method):
    """Every by-id route answers 404 with the item.not_found code for an unknown id."""
    response = await client.request(method, f"{URL}999999", json={"title": "x"}, headers=headers)

    assert response.status_code == 404
    assert response.json() == {"detail": "Item not found.", "code": "item.not_found"}


@pytest.mark.parametrize(
    "payload",
    [{}, {"title": ""}, {"title": "x" * 201}, {"title": "ok", "owner_id": 1}, {"title": 5}],
    ids=["missing-title", "empty-title", "long-title", "unknown-field", "wrong-type"],
)
async def test_create_item_rejects_invalid_payload(client: httpx2.AsyncClient, headers, payload):
    """Invalid bodies answer 422 listing where and why, and store nothing."""
    response = await client.post(URL, json=payload, headers=headers)
    listing = await client.get(URL, headers=headers)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert all({"loc", "msg", "type"} == error.keys() for error in response.json()["detail"])
    assert listing.json()["total"] == 0
{%- if cookiecutter.use_auth %}


async def test_items_require_authentication(client: httpx2.AsyncClient):
    """Without a token every items route answers 401 with a Bearer challenge."""
    for method, url in [("GET", URL), ("POST", URL), ("GET", f"{URL}1"), ("DELETE", f"{URL}1")]:
        response = await client.request(method, url, json={"title": "x"})

        assert response.status_code == 401, (method, url)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["code"] == "auth.not_authenticated"


async def test_users_cannot_see_or_change_others_items(client: httpx2.AsyncClient, headers):
    """Another user's item is invisible: read, update and delete all answer 404."""
    item = await create_item(client, headers, title="private")
    intruder = await auth_headers(client)

    listing = await client.get(URL, headers=intruder)
    read = await client.get(f"{URL}{item['id']}", headers=intruder)
    update = await client.patch(f"{URL}{item['id']}", json={"title": "p0wned"}, headers=intruder)
    delete = await client.delete(f"{URL}{item['id']}", headers=intruder)
    still_there = await client.get(f"{URL}{item['id']}", headers=headers)

    assert listing.json()["total"] == 0
    assert (read.status_code, update.status_code, delete.status_code) == (404, 404, 404)
    assert still_there.json()["title"] == "private"
{%- endif %}
