"""TOTP two-factor authentication over HTTP, on the real database: setup, enable, login
with a second step, replay, drift, recovery codes, limits, audit rows."""

import asyncio
import base64
import os
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx2
import pyotp
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from {{ cookiecutter.package_name }}.core.mfa import TOTP_INTERVAL
from {{ cookiecutter.package_name }}.core.security import TokenCodec
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.models.audit import AuditLog
from {{ cookiecutter.package_name }}.models.mfa import MfaFactor, MfaRecoveryCode
from tests.api.test_admin import make_admin
from tests.api.test_rate_limits import client_for, limited_app
from tests.conftest import close_app
from tests.factories import PASSWORD, login, register_user

LOGIN = "/api/v1/auth/login"
MFA = "/api/v1/auth/mfa"
ME = "/api/v1/users/me"


class Account:
    """A registered user with MFA on: their email, bearer headers, secret, recovery codes."""

    def __init__(self, user: dict, headers: dict[str, str], secret: str, codes: list[str]):
        self.user = user
        self.headers = headers
        self.secret = secret
        self.recovery_codes = codes

    def code(self, steps: int = 0) -> str:
        """The app's code `steps` time steps from now (the server allows one either side)."""
        totp = pyotp.TOTP(self.secret)
        return totp.generate_otp(totp.timecode(datetime.now(UTC)) + steps)


async def away_from_step_edge() -> None:
    """Wait out the last second of a time step, so codes computed now stay valid in the call."""
    left = TOTP_INTERVAL - time.time() % TOTP_INTERVAL
    if left < 1.5:
        await asyncio.sleep(left + 0.05)


async def bearer(client: httpx2.AsyncClient, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await login(client, email=email)}"}


