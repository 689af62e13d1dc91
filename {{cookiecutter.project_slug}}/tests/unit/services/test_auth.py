"""AuthService with a fake Unit of Work: credentials, rotation, reuse detection, revocation."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from limits.aio.storage import MemoryStorage

from {{ cookiecutter.package_name }}.core.errors import (
    InactiveUser,
    InvalidCredentials,
    InvalidMfaCode,
    InvalidMfaToken,
    InvalidRefreshToken,
    InvalidToken,
    RateLimited,
)
from {{ cookiecutter.package_name }}.core.mfa import SecretBox, Totp, derived_key
from {{ cookiecutter.package_name }}.core.ratelimit import RateLimiter
from {{ cookiecutter.package_name }}.core.security import (
    PasswordHasher,
    TokenCodec,
    hash_token,
    new_refresh_token,
    successor_refresh_token,
)
from {{ cookiecutter.package_name }}.schemas.auth import MfaChallenge, TokenPair
from {{ cookiecutter.package_name }}.schemas.user import PASSWORD_MAX_LENGTH, UserCreate
from {{ cookiecutter.package_name }}.services.auth import AuthPolicy, AuthService
from {{ cookiecutter.package_name }}.services.mfa import MfaPolicy, MfaService
from {{ cookiecutter.package_name }}.services.user import UserService
from tests.fakes import FakeUnitOfWork, as_uow
from tests.password_check import password_check_for

PASSWORD = "correct horse battery"
EMAIL = "ann@example.com"


async def token_pair(auth: AuthService) -> TokenPair:
    """Log the user in; without MFA the answer is a token pair."""
    pair = await auth.login(email=EMAIL, password=PASSWORD)
    assert isinstance(pair, TokenPair)
    return pair


async def turn_on_mfa(auth: AuthService, uow: FakeUnitOfWork, user_id: int) -> str:
    """Give the user a confirmed TOTP factor; return its secret."""
    secret = pyotp.random_base32()
    async with uow:
        await uow.mfa.replace_pending(user_id, auth.mfa.box.encrypt(secret))
        await uow.mfa.mark_enabled(user_id, now=datetime.now(UTC))
        await uow.commit()
    return secret


def audit_rows(uow: FakeUnitOfWork, action: str) -> list[tuple[object, ...]]:
    """The committed audit rows of `action`: actor, entity type, entity id and details."""
    return [
        (row.actor_id, row.entity_type, row.entity_id, row.details)
        for row in uow.committed_audit
        if row.action == action
    ]


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@pytest.fixture
def tokens() -> TokenCodec:
    return TokenCodec(secret_key="k" * 40, algorithm="HS256", expire_minutes=30)


@pytest.fixture
def auth(uow: FakeUnitOfWork, hasher: PasswordHasher, tokens: TokenCodec) -> AuthService:
    limiter = RateLimiter(MemoryStorage())
    return AuthService(
        as_uow(uow),
        hasher=hasher,
        tokens=tokens,
        limiter=limiter,
        policy=AuthPolicy(
            refresh_lifetime=timedelta(days=14), login_attempts_per_account="3/minute"
        ),
        mfa=MfaService(
            as_uow(uow),
            totp=Totp(issuer="Test"),
            box=SecretBox([derived_key("k" * 40)]),
            limiter=limiter,
            policy=MfaPolicy(attempts_per_account="3/minute", recovery_codes=4),
            password_check=password_check_for(uow),
        ),
    )


@pytest.fixture
async def user_id(uow: FakeUnitOfWork, hasher: PasswordHasher) -> int:
    service = UserService(as_uow(uow), hasher)
    user = await service.register(UserCreate(email=EMAIL, password=PASSWORD))
    return user.id


async def test_login_returns_a_token_pair_for_its_user(auth: AuthService, tokens, user_id):
    """Correct credentials give an access token for the user and a refresh token."""
    pair = await token_pair(auth)

    assert tokens.decode(pair.access_token).user_id == user_id
    assert pair.token_type == "bearer"
    assert pair.expires_in == 30 * 60
    assert pair.refresh_expires_in == 14 * 24 * 3600
    assert len(pair.refresh_token) >= 40


async def test_refresh_token_is_stored_only_as_a_hash(auth: AuthService, uow, user_id):
    """The database holds a hash of the refresh token, never the token."""
    pair = await token_pair(auth)

    stored = list(uow.committed_tokens)
    assert len(stored) == 1
    assert pair.refresh_token not in stored[0]


@pytest.mark.parametrize(
    ("email", "password"),
    [(EMAIL, "wrong password"), ("nobody@example.com", PASSWORD), (EMAIL, PASSWORD + "x" * 200)],
    ids=["wrong-password", "unknown-email", "over-long-password"],
)
async def test_login_failures_raise_the_same_error(auth: AuthService, user_id, email, password):
    """Every bad credential raises InvalidCredentials, saying nothing about which part failed."""
    with pytest.raises(InvalidCredentials):
        await auth.login(email=email, password=password)


async def test_login_is_audited_against_the_user(auth: AuthService, uow, user_id):
    """A password login leaves one row naming the user as actor and as entity."""
    await token_pair(auth)

    assert audit_rows(uow, "auth.login_succeeded") == [(user_id, "user", str(user_id), {})]


async def test_a_password_of_the_longest_allowed_length_logs_in(
    auth: AuthService, uow: FakeUnitOfWork, hasher: PasswordHasher
):
    """Only passwords longer than registration accepts are refused unread; one of exactly the
    maximum length is a password like any other."""
    longest = "x" * PASSWORD_MAX_LENGTH
    await UserService(as_uow(uow), hasher).register(UserCreate(email=EMAIL, password=longest))

    assert isinstance(await auth.login(email=EMAIL, password=longest), TokenPair)


async def test_failed_login_of_an_unknown_email_is_audited_with_no_user(auth: AuthService, uow):
    """An attempt on an email with no account names no actor and no entity, only the email."""
    with pytest.raises(InvalidCredentials):
        await auth.login(email="nobody@example.com", password=PASSWORD)

    failed = [(None, None, None, {"email": "nobody@example.com"})]
    assert audit_rows(uow, "auth.login_failed") == failed


async def test_login_of_deactivated_user_fails(auth: AuthService, uow: FakeUnitOfWork, user_id):
    """A deactivated account cannot log in, even with the right password."""
    uow.committed_users[user_id].is_active = False

    with pytest.raises(InvalidCredentials):
        await auth.login(email=EMAIL, password=PASSWORD)


async def test_repeated_failures_lock_the_account_briefly(auth: AuthService, user_id):
    """After the allowed failures, even the right password is answered with RateLimited."""
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await auth.login(email=EMAIL, password="wrong password")

    with pytest.raises(RateLimited) as raised:
        await auth.login(email=EMAIL, password=PASSWORD)
    assert raised.value.retry_after >= 1


async def test_refresh_rotates_the_pair(auth: AuthService, tokens, user_id):
    """A refresh spends the token and returns a new pair in the same session."""
    first = await token_pair(auth)

    second = await auth.refresh(first.refresh_token)

    assert second.refresh_token != first.refresh_token
    old, new = tokens.decode(first.access_token), tokens.decode(second.access_token)
    assert new.session_id == old.session_id
    assert new.jti != old.jti


async def test_without_a_reuse_interval_the_next_refresh_token_is_random(
    auth: AuthService, tokens: TokenCodec, user_id
):
    """Only a reuse interval needs a successor that can be derived again from the spent token;
    without one, rotation hands out a fresh random token."""
    first = await token_pair(auth)

    second = await auth.refresh(first.refresh_token)

    assert second.refresh_token != tokens.successor_refresh_token(first.refresh_token)


async def test_reused_refresh_token_revokes_the_whole_family(auth: AuthService, user_id):
    """Replaying a spent refresh token is refused and kills its successor too."""
    first = await token_pair(auth)
    second = await auth.refresh(first.refresh_token)

    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(second.refresh_token)
    with pytest.raises(InvalidToken):
        await auth.authenticate(second.access_token)


async def test_unknown_refresh_token_is_refused(auth: AuthService):
    """A refresh token we never issued is refused."""
    with pytest.raises(InvalidRefreshToken):
        await auth.refresh("made-up-token")


def age_sessions(uow: FakeUnitOfWork, age: timedelta) -> datetime:
    """Make every session look as if it started `age` ago; returns that start."""
    started = datetime.now(UTC) - age
    for session in uow.committed_sessions.values():
        session.created_at = started
    return started


async def test_refresh_never_outlives_the_session(auth: AuthService, uow, user_id):
    """Rotation an hour before the session's 30 days are up gets a token expiring exactly then."""
    first = await token_pair(auth)
    started = age_sessions(uow, timedelta(days=30, hours=-1))

    second = await auth.refresh(first.refresh_token)

    assert 3600 - 10 <= second.refresh_expires_in <= 3600
    stored = uow.committed_tokens[hash_token(second.refresh_token)]
    assert stored.expires_at == started + timedelta(days=30)


