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


async def turn_on_mfa(client: httpx2.AsyncClient, headers: dict[str, str]) -> str:
    """Set up and enable MFA for the caller with the previous step's code (the current and
    next steps stay free); return the secret."""
    await away_from_step_edge()
    secret = await set_up(client, headers)
    totp = pyotp.TOTP(secret)
    code = totp.generate_otp(totp.timecode(datetime.now(UTC)) - 1)
    enabled = await client.post(
        f"{MFA}/enable", json={"code": code, "password": PASSWORD}, headers=headers
    )
    assert enabled.status_code == 200, enabled.text
    return secret


@pytest.fixture
async def account(client: httpx2.AsyncClient) -> Account:
    """A user who has turned MFA on with the code of the previous step (so the current and
    next step are still free for the test)."""
    await away_from_step_edge()
    user = await register_user(client)
    headers = await bearer(client, user["email"])
    secret = await set_up(client, headers)
    account = Account(user, headers, secret, [])
    enabled = await client.post(
        f"{MFA}/enable", json={"code": account.code(-1), "password": PASSWORD}, headers=headers
    )
    assert enabled.status_code == 200, enabled.text
    account.recovery_codes = enabled.json()["recovery_codes"]
    return account


async def start_login(client: httpx2.AsyncClient, email: str) -> str:
    response = await client.post(LOGIN, data={"username": email, "password": PASSWORD})
    assert response.status_code == 403, response.text
    body = response.json()
    assert (body["error"], body["code"]) == ("mfa_required", "auth.mfa_required")
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


async def audit_rows(engine: AsyncEngine, action: str) -> list[tuple[object, ...]]:
    """Every audit row of `action`, oldest first: actor, entity type, entity id, details."""
    columns = (AuditLog.actor_id, AuditLog.entity_type, AuditLog.entity_id, AuditLog.details)
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(*columns).where(AuditLog.action == action).order_by(AuditLog.id)
        )
        return [tuple(row) for row in rows]


