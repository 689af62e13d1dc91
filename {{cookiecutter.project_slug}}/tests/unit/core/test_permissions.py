"""The role -> permission table."""

import pytest

from {{ cookiecutter.package_name }}.core.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    has_permission,
)


@pytest.mark.parametrize("permission", list(Permission))
def test_admin_has_every_permission(permission: Permission):
    """Admins may do everything the table knows."""
    assert has_permission("admin", permission)


@pytest.mark.parametrize("permission", list(Permission))
def test_user_has_no_table_permission(permission: Permission):
    """Plain users act only on their own things, which needs no permission."""
    assert not has_permission("user", permission)


def test_unknown_role_grants_nothing():
    """A role missing from the table (a typo, a removed role) grants nothing."""
    assert not has_permission("superadmin", Permission.USERS_READ)


def test_every_role_has_a_row():
    """Adding a Role without deciding its permissions is caught here."""
    assert set(ROLE_PERMISSIONS) == set(Role)
