"""Concurrent changes to one item on the real database: one deletion wins, the losers get
404, and nothing answers 500."""

import asyncio

import httpx2

from tests.factories import create_item

ITEMS = "/api/v1/items/"
# Each round is one race; its interleaving depends on timing, so run a few.
ROUNDS = 5


async def test_concurrent_deletes_of_one_item_delete_it_once(client: httpx2.AsyncClient, headers):
    """Of simultaneous DELETEs of one item, one answers 204 and the others 404."""
    for _ in range(ROUNDS):
        await delete_concurrently(client, headers)


async def delete_concurrently(client: httpx2.AsyncClient, headers: dict[str, str]) -> None:
    """Six DELETEs of one new item at once: exactly one wins."""
    item = await create_item(client, headers, title="once")
    url = f"{ITEMS}{item['id']}"

    responses = await asyncio.gather(*(client.delete(url, headers=headers) for _ in range(6)))

    assert sorted(response.status_code for response in responses) == [204] + [404] * 5


async def test_updates_racing_a_delete_answer_200_or_404(client: httpx2.AsyncClient, headers):
    """PATCHes racing a DELETE of their item each answer 200 (first) or 404 (after), never 500."""
    for _ in range(ROUNDS):
        item = await create_item(client, headers, title="racing")
        url = f"{ITEMS}{item['id']}"
        patches = (client.patch(url, json={"title": f"t{n}"}, headers=headers) for n in range(5))

        deleted, *patched = await asyncio.gather(client.delete(url, headers=headers), *patches)

        assert deleted.status_code == 204
        assert {response.status_code for response in patched} <= {200, 404}, [
            response.text for response in patched
        ]