async def test_setup_returns_a_secret_and_an_otpauth_uri(client, settings):
    """Setup gives a base32 secret and the URI for a QR code, issued by the project for the
    user's email; MFA stays off until a code confirms it."""
    user = await register_user(client)
    headers = await bearer(client, user["email"])

    response = await client.post(f"{MFA}/setup", headers=headers)
    status = await client.get(MFA, headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert len(body["secret"]) == 32
    uri = pyotp.parse_uri(body["otpauth_uri"])
    assert uri.secret == body["secret"]
    assert uri.issuer == settings.project_name
    assert uri.name == user["email"]  # how the authenticator app lists the account
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

    response = await client.post(
        f"{MFA}/enable", json={"code": "000000", "password": PASSWORD}, headers=headers
    )
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
    """A recovery code (typed in any case, without its hyphen) replaces a code, once; its use
    is audited against its owner."""
    typed = account.recovery_codes[0].replace("-", "").upper()

    used = await verify(client, await start_login(client, account.user["email"]), typed)
    again = await verify(client, await start_login(client, account.user["email"]), typed)
    status = await client.get(MFA, headers=account.headers)

    assert used.status_code == 200
    assert again.status_code == 401
    assert again.json()["code"] == "auth.invalid_mfa_code"
    assert status.json() == {"enabled": True, "recovery_codes_left": 9}
    user_id = account.user["id"]
    used_rows = await audit_rows(engine, "auth.mfa_recovery_code_used")
    assert used_rows == [(user_id, "user", str(user_id), {})]
    assert "auth.mfa_failed" in await actions_of(engine, user_id)


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
    """A right code turns MFA off (audited with the factor used): login gives tokens directly
    again; a wrong one does not."""
    wrong = await client.post(
        f"{MFA}/disable", json={"code": "123456", "password": PASSWORD}, headers=account.headers
    )
    still_on = await client.get(MFA, headers=account.headers)
    right = await client.post(
        f"{MFA}/disable",
        json={"code": account.code(), "password": PASSWORD},
        headers=account.headers,
    )
    login_again = await client.post(
        LOGIN, data={"username": account.user["email"], "password": PASSWORD}
    )

    assert wrong.status_code == 400
    assert wrong.json()["code"] == "mfa.invalid_code"
    assert still_on.json()["enabled"] is True
    assert right.status_code == 204
    assert "access_token" in login_again.json()
    user_id = account.user["id"]
    disabled = [(user_id, "user", str(user_id), {"second_factor": "totp"})]
    assert await audit_rows(engine, "auth.mfa_disabled") == disabled


async def test_disable_with_a_recovery_code_turns_mfa_off(
    client, account: Account, engine: AsyncEngine
):
    """A recovery code turns MFA off too, for a user who lost the authenticator: audited as
    the factor used, and as a recovery code spent."""
    right = await client.post(
        f"{MFA}/disable",
        json={"code": account.recovery_codes[0], "password": PASSWORD},
        headers=account.headers,
    )
    status = await client.get(MFA, headers=account.headers)

    assert right.status_code == 204
    assert status.json() == {"enabled": False, "recovery_codes_left": 0}
    user_id = account.user["id"]
    disabled = [(user_id, "user", str(user_id), {"second_factor": "recovery_code"})]
    assert await audit_rows(engine, "auth.mfa_disabled") == disabled
    spent = await audit_rows(engine, "auth.mfa_recovery_code_used")
    assert spent == [(user_id, "user", str(user_id), {})]


async def test_enabling_ends_the_other_sessions(client, engine: AsyncEngine):
    """Sessions started with the password alone end when MFA goes on, except the caller's;
    the audit row says how many ended."""
    await away_from_step_edge()
    user = await register_user(client)
    phone = await bearer(client, user["email"])
    laptop = await bearer(client, user["email"])
    secret = await set_up(client, laptop)

    enabled = await client.post(
        f"{MFA}/enable",
        json={"code": pyotp.TOTP(secret).now(), "password": PASSWORD},
        headers=laptop,
    )

    assert enabled.status_code == 200
    assert (await client.get(ME, headers=phone)).status_code == 401
    assert (await client.get(ME, headers=laptop)).status_code == 200
    user_id = user["id"]
    enabled_row = (user_id, "user", str(user_id), {"other_sessions_ended": 1})
    assert await audit_rows(engine, "auth.mfa_enabled") == [enabled_row]


async def test_state_conflicts_answer_409(client, account: Account):
    """Setup while on, enable without a setup, and disable while off are each refused."""
    other = await register_user(client)
    other_headers = await bearer(client, other["email"])

    setup_again = await client.post(f"{MFA}/setup", headers=account.headers)
    enable_unset = await client.post(
        f"{MFA}/enable", json={"code": "123456", "password": PASSWORD}, headers=other_headers
    )
    disable_off = await client.post(
        f"{MFA}/disable", json={"code": "123456", "password": PASSWORD}, headers=other_headers
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

    step_up = {"password": PASSWORD}
    reset = await client.request("DELETE", url, json=step_up, headers=admin_headers)
    again = await client.request("DELETE", url, json=step_up, headers=admin_headers)
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


async def test_wrong_codes_lock_the_second_step_of_that_account_and_no_other(
    client, strict_app: FastAPI, engine
):
    """After 2 wrong codes for an account, even the right code gets 429 with Retry-After;
    another account's second step is not locked by them."""
    user, bystander = await register_user(client), await register_user(client)
    # Turned on through the app with loose limits: the code spent here would count too.
    totp = pyotp.TOTP(await turn_on_mfa(client, await bearer(client, user["email"])))
    other_totp = pyotp.TOTP(await turn_on_mfa(client, await bearer(client, bystander["email"])))
    async with client_for(strict_app) as attacker:
        mfa_token = await start_login(attacker, user["email"])

        wrong = [await verify(attacker, mfa_token, "000000") for _ in range(2)]
        right = await verify(attacker, mfa_token, totp.now())
    async with client_for(strict_app, "198.51.100.9") as other:
        other_token = await start_login(other, bystander["email"])
        other_right = await verify(other, other_token, other_totp.now())

    assert [response.status_code for response in wrong] == [401, 401]
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) > 0
    assert other_right.status_code == 200, other_right.text
    assert (await actions_of(engine, user["id"])).count("auth.mfa_failed") == 2


@pytest.mark.parametrize("action", ["enable", "disable"])
async def test_wrong_codes_to_change_mfa_lock_that_account_and_no_other(
    client, strict_app: FastAPI, engine, action
):
    """A stolen access token guessing codes to turn MFA on or off reaches the account's limit
    (2 here): then even the right code gets 429. Each failure is audited with that account as
    actor and entity and the step tried, and another account's attempts are not counted with
    them."""
    victim, bystander = await register_user(client), await register_user(client)
    heads = [await bearer(client, user["email"]) for user in (victim, bystander)]
    if action == "enable":
        secrets = [await set_up(client, headers) for headers in heads]
    else:
        secrets = [await turn_on_mfa(client, headers) for headers in heads]
    await away_from_step_edge()

    def attempt(caller: httpx2.AsyncClient, index: int, code: str):
        body = {"code": code, "password": PASSWORD}
        return caller.post(f"{MFA}/{action}", json=body, headers=heads[index])

    async with client_for(strict_app) as attacker:
        wrong = [(await attempt(attacker, 0, "000000")).status_code for _ in range(2)]
        right = await attempt(attacker, 0, pyotp.TOTP(secrets[0]).now())
    async with client_for(strict_app, "198.51.100.9") as other:
        other_wrong = await attempt(other, 1, "000000")

    assert wrong == [400, 400]
    assert right.status_code == 429
    assert other_wrong.status_code == 400
    victim_row = (victim["id"], "user", str(victim["id"]), {"action": action})
    bystander_row = (bystander["id"], "user", str(bystander["id"]), {"action": action})
    failures = await audit_rows(engine, "auth.mfa_failed")
    assert failures == [victim_row, victim_row, bystander_row]


async def test_failed_logins_and_codes_leave_a_complete_forensic_record(
    client, account: Account, engine
):
    """A wrong password and a wrong code each leave an audit row naming who (actor), what
    (the user entity) and the details an investigator needs: the email tried, the step."""
    await client.post(LOGIN, data={"username": account.user["email"], "password": "wrong!"})
    await verify(client, await start_login(client, account.user["email"]), "000000")
    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                select(
                    AuditLog.action,
                    AuditLog.actor_id,
                    AuditLog.entity_type,
                    AuditLog.entity_id,
                    AuditLog.details,
                )
                .where(AuditLog.action.in_(["auth.login_failed", "auth.mfa_failed"]))
                .order_by(AuditLog.id)
            )
        ).all()

    user_id = account.user["id"]
    assert [tuple(row) for row in rows] == [
        ("auth.login_failed", user_id, "user", str(user_id), {"email": account.user["email"]}),
        ("auth.mfa_failed", user_id, "user", str(user_id), {"action": "login"}),
    ]


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