async def test_session_past_its_lifetime_cannot_refresh(auth: AuthService, uow, user_id):
    """Once its session is older than the lifetime, an unexpired refresh token is refused."""
    first = await token_pair(auth)
    age_sessions(uow, timedelta(days=30, seconds=1))

    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(first.refresh_token)


@pytest.fixture
def lenient_auth(auth: AuthService) -> AuthService:
    """The same service with a 10-second refresh reuse interval."""
    auth.policy = replace(auth.policy, refresh_reuse_interval=timedelta(seconds=10))
    return auth


async def test_reuse_within_the_interval_gets_the_same_successor(
    lenient_auth: AuthService, tokens, user_id
):
    """A second use of a just-rotated token returns the same refresh token, a new access
    token of the same session, and both keep working."""
    first = await token_pair(lenient_auth)
    second = await lenient_auth.refresh(first.refresh_token)

    again = await lenient_auth.refresh(first.refresh_token)

    assert again.refresh_token == second.refresh_token
    assert 0 < again.refresh_expires_in <= second.refresh_expires_in
    claims = tokens.decode(again.access_token)
    assert claims.session_id == tokens.decode(second.access_token).session_id
    assert (await lenient_auth.authenticate(second.access_token)).user.id == user_id
    await lenient_auth.refresh(second.refresh_token)


