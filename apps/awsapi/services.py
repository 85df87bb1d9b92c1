"""Writes of the boto3-compatible layer: remembering create calls' answers for retries."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Organization
from apps.awsapi.models import Invocation

INVOCATION_KEPT_FOR = timedelta(days=1)  # far longer than any SDK's retry window


def invocation_find(
    *, organization: Organization, invocation_id: str, operation: str
) -> dict | None:
    if not invocation_id:
        return None
    return (
        Invocation.objects.filter(
            organization=organization, invocation_id=invocation_id, operation=operation
        )
        .values_list("response", flat=True)
        .first()
    )


def invocation_record(
    *, organization: Organization, invocation_id: str, operation: str, response: dict
) -> None:
    """Inside the create's transaction, so the answer is kept exactly when the create
    committed. A concurrent attempt of the same invocation loses on the unique constraint."""
    if not invocation_id:
        return
    try:
        with transaction.atomic():
            Invocation.objects.create(
                organization=organization,
                invocation_id=invocation_id[:64],
                operation=operation,
                response=response,
            )
    except IntegrityError:
        pass


def invocations_purge(*, now=None) -> int:
    cutoff = (now or timezone.now()) - INVOCATION_KEPT_FOR
    deleted, _ = Invocation.global_objects.filter(created_at__lt=cutoff).delete()
    return deleted
