from django.db import models

from apps.core.models import AuditEvent


def audit_record(
    *, organization_id: int, actor, action: str, target: models.Model, **data: object
) -> AuditEvent:
    """Record an audit event; call it inside the service's transaction."""
    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data,
    )
