"""Writes of the boto3-compatible layer: remembering create calls' answers for retries."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.awsapi.models import Invocation
from apps.core.errors import Conflict, DomainError
from apps.core.services import audit_record
from apps.workforces import services as workforce_services
from apps.workforces.models import Workforce, Workteam
from apps.workforces.selectors import oidc_config_find, workforce_private_find
from apps.workforces.services import workforce_private_ensure

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


@transaction.atomic
def workforce_private_create(*, organization: Organization, name: str, actor: User) -> Workforce:
    """SageMaker's CreateWorkforce: the organization's one private workforce, named.
    (The workforces app creates it lazily as "default" when a first team needs it.)"""
    if workforce_private_find(organization=organization) is not None:
        raise Conflict("This organization already has its private workforce.")
    workforce = workforce_private_ensure(organization=organization)
    workforce = Workforce.objects.select_for_update().get(pk=workforce.pk)
    workforce.name = name
    workforce.save(update_fields=["name", "updated_at"])
    audit_record(
        organization_id=organization.id, actor=actor, action="workforce.created", target=workforce
    )
    return workforce


@transaction.atomic
def workforce_private_delete(*, workforce: Workforce, actor: User) -> None:
    """SageMaker's DeleteWorkforce: refused while teams use it (AWS's ResourceInUse); the
    organization's OIDC settings go with it."""
    workforce = Workforce.objects.select_for_update().get(pk=workforce.pk)
    if workforce.kind != Workforce.Kind.PRIVATE:
        raise DomainError("Only the private workforce can be deleted.")
    if Workteam.objects.filter(workforce=workforce).exists():
        raise Conflict("Workteams use this workforce; delete them first.")
    config = oidc_config_find(organization=workforce.organization)
    if config is not None:
        workforce_services.oidc_config_delete(config=config, actor=actor)
    audit_record(
        organization_id=workforce.organization_id,
        actor=actor,
        action="workforce.deleted",
        target=workforce,
    )
    workforce.delete()
