"""Re-encrypting TOTP secrets under a new key, on the real database, in batches."""

import base64
import os

from sqlalchemy import event

from {{ cookiecutter.package_name }}.core.mfa import SecretBox, Totp
from {{ cookiecutter.package_name }}.db.uow import SqlAlchemyUnitOfWork
from {{ cookiecutter.package_name }}.models.user import User
from {{ cookiecutter.package_name }}.services.mfa import RotationResult, reencrypt_secrets


def fernet_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


async def enrol(uow: SqlAlchemyUnitOfWork, email: str, box: SecretBox) -> tuple[int, str]:
    secret = Totp.new_secret()
    async with uow:
        user = await uow.users.add(User(email=email, hashed_password="x"))
        await uow.mfa.replace_pending(user.id, box.encrypt(secret))
        await uow.commit()
    return user.id, secret


async def test_rotation_moves_every_secret_to_the_new_key(uow: SqlAlchemyUnitOfWork):
    """After rotation the new key alone opens every secret; one that no configured key opens
    is reported by user id and left as it was."""
    old, new = fernet_key(), fernet_key()
    enrolled = [await enrol(uow, f"u{i}@example.com", SecretBox([old])) for i in range(3)]
    stray_id, _ = await enrol(uow, "stray@example.com", SecretBox([fernet_key()]))

    result = await reencrypt_secrets(uow, SecretBox([new, old]), batch=2)

    assert result.rotated == 3
    assert result.unreadable == [stray_id]
    only_new = SecretBox([new])
    async with uow(read_only=True):
        for user_id, secret in enrolled:
            factor = await uow.mfa.get(user_id)
            assert factor is not None
            assert only_new.decrypt(factor.secret_encrypted) == secret


async def test_rotation_commits_each_batch_on_its_own(uow: SqlAlchemyUnitOfWork, engine):
    """Each batch is read after the last one's final row and committed on its own, so a long
    rotation never holds every row at once and an interruption keeps the batches done."""
    old, new = fernet_key(), fernet_key()
    for i in range(7):
        await enrol(uow, f"u{i}@example.com", SecretBox([old]))
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(engine.sync_engine, "commit", count)
    try:
        result = await reencrypt_secrets(uow, SecretBox([new, old]), batch=3)
    finally:
        event.remove(engine.sync_engine, "commit", count)

    assert result == RotationResult(rotated=7, unreadable=[])
    assert len(commits) == 3
