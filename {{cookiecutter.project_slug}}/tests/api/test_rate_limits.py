{% if cookiecutter.use_redis -%}
"""Rate limits, attacked: brute force on one account, floods from one address.

Counters live in the real Redis of the run (REDIS_URL), under a prefix of their own.
"""
{%- else -%}
"""Rate limits, attacked: brute force on one account, floods from one address."""
{%- endif %}

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx2
import pytest
from fastapi import FastAPI

from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import close_app
from tests.factories import PASSWORD, register_user

LOGIN = "/api/v1/auth/login"
REGISTER = "/api/v1/users/"
REFRESH = "/api/v1/auth/refresh"


def limited_app(settings, **overrides: object) -> FastAPI:
    """An app with these settings changed, its rate-limit counters starting at zero."""
{%- if cookiecutter.use_redis %}
    overrides["redis_prefix"] = f"test-{uuid.uuid4().hex[:12]}"
{%- endif %}
    return create_app(settings.model_copy(update=overrides))


@pytest.fixture
async def strict_app(settings, engine) -> AsyncIterator[FastAPI]:
    """An app with small limits, counted from zero."""
    app = limited_app(
        settings,
        rate_limit_login_account="3/minute",
        rate_limit_login_address="6/minute",
        rate_limit_register_address="2/minute",
        rate_limit_refresh_address="2/minute",
    )
    yield app
    await close_app(app)


def client_for(app: FastAPI, address: str = "203.0.113.7") -> httpx2.AsyncClient:
    transport = httpx2.ASGITransport(app=app, client=(address, 5000))
    return httpx2.AsyncClient(transport=transport, base_url="http://testserver")


async def test_account_locks_after_repeated_failures(strict_app: FastAPI, client):
    """After 3 wrong passwords, even the right one gets 429 with Retry-After."""
    user = await register_user(client)
    async with client_for(strict_app) as attacker:
        for _ in range(3):
            wrong = await attacker.post(LOGIN, data={"username": user["email"], "password": "nope"})
            assert wrong.status_code == 400
        locked = await attacker.post(LOGIN, data={"username": user["email"], "password": PASSWORD})

    assert locked.status_code == 429
    body = locked.json()
    assert (body["code"], body["error"]) == ("rate_limited", "temporarily_unavailable")
    assert 1 <= int(locked.headers["Retry-After"]) <= 60


async def test_account_lock_is_per_account(strict_app: FastAPI, client):
    """Failures against one account do not lock another."""
    victim, bystander = await register_user(client), await register_user(client)
    async with client_for(strict_app) as attacker:
        for _ in range(3):
            await attacker.post(LOGIN, data={"username": victim["email"], "password": "nope"})
        async with client_for(strict_app, "198.51.100.9") as other:
            ok = await other.post(
                LOGIN, data={"username": bystander["email"], "password": PASSWORD}
            )

    assert ok.status_code == 200


async def test_login_flood_from_one_address_is_limited(strict_app: FastAPI):
    """Spraying many accounts from one address hits the per-address limit."""
    async with client_for(strict_app) as attacker:
        statuses = [
            (
                await attacker.post(
                    LOGIN, data={"username": f"{uuid.uuid4().hex}@example.com", "password": "x"}
                )
            ).status_code
            for _ in range(7)
        ]

    assert statuses[:6] == [400] * 6
    assert statuses[6] == 429


async def test_registration_is_limited_per_address(strict_app: FastAPI):
    """A third registration within the minute from one address gets 429; others still pass."""
    async with client_for(strict_app) as bot:
        statuses = [
            (
                await bot.post(
                    REGISTER,
                    json={"email": f"{uuid.uuid4().hex}@example.com", "password": PASSWORD},
                )
            ).status_code
            for _ in range(3)
        ]
    async with client_for(strict_app, "198.51.100.10") as human:
        other = await human.post(
            REGISTER, json={"email": f"{uuid.uuid4().hex}@example.com", "password": PASSWORD}
        )

    assert statuses == [201, 201, 429]
    assert other.status_code == 201