async def set_up(client: httpx2.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post(f"{MFA}/setup", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["secret"]


@pytest.fixture
async def account(client: httpx2.AsyncClient) -> Account:
    """A user who has turned MFA on with the code of the previous step (so the current and
    next step are still free for the test)."""
    await away_from_step_edge()
    user = await register_user(client)
    headers = await bearer(client, user["email"])
    secret = await set_up(client, headers)
    account = Account(user, headers, secret, [])
    enabled = await client.post(f"{MFA}/enable", json={"code": account.code(-1)}, headers=headers)
    assert enabled.status_code == 200, enabled.text
    account.recovery_codes = enabled.json()["recovery_codes"]
    return account


async def start_login(client: httpx2.AsyncClient, email: str) -> str:
    response = await client.post(LOGIN, data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mfa_required"] is True
    assert "access_token" not in body
    return body["mfa_token"]


async def verify(client: httpx2.AsyncClient, mfa_token: str, code: str) -> httpx2.Response:
    return await client.post(f"{MFA}/verify", json={"mfa_token": mfa_token, "code": code})


async def actions_of(engine: AsyncEngine, user_id: int) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(AuditLog.action).where(AuditLog.actor_id == user_id).order_by(AuditLog.id)
        )
        return list(rows.scalars())


async def test_setup_returns_a_secret_and_an_otpauth_uri(client, settings):
    """Setup gives a base32 secret and the URI for a QR code, issued by the project; MFA
    stays off until a code confirms it."""
    user = await register_user(client)
    headers = await bearer(client, user["email"])

    response = await client.post(f"{MFA}/setup", headers=headers)
    status = await client.get(MFA, headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert len(body["secret"]) == 32
    assert pyotp.parse_uri(body["otpauth_uri"]).secret == body["secret"]
    assert pyotp.parse_uri(body["otpauth_uri"]).issuer == settings.project_name
    assert status.json() == {"enabled": False, "recovery_codes_left": 0}
    assert response.headers["cache-control"] == "no-store"


async def test_secret_is_encrypted_at_rest(client, app: FastAPI, engine: AsyncEngine):
    """The database holds ciphertext that the configured key opens, never the secret."""
    user = await register_user(client)
    secret = await set_up(client, await bearer(client, user["email"]))

    async with engine.connect() as connection:
        stored = await connection.scalar(
            select(MfaFactor.secret_encrypted).where(MfaFactor.user_id == user["id"])
        )

    assert stored is not None
    assert secret not in stored
    assert app.state.mfa_box.decrypt(stored) == secret


async def test_enable_returns_recovery_codes_stored_only_hashed(
    client, account: Account, engine: AsyncEngine
):
    """Enabling returns ten codes, once; the database keeps only their hashes."""
    status = await client.get(MFA, headers=account.headers)

    async with engine.connect() as connection:
        hashes = list(
            await connection.scalars(
                select(MfaRecoveryCode.code_hash).where(
                    MfaRecoveryCode.user_id == account.user["id"]
                )
            )
        )

    assert len(account.recovery_codes) == 10
    assert status.json() == {"enabled": True, "recovery_codes_left": 10}
    assert len(hashes) == 10
    stored = " ".join(hashes)
    assert not any(code.replace("-", "") in stored for code in account.recovery_codes)
    assert "auth.mfa_enabled" in await actions_of(engine, account.user["id"])


async def test_enable_with_a_wrong_code_is_refused_and_audited(client, engine: AsyncEngine):
    """A wrong first code leaves MFA off (400), and the failure is audited."""
    user = await register_user(client)
    headers = await bearer(client, user["email"])
    await set_up(client, headers)

    response = await client.post(f"{MFA}/enable", json={"code": "000000"}, headers=headers)
    status = await client.get(MFA, headers=headers)
    login_again = await client.post(LOGIN, data={"username": user["email"], "password": PASSWORD})

    assert response.status_code == 400
    assert response.json()["code"] == "mfa.invalid_code"
    assert status.json()["enabled"] is False
    assert "access_token" in login_again.json()
    assert "auth.mfa_failed" in await actions_of(engine, user["id"])


async def test_login_with_mfa_needs_a_code_to_get_tokens(client, account: Account, engine):
    """With MFA on, the password yields only an MFA token; a code turns it into a pair."""
    mfa_token = await start_login(client, account.user["email"])

    as_bearer = await client.get(ME, headers={"Authorization": f"Bearer {mfa_token}"})
    response = await verify(client, mfa_token, account.code())

    assert as_bearer.status_code == 401
    assert response.status_code == 200, response.text
    pair = response.json()
    assert response.headers["cache-control"] == "no-store"
    me = await client.get(ME, headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert me.json()["id"] == account.user["id"]
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert (await actions_of(engine, account.user["id"]))[-1] == "auth.login_succeeded"


async def test_a_code_is_accepted_once(client, account: Account):
    """The same code cannot be used twice, nor an older one after a newer one (no replay)."""
    first = await verify(client, await start_login(client, account.user["email"]), account.code(1))
    replayed = await verify(
        client, await start_login(client, account.user["email"]), account.code(1)
    )
    older = await verify(client, await start_login(client, account.user["email"]), account.code())

    assert first.status_code == 200
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "auth.invalid_mfa_code"
    assert older.status_code == 401
    assert older.json()["code"] == "auth.invalid_mfa_code"


async def test_code_two_steps_away_is_refused(client, account: Account):
    """One step of clock drift is tolerated (the fixture enabled with the previous step's
    code); two steps are not."""
    mfa_token = await start_login(client, account.user["email"])

    late = await verify(client, mfa_token, account.code(2))
    in_time = await verify(client, mfa_token, account.code(1))

    assert late.status_code == 401
    assert late.json()["code"] == "auth.invalid_mfa_code"
    assert in_time.status_code == 200


async def test_recovery_code_works_once(client, account: Account, engine: AsyncEngine):
    """A recovery code (typed in any case, without its hyphen) replaces a code, once."""
    typed = account.recovery_codes[0].replace("-", "").upper()

    used = await verify(client, await start_login(client, account.user["email"]), typed)
    again = await verify(client, await start_login(client, account.user["email"]), typed)
    status = await client.get(MFA, headers=account.headers)

    assert used.status_code == 200
    assert again.status_code == 401
    assert again.json()["code"] == "auth.invalid_mfa_code"
    assert status.json() == {"enabled": True, "recovery_codes_left": 9}
    actions = await actions_of(engine, account.user["id"])
    assert "auth.mfa_recovery_code_used" in actions
    assert "auth.mfa_failed" in actions


async def test_expired_forged_or_foreign_mfa_tokens_are_refused(client, account: Account, settings):
    """An expired MFA token, one signed with another key, or an access token is no MFA token."""
    codec = TokenCodec.from_settings(settings)
    expired = codec.issue_mfa(
        user_id=account.user["id"], now=datetime.now(UTC) - timedelta(minutes=10)
    ).token
    forged = (
        TokenCodec(secret_key="f" * 48, algorithm="HS256", expire_minutes=30)
        .issue_mfa(user_id=account.user["id"])
        .token
    )
    access = account.headers["Authorization"].removeprefix("Bearer ")

    for token in (expired, forged, access):
        response = await verify(client, token, account.code())
        assert response.status_code == 401
        assert response.json()["code"] == "auth.invalid_mfa_token"


async def test_disable_with_a_code_turns_mfa_off(client, account: Account, engine: AsyncEngine):
    """A right code turns MFA off: login gives tokens directly again; a wrong one does not."""
    wrong = await client.post(f"{MFA}/disable", json={"code": "123456"}, headers=account.headers)
    still_on = await client.get(MFA, headers=account.headers)
    right = await client.post(
        f"{MFA}/disable", json={"code": account.code()}, headers=account.headers
    )
    login_again = await client.post(
        LOGIN, data={"username": account.user["email"], "password": PASSWORD}
    )

    assert wrong.status_code == 400
    assert wrong.json()["code"] == "mfa.invalid_code"
    assert still_on.json()["enabled"] is True
    assert right.status_code == 204
    assert "access_token" in login_again.json()
    assert "auth.mfa_disabled" in await actions_of(engine, account.user["id"])


async def test_enabling_ends_the_other_sessions(client):
    """Sessions started with the password alone end when MFA goes on, except the caller's."""
    await away_from_step_edge()
    user = await register_user(client)
    phone = await bearer(client, user["email"])
    laptop = await bearer(client, user["email"])
    secret = await set_up(client, laptop)

    enabled = await client.post(
        f"{MFA}/enable", json={"code": pyotp.TOTP(secret).now()}, headers=laptop
    )

    assert enabled.status_code == 200
    assert (await client.get(ME, headers=phone)).status_code == 401
    assert (await client.get(ME, headers=laptop)).status_code == 200


async def test_state_conflicts_answer_409(client, account: Account):
    """Setup while on, enable without a setup, and disable while off are each refused."""
    other = await register_user(client)
    other_headers = await bearer(client, other["email"])

    setup_again = await client.post(f"{MFA}/setup", headers=account.headers)
    enable_unset = await client.post(
        f"{MFA}/enable", json={"code": "123456"}, headers=other_headers
    )
    disable_off = await client.post(
        f"{MFA}/disable", json={"code": "123456"}, headers=other_headers
    )

    assert [r.status_code for r in (setup_again, enable_unset, disable_off)] == [409, 409, 409]
    assert [r.json()["code"] for r in (setup_again, enable_unset, disable_off)] == [
        "mfa.already_enabled",
        "mfa.not_set_up",
        "mfa.not_enabled",
    ]


async def test_malformed_verify_requests_get_422(client):
    """Missing fields and oversized codes are refused before any work."""
    missing = await client.post(f"{MFA}/verify", json={"code": "123456"})
    oversized = await client.post(f"{MFA}/verify", json={"mfa_token": "x", "code": "1" * 64})

    assert missing.status_code == 422
    assert oversized.status_code == 422


async def test_admin_can_reset_a_lost_second_factor(
    client, account: Account, session_factory, engine: AsyncEngine
):
    """For a user who lost phone and codes, an admin removes the factor (audited); the next
    login needs only the password. A second reset finds nothing to remove (409)."""
    admin, admin_headers = await make_admin(client, session_factory)
    url = f"/api/v1/admin/users/{account.user['id']}/mfa"

    reset = await client.delete(url, headers=admin_headers)
    again = await client.delete(url, headers=admin_headers)
    login_again = await client.post(
        LOGIN, data={"username": account.user["email"], "password": PASSWORD}
    )

    assert reset.status_code == 204
    assert again.status_code == 409
    assert again.json()["code"] == "mfa.not_enabled"
    assert "access_token" in login_again.json()
    assert "auth.mfa_reset_by_admin" in await actions_of(engine, admin["id"])


@pytest.fixture
async def strict_app(settings, engine) -> AsyncIterator[FastAPI]:
    app = limited_app(settings, rate_limit_mfa_account="2/minute")
    yield app
    await close_app(app)


async def test_wrong_codes_lock_the_second_step(client, strict_app: FastAPI, engine):
    """After 2 wrong codes for an account, even the right code gets 429 with Retry-After."""
    await away_from_step_edge()
    user = await register_user(client)
    async with client_for(strict_app) as attacker:
        headers = await bearer(attacker, user["email"])
        secret = await set_up(attacker, headers)
        totp = pyotp.TOTP(secret)
        code = totp.generate_otp(totp.timecode(datetime.now(UTC)) - 1)
        enabled = await attacker.post(f"{MFA}/enable", json={"code": code}, headers=headers)
        assert enabled.status_code == 200
        mfa_token = await start_login(attacker, user["email"])

        wrong = [await verify(attacker, mfa_token, "000000") for _ in range(2)]
        right = await verify(attacker, mfa_token, totp.now())

    assert [response.status_code for response in wrong] == [401, 401]
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) > 0
    assert (await actions_of(engine, user["id"])).count("auth.mfa_failed") == 2


async def test_lost_encryption_key_fails_codes_but_not_recovery_codes(account: Account, settings):
    """If the key that encrypted a secret is dropped, app codes fail cleanly (401, not 500)
    and a recovery code still gets the user in."""
    other_key = {"mfa_encryption_keys": [base64.urlsafe_b64encode(os.urandom(32)).decode()]}
    rekeyed = create_app(settings.model_copy(update=other_key))
    try:
        async with client_for(rekeyed) as rekeyed_client:
            code = await verify(
                rekeyed_client,
                await start_login(rekeyed_client, account.user["email"]),
                account.code(),
            )
            recovery = await verify(
                rekeyed_client,
                await start_login(rekeyed_client, account.user["email"]),
                account.recovery_codes[0],
            )
    finally:
        await close_app(rekeyed)

    assert code.status_code == 401
    assert code.json()["code"] == "auth.invalid_mfa_code"
    assert recovery.status_code == 200
