"""Worker profiles, pseudonyms, global suspension (staff) and requesters' blocks."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.core.errors import DomainError
from apps.core.services import audit_record
from apps.workforces.access_cache import work_access_changed
from apps.workforces.errors import AlreadyBlocked, StaffOnly
from apps.workforces.models import WorkerBlock, WorkerProfile, WorkerPseudonym
from apps.workforces.selectors import anonymized_worker_id
from apps.workforces.services.workforces import workforce_public_ensure

DISPLAY_NAME_MAX_LENGTH = 80
REASON_MAX_LENGTH = 1000


@transaction.atomic
def worker_profile_ensure(*, user: User) -> WorkerProfile:
    profile, _ = WorkerProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def worker_profile_update(
    *, user: User, display_name: str | None = None, is_public_crowd: bool | None = None
) -> WorkerProfile:
    """The worker edits their own profile; opting in makes them part of the public crowd."""
    profile = worker_profile_ensure(user=user)
    profile = WorkerProfile.objects.select_for_update().get(pk=profile.pk)
    if display_name is not None:
        display_name = display_name.strip()
        if len(display_name) > DISPLAY_NAME_MAX_LENGTH:
            raise DomainError.on_field(
                "display_name", f"A display name has at most {DISPLAY_NAME_MAX_LENGTH} characters."
            )
        profile.display_name = display_name
    if is_public_crowd is not None:
        if is_public_crowd:
            workforce_public_ensure()
        profile.is_public_crowd = is_public_crowd
    profile.save(update_fields=["display_name", "is_public_crowd", "updated_at"])
    return profile


def _require_staff(actor: User) -> None:
    if not (actor.is_active and actor.is_staff):
        raise StaffOnly()


@transaction.atomic
def worker_suspend(*, user: User, reason: str, actor: User) -> WorkerProfile:
    """Platform staff stop a worker everywhere: no organization's work reaches them."""
    _require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError.on_field("reason", "Say why the worker is suspended.")
    profile = worker_profile_ensure(user=user)
    WorkerProfile.objects.filter(pk=profile.pk).update(
        status=WorkerProfile.Status.SUSPENDED,
        suspended_reason=reason[:REASON_MAX_LENGTH],
        suspended_at=timezone.now(),
        suspended_by=actor,
        updated_at=timezone.now(),
    )
    work_access_changed()
    profile.refresh_from_db()
    return profile


@transaction.atomic
def worker_unsuspend(*, user: User, actor: User) -> WorkerProfile:
    _require_staff(actor)
    profile = worker_profile_ensure(user=user)
    WorkerProfile.objects.filter(pk=profile.pk).update(
        status=WorkerProfile.Status.ACTIVE,
        suspended_reason="",
        suspended_at=None,
        suspended_by=None,
        updated_at=timezone.now(),
    )
    work_access_changed()
    profile.refresh_from_db()
    return profile


def worker_pseudonym_record(*, user: User, organization: Organization) -> str:
    """Remember that `organization` was shown this worker's anonymized id (idempotent).

    Call it wherever an organization first sees a worker: team membership, vendor routing,
    and (in the tasks app) when an assignment is created.
    """
    worker_id = anonymized_worker_id(user=user, organization=organization)
    WorkerPseudonym.objects.bulk_create(
        [WorkerPseudonym(organization=organization, user=user, worker_id=worker_id)],
        ignore_conflicts=True,
    )
    return worker_id


def worker_pseudonyms_record(*, user_ids: list[int], organization: Organization) -> None:
    users = User.objects.filter(id__in=user_ids).only("id")
    WorkerPseudonym.objects.bulk_create(
        [
            WorkerPseudonym(
                organization=organization,
                user=user,
                worker_id=anonymized_worker_id(user=user, organization=organization),
            )
            for user in users
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def worker_block_create(
    *, organization: Organization, user: User, reason: str, actor: User
) -> WorkerBlock:
    """Keep `user` off every workteam of `organization` (including public and vendor work)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError.on_field("reason", "Say why the worker is blocked.")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError.on_field(
            "reason", f"A reason has at most {REASON_MAX_LENGTH} characters."
        )
    if WorkerBlock.objects.filter(
        organization=organization, user=user, lifted_at__isnull=True
    ).exists():
        raise AlreadyBlocked()
    try:
        with transaction.atomic():
            block = WorkerBlock.objects.create(
                organization=organization, user=user, reason=reason, created_by=actor
            )
    except IntegrityError:  # a concurrent block won
        raise AlreadyBlocked() from None
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="worker.blocked",
        target=block,
        worker_id=anonymized_worker_id(user=user, organization=organization),
    )
    return block


@transaction.atomic
def worker_block_lift(*, block: WorkerBlock, actor: User) -> WorkerBlock:
    """Idempotent: lifting a lifted block changes nothing."""
    now = timezone.now()
    updated = WorkerBlock.objects.filter(pk=block.pk, lifted_at__isnull=True).update(
        lifted_at=now, updated_at=now
    )
    work_access_changed()
    block.refresh_from_db()
    if updated:
        audit_record(
            organization_id=block.organization_id,
            actor=actor,
            action="worker.unblocked",
            target=block,
        )
    return block
