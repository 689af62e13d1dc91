"""AdminService with a fake Unit of Work: user management rules and their audit rows."""

import pytest

from {{ cookiecutter.package_name }}.core.errors import LastAdminError, UserNotFound
from {{ cookiecutter.package_name }}.core.permissions import Role
from {{ cookiecutter.package_name }}.core.security import PasswordHasher
from {{ cookiecutter.package_name }}.schemas.admin import AdminUserUpdate, UserFilters
from {{ cookiecutter.package_name }}.schemas.common import PageParams
from {{ cookiecutter.package_name }}.schemas.user import UserCreate
from {{ cookiecutter.package_name }}.services.admin import AdminService
from {{ cookiecutter.package_name }}.services.user import UserService
from tests.fakes import FakeUnitOfWork, as_uow
from tests.password_check import password_check_for


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def admin(uow: FakeUnitOfWork) -> AdminService:
    return AdminService(as_uow(uow), password_check=password_check_for(uow))


async def add_user(uow: FakeUnitOfWork, email: str, role: Role = Role.USER) -> int:
    hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    user = await UserService(as_uow(uow), hasher).register(
        UserCreate(email=email, password="password-1"), role=role
    )
    return user.id


def actions(uow: FakeUnitOfWork) -> list[str]:
    return [entry.action for entry in uow.committed_audit]


async def test_role_change_is_committed_with_its_audit_row(admin: AdminService, uow):
    """Promoting a user changes the role and records who did it, in one commit."""
    root = await add_user(uow, "root@example.com", Role.ADMIN)
    ann = await add_user(uow, "ann@example.com")
    commits = uow.commits

    user = await admin.update_user(actor_id=root, user_id=ann, data=AdminUserUpdate(role="admin"))

    assert user.role == "admin"
    assert uow.commits == commits + 1
    entry = uow.committed_audit[-1]
    assert (entry.action, entry.actor_id, entry.entity_id) == ("user.role_changed", root, str(ann))
    assert entry.details == {"from": "user", "to": "admin"}


@pytest.mark.parametrize(
    "change", [{"role": "user"}, {"is_active": False}], ids=["demote", "deactivate"]
)
async def test_last_admin_cannot_be_removed(admin: AdminService, uow, change):
    """The only active admin can be neither demoted nor deactivated; nothing is committed."""
    root = await add_user(uow, "root@example.com", Role.ADMIN)
    commits = uow.commits

    with pytest.raises(LastAdminError):
        await admin.update_user(actor_id=root, user_id=root, data=AdminUserUpdate(**change))

    assert uow.commits == commits
    assert uow.committed_users[root].role == "admin"
    assert uow.committed_users[root].is_active


async def test_an_admin_can_be_demoted_when_another_remains(admin: AdminService, uow):
    """With a second active admin, demotion is allowed."""
    root = await add_user(uow, "root@example.com", Role.ADMIN)
    other = await add_user(uow, "other@example.com", Role.ADMIN)

    user = await admin.update_user(actor_id=root, user_id=other, data=AdminUserUpdate(role="user"))

    assert user.role == "user"


async def test_deactivation_is_audited(admin: AdminService, uow):
    """Deactivating a user records user.deactivated; reactivating records user.reactivated."""
    root = await add_user(uow, "root@example.com", Role.ADMIN)
    ann = await add_user(uow, "ann@example.com")

    await admin.update_user(actor_id=root, user_id=ann, data=AdminUserUpdate(is_active=False))
    await admin.update_user(actor_id=root, user_id=ann, data=AdminUserUpdate(is_active=True))

    assert actions(uow)[-2:] == ["user.deactivated", "user.reactivated"]


async def test_unchanged_values_write_no_audit_row(admin: AdminService, uow):
    """Setting a field to its current value records nothing."""
    root = await add_user(uow, "root@example.com", Role.ADMIN)
    before = len(uow.committed_audit)

    await admin.update_user(actor_id=root, user_id=root, data=AdminUserUpdate(role="admin"))

    assert len(uow.committed_audit) == before


async def test_unknown_user_is_not_found(admin: AdminService):
    """Changing a user that does not exist raises UserNotFound."""
    with pytest.raises(UserNotFound):
        await admin.update_user(actor_id=1, user_id=99, data=AdminUserUpdate(role="admin"))


async def test_list_users_filters(admin: AdminService, uow):
    """Users can be filtered by email fragment, role and active flag."""
    await add_user(uow, "root@example.com", Role.ADMIN)
    await add_user(uow, "ann@example.com")
    await add_user(uow, "bob@example.org")

    by_email = await admin.list_users(filters=UserFilters(email="example.org"), page=PageParams())
    by_role = await admin.list_users(filters=UserFilters(role="admin"), page=PageParams())

    assert [user.email for user in by_email.items] == ["bob@example.org"]
    assert [user.email for user in by_role.items] == ["root@example.com"]
