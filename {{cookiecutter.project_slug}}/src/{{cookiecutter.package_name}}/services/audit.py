"""Building audit rows. Services add them through `uow.audit` inside the transaction
of the change they record, so a change and its audit row are stored together or not
at all. Never put secrets (passwords, tokens) in `details`."""

from typing import Any

from {{ cookiecutter.package_name }}.core.context import current_request
from {{ cookiecutter.package_name }}.models.audit import AuditLog


def audit_entry(
    action: str,
    *,
    actor_id: int | None,
    entity: tuple[str, int | str] | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """An audit row for `action`, stamped with the current request's id and client address."""
    request = current_request()
    entity_type, entity_id = entity if entity is not None else (None, None)
    return AuditLog(
        action=action,
        actor_id=actor_id,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        request_id=request.request_id,
        client_address=request.client_address,
        details=details or {},
    )
