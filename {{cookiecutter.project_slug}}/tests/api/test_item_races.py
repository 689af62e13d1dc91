"""Concurrent changes to one item on the real database: one deletion wins, the losers get
404, and nothing answers 500."""

import asyncio

import httpx2
{% if cookiecutter.use_auth -%}
from sqlalchemy import func, select

from {{ cookiecutter.package_name }}.models.audit import AuditLog
{% else %}
{% endif -%}
from tests.factories import create_item

ITEMS = "/api/v1/items/"
# Each round is one race; its interleaving depends on timing, so run a few.
ROUNDS = 5


{% if cookiecutter.use_auth -%}
async def test_concurrent_deletes_of_one_item_delete_it_once(
    client: httpx2.AsyncClient, headers, session_factory
):
{%- else -%}
async def test_concurrent_deletes_of_one_item_delete_it_once(client: httpx2.AsyncClient, headers):
{%- endif %}
    """Of simultaneous DELETEs of one item, one answers 204 and the others 404{% if cookiecutter.use_auth %}; one
    `item.deleted` audit row is written per item{% endif %}."""
    for _ in range(ROUNDS):
        item = await create_item(client, {% if cookiecutter.use_auth %}headers, {% endif %}title="once")
        url = f"{ITEMS}{item['id']}"

        responses = await asyncio.gather(*(client.delete(url, headers=headers) for _ in range(6)))

        assert sorted(response.status_code for response in responses) == [204] + [404] * 5
{%- if cookiecutter.use_auth %}
    async with session_factory() as session:
        deletions = await session.scalar(
            select(func.count()).where(AuditLog.action == "item.deleted")
        )
    assert deletions == ROUNDS
{%- endif %}


async def test_updates_racing_a_delete_answer_200_or_404(client: httpx2.AsyncClient, headers):
    """PATCHes racing a DELETE of their item each answer 200 (first) or 404 (after), never 500."""
    for _ in range(ROUNDS):
        item = await create_item(client, {% if cookiecutter.use_auth %}headers, {% endif %}title="racing")
        url = f"{ITEMS}{item['id']}"
        patches = (client.patch(url, json={"title": f"t{n}"}, headers=headers) for n in range(5))

        deleted, *patched = await asyncio.gather(client.delete(url, headers=headers), *patches)

        assert deleted.status_code == 204
        assert {response.status_code for response in patched} <= {200, 404}, [
            response.text for response in patched
        ]
