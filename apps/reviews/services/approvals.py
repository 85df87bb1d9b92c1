"""Review of submitted work: approve or reject each answer, once, audited.

The state machine lives on Assignment (`review_status`): pending -> approved | rejected.
`assignment_approve` and `assignment_reject` are the only two ways out of pending; payment
hangs on them, so the payouts app's "pay this approved assignment" / "return this rejected
work's money to escrow" calls belong inside their transactions.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scope

from apps.accounts.models import Organization, User
from apps.core.errors import Conflict, DomainError
from apps.core.services import audit_record
from apps.projects.models import Project
from apps.tasks.models import Assignment, ReviewStatus, Task

REASON_MAX_CHARS = 1024
BULK_MAX = 500
AUTO_APPROVE_BATCH = 500  # assignments per organization per run


class AssignmentNotReviewable(Conflict):
    code = "assignment_not_reviewable"
    message = "Only a submitted answer awaiting review can be approved or rejected."


def _reason(reason: object, *, required: bool) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if required and not text:
        raise DomainError.on_field("reason", "Tell the worker why their answer was rejected.")
    if len(text) > REASON_MAX_CHARS:
        raise DomainError.on_field("reason", f"At most {REASON_MAX_CHARS} characters.")
    return text


def _lock(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=assignment.pk)
    )


def _refuse(assignment: Assignment) -> AssignmentNotReviewable:
    state = (
        assignment.get_review_status_display().lower()
        if assignment.status == Assignment.Status.SUBMITTED
        else assignment.get_status_display().lower()
    )
    return AssignmentNotReviewable(status=[state])


@transaction.atomic
def assignment_approve(
    *, assignment: Assignment, actor: User | None, reason: str = ""
) -> Assignment:
    """pending -> approved (`actor` None: the auto-approval job). Approving an approved
    answer again is a no-op; a rejected one cannot be approved."""
    reason = _reason(reason, required=False)
    assignment = _lock(assignment)
    if assignment.review_status == ReviewStatus.APPROVED:
        return assignment
    if (
        assignment.status != Assignment.Status.SUBMITTED
        or assignment.review_status != ReviewStatus.PENDING
    ):
        raise _refuse(assignment)
    now = timezone.now()
    reviewer = actor if getattr(actor, "is_authenticated", False) else None
    Assignment.objects.filter(pk=assignment.pk).update(
        review_status=ReviewStatus.APPROVED,
        reviewed_at=now,
        reviewed_by=reviewer,
        review_reason=reason,
        updated_at=now,
    )
    assignment.refresh_from_db()
    audit_record(
        organization_id=assignment.organization_id,
        actor=actor,
        action="assignment.approved",
        target=assignment,
        reason=reason,
        automatic=reviewer is None,
    )
    return assignment


@transaction.atomic
def assignment_reject(*, assignment: Assignment, actor: User, reason: str) -> Assignment:
    """pending -> rejected, with the reason the worker sees on their My tasks page.

    The task goes back to the queue needing one more answer (its answer count drops by
    one; a completed project reopens); the rejected worker keeps their submitted row, so
    the queue never offers them this task again. Answers to human loops cannot be
    rejected: their output was already delivered to the client.
    """
    reason = _reason(reason, required=True)
    assignment = _lock(assignment)
    if (
        assignment.status != Assignment.Status.SUBMITTED
        or assignment.review_status != ReviewStatus.PENDING
    ):
        raise _refuse(assignment)
    project = assignment.project
    if project.is_flow_backed:
        raise AssignmentNotReviewable("Answers to human loops cannot be rejected.")
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(
        review_status=ReviewStatus.REJECTED,
        reviewed_at=now,
        reviewed_by=actor,
        review_reason=reason,
        updated_at=now,
    )
    task = Task.objects.select_for_update().get(pk=assignment.task_id)
    requeued = task.status != Task.Status.WITHDRAWN and project.status in (
        Project.Status.IN_PROGRESS,
        Project.Status.COMPLETED,
    )
    if requeued:
        Task.objects.filter(pk=task.pk).update(
            answers_received=F("answers_received") - 1, status=Task.Status.OPEN, updated_at=now
        )
        Project.objects.filter(
            pk=project.pk, status=Project.Status.COMPLETED, available_until__gt=now
        ).update(status=Project.Status.IN_PROGRESS, ended_at=None, updated_at=now)
    assignment.refresh_from_db()
    audit_record(
        organization_id=assignment.organization_id,
        actor=actor,
        action="assignment.rejected",
        target=assignment,
        reason=reason,
        requeued=requeued,
    )
    return assignment


@transaction.atomic
def assignments_approve(
    *, organization: Organization, project: Project, assignment_ids: list[int], actor: User
) -> int:
    """Bulk approve: every id must be a submitted answer of `project`; all or nothing.
    Already-approved ones are skipped. Returns how many were approved now."""
    if not isinstance(assignment_ids, list) or not 1 <= len(assignment_ids) <= BULK_MAX:
        raise DomainError.on_field("assignment_ids", f"Give 1 to {BULK_MAX} assignment ids.")
    wanted = set(assignment_ids)
    found = list(
        Assignment.objects.filter(
            organization=organization, project=project, pk__in=wanted
        ).order_by("pk")
    )
    missing = sorted(wanted - {assignment.pk for assignment in found})
    if missing:
        raise DomainError.on_field(
            "assignment_ids", f"Not answers of this project: {', '.join(map(str, missing))}."
        )
    approved = 0
    for assignment in found:
        if assignment.review_status != ReviewStatus.APPROVED:
            assignment_approve(assignment=assignment, actor=actor)
            approved += 1
    return approved


def assignments_auto_approve(*, now=None, limit: int = AUTO_APPROVE_BATCH) -> int:
    """Approve answers left pending longer than their project's auto-approval delay.

    Periodic and idempotent: each approval is a conditional move out of pending, so a
    second run (or a reviewer acting at the same moment) approves nothing twice. Runs per
    organization inside its scope; projects are found through the global manager.
    """
    now = now or timezone.now()
    projects = (
        Project.global_objects.filter(
            tasks__assignments__status=Assignment.Status.SUBMITTED,
            tasks__assignments__review_status=ReviewStatus.PENDING,
        )
        .values_list("organization_id", "pk", "auto_approval_delay_seconds")
        .distinct()
        .order_by("organization_id", "pk")
    )
    approved = 0
    for organization_id, project_id, delay in projects:
        with scope(organization=organization_id):
            due = Assignment.objects.filter(
                organization_id=organization_id,
                project_id=project_id,
                status=Assignment.Status.SUBMITTED,
                review_status=ReviewStatus.PENDING,
                submitted_at__lte=now - timedelta(seconds=delay),
            ).order_by("pk")[:limit]
            for assignment in due:
                try:
                    assignment_approve(assignment=assignment, actor=None)
                    approved += 1
                except AssignmentNotReviewable:
                    continue  # reviewed meanwhile
    return approved