async def test_refresh_is_limited_per_address(strict_app: FastAPI):
    """Guessing refresh tokens from one address is cut off with 429."""
    async with client_for(strict_app) as attacker:
        statuses = [
            (await attacker.post(REFRESH, json={"refresh_token": uuid.uuid4().hex})).status_code
            for _ in range(3)
        ]

    assert statuses == [401, 401, 429]


async def test_limit_recovers_after_the_window(settings, client):
    """Once the window has passed, attempts are allowed again."""
    app = limited_app(settings, rate_limit_refresh_address="1/second")
    async with client_for(app) as caller:
        first = await caller.post(REFRESH, json={"refresh_token": "a"})
        limited = await caller.post(REFRESH, json={"refresh_token": "b"})
        await asyncio.sleep(1.1)
        recovered = await caller.post(REFRESH, json={"refresh_token": "c"})
    await close_app(app)

    assert (first.status_code, limited.status_code, recovered.status_code) == (401, 429, 401)


async def test_forwarded_for_is_ignored_from_untrusted_peers(strict_app: FastAPI):
    """A client cannot dodge the limit by inventing X-Forwarded-For addresses."""
    async with client_for(strict_app) as attacker:
        statuses = [
            (
                await attacker.post(
                    REFRESH,
                    json={"refresh_token": "x"},
                    headers={"X-Forwarded-For": f"10.0.0.{n}"},
                )
            ).status_code
            for n in range(3)
        ]

    assert statuses[-1] == 429


async def test_forwarded_for_is_believed_from_trusted_proxies(settings):
    """Behind a trusted proxy, each forwarded client address gets its own counter."""
    app = limited_app(
        settings, rate_limit_refresh_address="1/minute", forwarded_allow_ips=["203.0.113.7"]
    )
    async with client_for(app) as proxy:
        statuses = [
            (
                await proxy.post(
                    REFRESH,
                    json={"refresh_token": "x"},
                    headers={"X-Forwarded-For": f"1.2.3.4, 192.0.2.{n}"},
                )
            ).status_code
            for n in range(3)
        ]
        again = await proxy.post(
            REFRESH, json={"refresh_token": "x"}, headers={"X-Forwarded-For": "192.0.2.0"}
        )
    await close_app(app)

    assert statuses == [401, 401, 401]
    assert again.status_code == 429


async def test_concurrent_wrong_logins_are_evaluated_at_most_the_limit(settings, client):
    """40 simultaneous wrong passwords for one account: exactly the limit's 5 are checked
    (401), every other one is refused (429) before any work."""
    user = await register_user(client)
    app = limited_app(settings, rate_limit_login_account="5/minute")
    try:
        async with client_for(app) as attacker:
            responses = await asyncio.gather(
                *(
                    attacker.post(LOGIN, data={"username": user["email"], "password": f"no{n}"})
                    for n in range(40)
                )
            )
    finally:
        await close_app(app)

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [400] * 5 + [429] * 35
{%- if cookiecutter.use_redis %}


async def test_failed_logins_spread_over_two_instances_reach_one_limit(settings, client):
    """With 3 attempts a minute per account, wrong passwords sent alternately to the two
    instances lock the account after the third, as on one instance."""
    limited = settings.model_copy(
        update={
            "rate_limit_login_account": "3/minute",
            "redis_prefix": f"test-{uuid.uuid4().hex[:12]}",
        }
    )
    apps = [create_app(limited), create_app(limited)]
    user = await register_user(client)
    statuses = []
    try:
        for attempt in range(4):
            async with client_for(apps[attempt % 2]) as instance:
                password = "wrong" if attempt < 3 else PASSWORD
                answer = await instance.post(
                    LOGIN, data={"username": user["email"], "password": password}
                )
                statuses.append(answer.status_code)
    finally:
        for app in apps:
            await close_app(app)

    assert statuses[3] == 429
    assert 429 not in statuses[:3]
{%- endif %}