async def test_concurrent_wrong_codes_are_evaluated_at_most_the_limit(
    account: Account, settings, engine
):
    """30 simultaneous wrong codes at the second step: exactly the limit's 5 are checked,
    the rest get 429, and then even the right code is refused."""
    app = limited_app(settings, rate_limit_mfa_account="5/minute")
    try:
        async with client_for(app) as attacker:
            mfa_token = await start_login(attacker, account.user["email"])
            wrong = await asyncio.gather(
                *(verify(attacker, mfa_token, f"{n:06d}") for n in range(100000, 100030))
            )
            right = await verify(attacker, mfa_token, account.code())
    finally:
        await close_app(app)

    assert sorted(response.status_code for response in wrong) == [401] * 5 + [429] * 25
    assert right.status_code == 429
    assert (await actions_of(engine, account.user["id"])).count("auth.mfa_failed") == 5


async def test_disabling_mfa_is_limited_per_address(account: Account, settings):
    """Wrong codes to turn MFA off from one address are cut off by the address limit."""
    app = limited_app(settings, rate_limit_mfa_address="2/minute")
    try:
        async with client_for(app) as caller:
            statuses = [
                (
                    await caller.post(
                        f"{MFA}/disable",
                        json={"code": "000000", "password": PASSWORD},
                        headers=account.headers,
                    )
                ).status_code
                for _ in range(3)
            ]
    finally:
        await close_app(app)

    assert statuses == [400, 400, 429]


