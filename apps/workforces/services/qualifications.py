"""Qualifications: define, test items, grant (manually or by test), revoke."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.core.errors import Conflict, DomainError
from apps.core.services import audit_record
from apps.workforces.access_cache import work_access_changed
from apps.workforces.errors import AlreadyGranted, NameTaken, TestNotAvailable
from apps.workforces.models import (
    Qualification,
    QualificationGrant,
    QualificationTestAttempt,
    QualificationTestItem,
)
from apps.workforces.services._common import UNSET
from apps.workforces.services.workers import worker_pseudonym_record


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError.on_field(
            "name", "A qualification needs a name of at most 100 characters."
        )
    return name


def _check_pass_score(pass_score: object) -> Decimal | None:
    if pass_score is None or pass_score == "":
        return None
    try:
        score = Decimal(str(pass_score))
    except InvalidOperation:
        raise DomainError.on_field(
            "pass_score", "The pass score is a fraction between 0 and 1."
        ) from None
    if not Decimal(0) <= score <= Decimal(1):
        raise DomainError.on_field("pass_score", "The pass score is a fraction between 0 and 1.")
    return score.quantize(Decimal("0.001"))


@transaction.atomic
def qualification_create(
    *,
    organization: Organization,
    name: str,
    actor: User,
    description: str = "",
    pass_score: object = None,
    is_retake_allowed: bool = False,
) -> Qualification:
    name = _check_name(name)
    score = _check_pass_score(pass_score)
    if Qualification.objects.filter(organization=organization, name=name).exists():
        raise NameTaken(name=[f"A qualification named {name!r} exists."])
    try:
        with transaction.atomic():
            qualification = Qualification.objects.create(
                organization=organization,
                name=name,
                description=(description or "").strip(),
                pass_score=score,
                is_retake_allowed=is_retake_allowed,
            )
    except IntegrityError:
        raise NameTaken(name=[f"A qualification named {name!r} exists."]) from None
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="qualification.created",
        target=qualification,
        name=name,
    )
    return qualification


@transaction.atomic
def qualification_update(
    *,
    qualification: Qualification,
    actor: User,
    description: object = UNSET,
    pass_score: object = UNSET,
    is_retake_allowed: object = UNSET,
) -> Qualification:
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    if description is not UNSET:
        qualification.description = (description or "").strip()
    if pass_score is not UNSET:
        qualification.pass_score = _check_pass_score(pass_score)
    if is_retake_allowed is not UNSET:
        qualification.is_retake_allowed = bool(is_retake_allowed)
    qualification.save()
    audit_record(
        organization_id=qualification.organization_id,
        actor=actor,
        action="qualification.updated",
        target=qualification,
    )
    return qualification


@transaction.atomic
def qualification_delete(*, qualification: Qualification, actor: User) -> None:
    audit_record(
        organization_id=qualification.organization_id,
        actor=actor,
        action="qualification.deleted",
        target=qualification,
        name=qualification.name,
    )
    try:
        with transaction.atomic():
            qualification.delete()
    except ProtectedError:
        raise Conflict("A workteam still requires this qualification.") from None


@transaction.atomic
def qualification_test_item_add(
    *, qualification: Qualification, input: object, expected_answer: object, actor: User
) -> QualificationTestItem:
    if not isinstance(input, dict):
        raise DomainError.on_field(
            "input", "An item's input is a JSON object, like a manifest line."
        )
    if expected_answer is None:
        raise DomainError.on_field("expected_answer", "Give the known answer.")
    position = QualificationTestItem.objects.filter(qualification=qualification).count()
    item = QualificationTestItem.objects.create(
        organization_id=qualification.organization_id,
        qualification=qualification,
        position=position,
        input=input,
        expected_answer=expected_answer,
    )
    audit_record(
        organization_id=qualification.organization_id,
        actor=actor,
        action="qualification.test_item_added",
        target=item,
    )
    return item


def _grant(
    *, qualification: Qualification, user: User, source: str, actor: User | None
) -> QualificationGrant:
    try:
        with transaction.atomic():
            grant = QualificationGrant.global_objects.create(
                organization_id=qualification.organization_id,
                qualification=qualification,
                user=user,
                source=source,
                granted_by=actor,
            )
    except IntegrityError:  # the unique active-grant constraint
        raise AlreadyGranted() from None
    worker_pseudonym_record(user=user, organization=qualification.organization)
    audit_record(
        organization_id=qualification.organization_id,
        actor=actor or user,
        action="qualification.granted",
        target=grant,
        source=source,
    )
    return grant


@transaction.atomic
def qualification_grant(
    *, qualification: Qualification, user: User, actor: User
) -> QualificationGrant:
    return _grant(
        qualification=qualification, user=user, source=QualificationGrant.Source.MANUAL, actor=actor
    )


@transaction.atomic
def qualification_grant_revoke(*, grant: QualificationGrant, actor: User) -> QualificationGrant:
    """Idempotent; the worker loses access to teams requiring it at their next request."""
    now = timezone.now()
    updated = QualificationGrant.global_objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor, updated_at=now
    )
    work_access_changed()
    grant.refresh_from_db()
    if updated:
        audit_record(
            organization_id=grant.organization_id,
            actor=actor,
            action="qualification.revoked",
            target=grant,
        )
    return grant


@transaction.atomic
def qualification_test_submit(
    *, qualification: Qualification, user: User, answers: dict
) -> QualificationTestAttempt:
    """Grade a worker's answers to the test (keyed by item id); passing grants it.

    Score = items answered exactly like `expected_answer` / all items. Locks the
    qualification row so one person's two submissions cannot both be graded first.
    """
    qualification = Qualification.objects.select_for_update().get(pk=qualification.pk)
    items = list(QualificationTestItem.objects.filter(qualification=qualification))
    if qualification.pass_score is None or not items:
        raise TestNotAvailable()
    if not isinstance(answers, dict):
        raise DomainError.on_field("answers", "Answers are an object keyed by test item id.")
    previous = QualificationTestAttempt.objects.filter(qualification=qualification, user=user)
    if previous.filter(is_passed=True).exists() or (
        previous.exists() and not qualification.is_retake_allowed
    ):
        raise TestNotAvailable()
    correct = sum(1 for item in items if answers.get(str(item.id)) == item.expected_answer)
    score = (Decimal(correct) / Decimal(len(items))).quantize(Decimal("0.001"))
    attempt = QualificationTestAttempt.objects.create(
        organization_id=qualification.organization_id,
        qualification=qualification,
        user=user,
        answers=answers,
        score=score,
        is_passed=score >= qualification.pass_score,
    )
    if (
        attempt.is_passed
        and not QualificationGrant.global_objects.filter(
            qualification=qualification, user=user, revoked_at__isnull=True
        ).exists()
    ):
        _grant(
            qualification=qualification,
            user=user,
            source=QualificationGrant.Source.TEST,
            actor=None,
        )
    return attempt
