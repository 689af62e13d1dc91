"""Roles and what they may do, in one table.

To add a permission: add it to `Permission`, grant it in `ROLE_PERMISSIONS`, and
guard a route with `dependencies=[require(Permission.X)]`. To add a role: add it to
`Role` and give it a row below. Nothing else changes.
"""

from enum import StrEnum


class Permission(StrEnum):
    ITEMS_READ_ANY = "items:read:any"
    ITEMS_WRITE_ANY = "items:write:any"
    USERS_READ = "users:read"
    USERS_WRITE = "users:write"
    AUDIT_READ = "audit:read"


class Role(StrEnum):
    ADMIN = "admin"
    USER = "user"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    # Users act on their own items only, which needs no permission from this table.
    Role.USER: frozenset(),
}


def has_permission(role: str, permission: Permission) -> bool:
    """Whether `role` grants `permission`; an unknown role grants nothing."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
