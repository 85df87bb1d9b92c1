"""Base models every app builds on; `core` imports no other app."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantModel(TimeStampedModel):
    """A row owned by one organization.

    The default manager refuses queries made outside an organization scope
    (django-scopes): a forgotten filter fails closed instead of leaking rows.
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedManager(organization="organization")

    class Meta:
        abstract = True


class AuditEvent(TenantModel):
    """Who did what to which object, written inside the transaction that did it."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class Heartbeat(models.Model):
    """One row per periodic beat source; `/healthz` reports how fresh it is."""

    name = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