@pytest.mark.parametrize("action", ["enable", "disable"])
async def test_changing_mfa_needs_the_current_password(client, account: Account, engine, action):
    """A stolen access token alone cannot turn MFA on (the thief's own factor) or off: a
    wrong password is refused (422) and audited with the change it was for, and the factor
    is left as it was."""
    if action == "enable":
        user = await register_user(client)
        headers = await bearer(client, user["email"])
        secret = await set_up(client, headers)
        code, user_id = pyotp.TOTP(secret).now(), user["id"]
    else:
        headers, code, user_id = account.headers, account.code(), account.user["id"]

    wrong = await client.post(
        f"{MFA}/{action}", json={"code": code, "password": "not the password"}, headers=headers
    )
    missing = await client.post(f"{MFA}/{action}", json={"code": code}, headers=headers)
    status = await client.get(MFA, headers=headers)

    assert (wrong.status_code, wrong.json()["code"]) == (422, "user.invalid_current_password")
    assert missing.status_code == 422
    assert status.json()["enabled"] is (action == "disable")
    failed = [(user_id, "user", str(user_id), {"action": f"{action}_mfa"})]
    assert await audit_rows(engine, "auth.password_check_failed") == failed


async def test_mfa_password_guesses_share_the_login_limit(account: Account, settings):
    """Wrong passwords at /mfa/disable count against the account's login limit: once it is
    used up, even the right password gets 429."""
    app = limited_app(settings, rate_limit_login_account="2/minute")
    try:
        async with client_for(app) as thief:
            statuses = [
                (
                    await thief.post(
                        f"{MFA}/disable",
                        json={"code": account.code(), "password": password},
                        headers=account.headers,
                    )
                ).status_code
                for password in ("guess one", "guess two", PASSWORD)
            ]
    finally:
        await close_app(app)

    assert statuses == [422, 422, 429]


async def test_admin_mfa_reset_needs_the_admins_own_password(
    client, account: Account, session_factory, engine
):
    """Removing someone's second factor needs the acting admin's current password: a stolen
    admin token alone is refused (422), audited, and the factor stays."""
    admin, admin_headers = await make_admin(client, session_factory)
    url = f"/api/v1/admin/users/{account.user['id']}/mfa"

    wrong = await client.request(
        "DELETE", url, json={"password": "not the password"}, headers=admin_headers
    )
    missing = await client.delete(url, headers=admin_headers)
    status = await client.get(MFA, headers=account.headers)

    assert (wrong.status_code, wrong.json()["code"]) == (422, "user.invalid_current_password")
    assert missing.status_code == 422
    assert status.json()["enabled"] is True
    assert "auth.password_check_failed" in await actions_of(engine, admin["id"])


async def test_admin_cannot_remove_their_own_factor_through_the_admin_route(
    client, session_factory
):
    """The admin route is for other users' lost factors: an admin turning off their own MFA
    must go through /mfa/disable, which asks for a code (403 here, MFA stays on)."""
    admin, headers = await make_admin(client, session_factory)
    await turn_on_mfa(client, headers)

    own = await client.request(
        "DELETE",
        f"/api/v1/admin/users/{admin['id']}/mfa",
        json={"password": PASSWORD},
        headers=headers,
    )
    status = await client.get(MFA, headers=headers)

    assert (own.status_code, own.json()["code"]) == (403, "mfa.reset_own_factor")
    assert status.json()["enabled"] is True