async def test_reuse_after_the_successor_was_spent_revokes(lenient_auth: AuthService, user_id):
    """Within the interval, a token whose successor was already spent is reuse: revoked."""
    first = await token_pair(lenient_auth)
    second = await lenient_auth.refresh(first.refresh_token)
    third = await lenient_auth.refresh(second.refresh_token)

    with pytest.raises(InvalidRefreshToken):
        await lenient_auth.refresh(first.refresh_token)
    with pytest.raises(InvalidToken):
        await lenient_auth.authenticate(third.access_token)


async def test_reuse_after_the_interval_revokes(lenient_auth: AuthService, uow, user_id):
    """A spent token presented again after the interval is reuse: the family is revoked."""
    first = await token_pair(lenient_auth)
    second = await lenient_auth.refresh(first.refresh_token)
    spent = uow.committed_tokens[hash_token(first.refresh_token)]
    assert spent.used_at is not None
    spent.used_at -= timedelta(seconds=11)

    with pytest.raises(InvalidRefreshToken):
        await lenient_auth.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await lenient_auth.refresh(second.refresh_token)


async def test_reuse_is_audited_against_the_owner_and_the_revoked_session(
    auth: AuthService, uow, tokens, user_id
):
    """The revocation that reuse triggers leaves one audit row naming the token's owner as
    actor and the ended session as entity, committed although the caller is refused."""
    first = await token_pair(auth)
    await auth.refresh(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(first.refresh_token)

    session_id = tokens.decode(first.access_token).session_id
    assert audit_rows(uow, "auth.refresh_token_reused") == [(user_id, "session", session_id, {})]


def test_successor_is_keyed_and_shaped_like_a_new_token():
    """The derived successor depends on the key and the token, and looks like a random one."""
    token = new_refresh_token()

    successor = successor_refresh_token(token, key="k" * 40)

    assert len(successor) == len(token)
    assert successor.replace("-", "a").replace("_", "a").isalnum()
    assert successor == successor_refresh_token(token, key="k" * 40)
    assert successor != successor_refresh_token(token, key="j" * 40)
    assert successor != successor_refresh_token(new_refresh_token(), key="k" * 40)


async def test_authenticate_resolves_token_to_user(auth: AuthService, user_id):
    """A valid access token resolves to the active user it was issued for."""
    pair = await token_pair(auth)

    principal = await auth.authenticate(pair.access_token)

    assert principal.user.id == user_id


async def test_logout_revokes_session_and_access_token(auth: AuthService, user_id):
    """After logout neither the access token nor the refresh token works."""
    pair = await token_pair(auth)
    principal = await auth.authenticate(pair.access_token)

    await auth.logout(principal, pair.refresh_token)

    with pytest.raises(InvalidToken):
        await auth.authenticate(pair.access_token)
    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(pair.refresh_token)


async def test_logout_ends_the_callers_session_whatever_refresh_token_comes_with_it(
    auth: AuthService, user_id
):
    """The caller's own session ends on logout even when the refresh token sent with it is
    unknown: the access token that asked is what is logged out."""
    pair = await token_pair(auth)
    principal = await auth.authenticate(pair.access_token)

    await auth.logout(principal, "never issued")

    with pytest.raises(InvalidToken):
        await auth.authenticate(pair.access_token)


async def test_logout_also_ends_the_callers_other_session_named_by_its_refresh_token(
    auth: AuthService, user_id
):
    """A refresh token of another of the caller's own sessions (another device) is ended
    too: neither session's tokens work afterwards."""
    here, elsewhere = await token_pair(auth), await token_pair(auth)

    await auth.logout(await auth.authenticate(here.access_token), elsewhere.refresh_token)

    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(elsewhere.refresh_token)
    with pytest.raises(InvalidToken):
        await auth.authenticate(elsewhere.access_token)
    with pytest.raises(InvalidToken):
        await auth.authenticate(here.access_token)


async def test_logout_with_another_users_refresh_token_leaves_their_session_alone(
    auth: AuthService, uow: FakeUnitOfWork, hasher: PasswordHasher, user_id
):
    """Sending someone else's refresh token to logout ends only the caller's session: the
    other user's access and refresh tokens keep working."""
    await UserService(as_uow(uow), hasher).register(
        UserCreate(email="bob@example.com", password=PASSWORD)
    )
    bob = await auth.login(email="bob@example.com", password=PASSWORD)
    assert isinstance(bob, TokenPair)
    ann = await token_pair(auth)

    await auth.logout(await auth.authenticate(ann.access_token), bob.refresh_token)

    assert (await auth.authenticate(bob.access_token)).user.email == "bob@example.com"
    assert await auth.refresh(bob.refresh_token)
    with pytest.raises(InvalidToken):
        await auth.authenticate(ann.access_token)


async def test_refresh_is_refused_once_the_user_is_deactivated(auth: AuthService, uow, user_id):
    """A deactivated user's refresh token buys nothing, though the token itself is live."""
    pair = await token_pair(auth)
    uow.committed_users[user_id].is_active = False

    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(pair.refresh_token)


async def test_logout_is_audited_against_the_caller_and_the_ended_session(
    auth: AuthService, uow, tokens, user_id
):
    """Logout leaves one audit row: the caller as actor, their session as entity."""
    pair = await token_pair(auth)

    await auth.logout(await auth.authenticate(pair.access_token), pair.refresh_token)

    session_id = tokens.decode(pair.access_token).session_id
    assert audit_rows(uow, "auth.logged_out") == [(user_id, "session", session_id, {})]


async def test_logout_all_ends_every_session(auth: AuthService, uow, user_id):
    """logout-all revokes every session of the user, not just the caller's, and audits how
    many it ended."""
    laptop = await token_pair(auth)
    phone = await token_pair(auth)

    await auth.logout_all(await auth.authenticate(laptop.access_token))

    with pytest.raises(InvalidToken):
        await auth.authenticate(phone.access_token)
    with pytest.raises(InvalidRefreshToken):
        await auth.refresh(phone.refresh_token)
    everywhere = [(user_id, "user", str(user_id), {"sessions": 2})]
    assert audit_rows(uow, "auth.logged_out_everywhere") == everywhere


async def test_authenticate_refuses_deactivated_user(auth: AuthService, uow, user_id):
    """A token of a deactivated user stops working at once."""
    pair = await token_pair(auth)
    uow.committed_users[user_id].is_active = False

    with pytest.raises(InactiveUser):
        await auth.authenticate(pair.access_token)


async def test_authenticate_refuses_token_of_deleted_user(auth: AuthService, uow, user_id):
    """A token whose user no longer exists is refused."""
    pair = await token_pair(auth)
    del uow.committed_users[user_id]

    with pytest.raises(InvalidToken):
        await auth.authenticate(pair.access_token)


async def test_login_with_mfa_on_gives_only_an_mfa_token(
    auth: AuthService, uow: FakeUnitOfWork, tokens: TokenCodec, user_id
):
    """With a confirmed factor, the password yields an MFA token and starts no session;
    a code of the current step turns it into a pair, once."""
    secret = await turn_on_mfa(auth, uow, user_id)

    challenge = await auth.login(email=EMAIL, password=PASSWORD)

    assert isinstance(challenge, MfaChallenge)
    assert tokens.decode_mfa(challenge.mfa_token) == user_id
    assert uow.committed_sessions == {}
    code = pyotp.TOTP(secret).now()
    pair = await auth.verify_mfa(mfa_token=challenge.mfa_token, code=code)
    assert tokens.decode(pair.access_token).user_id == user_id
    with pytest.raises(InvalidMfaCode):
        await auth.verify_mfa(mfa_token=challenge.mfa_token, code=code)


async def test_a_login_finished_with_a_code_is_audited_with_the_factor_used(
    auth: AuthService, uow: FakeUnitOfWork, user_id
):
    """The audit row of a two-step login names the user as actor and entity, and which second
    factor finished it."""
    secret = await turn_on_mfa(auth, uow, user_id)
    challenge = await auth.login(email=EMAIL, password=PASSWORD)
    assert isinstance(challenge, MfaChallenge)

    await auth.verify_mfa(mfa_token=challenge.mfa_token, code=pyotp.TOTP(secret).now())

    succeeded = [(user_id, "user", str(user_id), {"second_factor": "totp"})]
    assert audit_rows(uow, "auth.login_succeeded") == succeeded


async def test_user_deactivated_between_password_and_code_gets_no_session(
    auth: AuthService, uow: FakeUnitOfWork, user_id
):
    """An account deactivated after its password step cannot finish the login with a right
    code, and no session is started."""
    secret = await turn_on_mfa(auth, uow, user_id)
    challenge = await auth.login(email=EMAIL, password=PASSWORD)
    assert isinstance(challenge, MfaChallenge)
    uow.committed_users[user_id].is_active = False

    with pytest.raises(InvalidMfaToken):
        await auth.verify_mfa(mfa_token=challenge.mfa_token, code=pyotp.TOTP(secret).now())
    assert uow.committed_sessions == {}


async def test_access_token_never_outlives_the_session(
    auth: AuthService, uow, user_id, tokens: TokenCodec
):
    """A refresh ten minutes before the session ends gets an access token that ends with it,
    not the usual 30 minutes later."""
    first = await token_pair(auth)
    started = age_sessions(uow, timedelta(days=30, minutes=-10))

    second = await auth.refresh(first.refresh_token)

    assert 600 - 10 <= second.expires_in <= 600
    claims = tokens.decode(second.access_token)
    assert claims.expires_at <= started + timedelta(days=30)
