"""Human loops: one prediction sent for review, worked as one Task of its flow's project.

start -> InProgress -> Completed (answers in, output.json written) | Failed (expired, or
the output could not be written) | Stopping -> Stopped; a terminal loop can be deleted.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scope

from apps.accounts.models import Organization, User
from apps.core.errors import Conflict, DomainError
from apps.core.jobs import enqueue_on_commit
from apps.core.services import audit_record
from apps.datasets.models import Dataset, Item
from apps.datasets.storages import backend_for
from apps.projects.models import Project
from apps.reviews import jobs
from apps.reviews.arns import flow_definition_arn
from apps.reviews.conditions import conditions_evaluate, conditions_parse
from apps.reviews.models import HUMAN_LOOP_NAME_PATTERN, FlowDefinition, HumanLoop
from apps.reviews.services.events import human_loop_event_record, iso
from apps.reviews.services.taskuis import check_name
from apps.tasks import services as task_services
from apps.tasks.models import Assignment, ReviewStatus, Task
from apps.workforces.models import OidcConfig, OidcIdentity
from apps.workforces.selectors import anonymized_worker_id

INPUT_MAX_CHARS = 3_145_728  # A2I's HumanLoopInput.InputContent
CONTENT_CLASSIFIERS = ("FreeOfPersonallyIdentifiableInformation", "FreeOfAdultContent")


class HumanLoopNameTaken(Conflict):
    code = "human_loop_name_taken"
    message = "A human loop with this name exists with a different flow or input."


class FlowDefinitionNotActive(Conflict):
    code = "flow_definition_not_active"
    message = "The flow definition is not active."


class HumanLoopNotInProgress(Conflict):
    code = "human_loop_not_in_progress"
    message = "Only a human loop in progress can be stopped."


class HumanLoopNotFinished(Conflict):
    code = "human_loop_not_finished"
    message = "Only a completed, failed or stopped human loop can be deleted."


@dataclass(frozen=True)
class StartResult:
    loop: HumanLoop | None  # None: the activation conditions did not hold; nothing written
    activated: bool
    created: bool
    activation_results: dict | None


def _parse_input(input_content: object) -> tuple[dict, str]:
    if not isinstance(input_content, str):
        raise DomainError.on_field("input_content", "A string holding a JSON object.")
    if len(input_content) > INPUT_MAX_CHARS:
        raise DomainError.on_field(
            "input_content",
            f"The input has {len(input_content)} characters; the limit is {INPUT_MAX_CHARS}.",
        )
    try:
        parsed = json.loads(input_content)
    except json.JSONDecodeError as exc:
        raise DomainError.on_field(
            "input_content", f"Not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    if not isinstance(parsed, dict):
        raise DomainError.on_field("input_content", "Must be a JSON object (it is task.input).")
    canonical = json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return parsed, hashlib.sha256(canonical.encode()).hexdigest()


def _existing(organization: Organization, name: str, flow: FlowDefinition, digest: str):
    loop = HumanLoop.objects.filter(
        organization=organization, name=name, deleted_at__isnull=True
    ).first()
    if loop is None:
        return None
    if loop.flow_definition_id != flow.pk or loop.input_sha256 != digest:
        raise HumanLoopNameTaken.on_field(
            "name", "This name is used by a loop with a different flow definition or input."
        )
    return loop


@transaction.atomic
def human_loop_start(
    *,
    organization: Organization,
    actor: User | None,
    flow: FlowDefinition,
    name: str,
    input_content: str,
    content_classifiers: list[str] | None = None,
) -> StartResult:
    """Start a loop (A2I's StartHumanLoop). The same name with the same flow and input
    returns the existing loop; a different input is a conflict. If the flow has activation
    conditions and none holds, nothing is written and `activated` is False."""
    check_name(name, pattern=HUMAN_LOOP_NAME_PATTERN)
    parsed, digest = _parse_input(input_content)
    classifiers = content_classifiers or []
    if not isinstance(classifiers, list) or any(c not in CONTENT_CLASSIFIERS for c in classifiers):
        raise DomainError.on_field(
            "content_classifiers", f"Each one of: {', '.join(CONTENT_CLASSIFIERS)}."
        )
    if flow.organization_id != organization.id or flow.deleted_at is not None:
        raise DomainError.on_field("flow_definition", "No such flow definition.")
    existing = _existing(organization, name, flow, digest)
    if existing is not None:
        return StartResult(existing, True, False, existing.activation_results)
    if flow.status != FlowDefinition.Status.ACTIVE:
        raise FlowDefinitionNotActive(status=[flow.status])
    results = None
    conditions = conditions_parse(flow.activation_conditions)
    if conditions is not None:
        evaluation = conditions_evaluate(conditions, input_content=parsed, seed=digest)
        results = evaluation.results
        if not evaluation.activated:
            return StartResult(None, False, False, results)
    loop = HumanLoop(
        organization=organization,
        flow_definition=flow,
        name=name,
        input_content=input_content,
        input_sha256=digest,
        content_classifiers=classifiers,
        activation_results=results,
        created_by=actor,
        expires_at=timezone.now() + timedelta(seconds=flow.task_availability_lifetime_seconds),
    )
    try:
        with transaction.atomic():
            loop.save()
    except IntegrityError:  # a concurrent start of the same name won
        existing = _existing(organization, name, flow, digest)
        if existing is None:
            raise
        return StartResult(existing, True, False, existing.activation_results)
    project = flow.project
    item = Item.objects.create(
        organization_id=organization.id,
        dataset_id=project.dataset_id,
        line_number=loop.pk,  # one item per loop; loop ids are unique
        data=parsed,
    )
    # Every start of the flow counts on the one dataset row: counted once committed, so
    # concurrent starts do not queue on its lock for the rest of their transactions.
    transaction.on_commit(partial(_item_counted, organization.id, project.dataset_id))
    task = task_services.task_add(project=project, item=item, answers_needed=flow.task_count)
    HumanLoop.objects.filter(pk=loop.pk).update(task=task)
    loop.task = task
    audit_record(
        organization_id=organization.id, actor=actor, action="human_loop.started", target=loop
    )
    return StartResult(loop, True, True, results)


def _item_counted(organization_id: int, dataset_id: int) -> None:
    with scope(organization=organization_id):  # after commit: maybe outside the caller's
        Dataset.objects.filter(pk=dataset_id).update(item_count=F("item_count") + 1)


def human_loop_task_answered(task: Task, project: Project) -> None:
    """Registered with the queue (apps.reviews.apps): the task of a loop has all its
    answers; its output is written by a job once the answer is committed."""
    if not project.is_flow_backed:  # labeling work: no loop behind it
        return
    loop = HumanLoop.objects.filter(task_id=task.pk, status=HumanLoop.Status.IN_PROGRESS).first()
    if loop is not None:
        enqueue_on_commit(
            jobs.human_loop_complete, organization_id=loop.organization_id, loop_id=loop.pk
        )


def output_key(loop: HumanLoop) -> str:
    """A2I's layout: <prefix>/<flow name>/YYYY/MM/DD/hh/mm/ss/<loop name>/output.json, the
    timestamp being the loop's creation time in UTC."""
    flow = loop.flow_definition
    stamp = loop.created_at.astimezone(UTC).strftime("%Y/%m/%d/%H/%M/%S")
    parts = [flow.output_prefix, flow.name, stamp, loop.name, "output.json"]
    return "/".join(part for part in parts if part)


def _identity(assignment: Assignment, worker_id: str) -> dict:
    identity = OidcIdentity.objects.filter(
        organization_id=assignment.organization_id, user_id=assignment.worker_id
    ).first()
    oidc = OidcConfig.objects.filter(organization_id=assignment.organization_id).first()
    if identity is not None and oidc is not None:
        return {"identityProviderType": "Oidc", "issuer": oidc.issuer, "sub": identity.subject}
    return {"identityProviderType": "Groundwork", "issuer": settings.BASE_URL, "sub": worker_id}


def human_loop_output(loop: HumanLoop) -> dict:
    """A2I's output.json for a custom task type (aws-compat spec, section 7.8)."""
    answers = []
    submitted = (
        Assignment.objects.filter(task_id=loop.task_id, status=Assignment.Status.SUBMITTED)
        .exclude(review_status=ReviewStatus.REJECTED)
        .select_related("worker")
        .order_by("submitted_at", "pk")
    )
    for assignment in submitted:
        worker_id = anonymized_worker_id(user=assignment.worker, organization=loop.organization)
        spent = (assignment.submitted_at - assignment.created_at).total_seconds()
        answers.append(
            {
                "answerContent": assignment.answer,
                "acceptanceTime": iso(assignment.created_at),
                "submissionTime": iso(assignment.submitted_at),
                "timeSpentInSeconds": round(spent, 3),
                "workerId": worker_id,
                "workerMetadata": {"identityData": _identity(assignment, worker_id)},
            }
        )
    output = {
        "flowDefinitionArn": flow_definition_arn(loop.flow_definition),
        "humanAnswers": answers,
        "humanLoopName": loop.name,
        "inputContent": json.loads(loop.input_content),
    }
    if loop.flow_definition.request_source:  # A2I's built-in integrations add these
        output["awsManagedHumanLoopRequestSource"] = loop.flow_definition.request_source
        if loop.activation_results is not None:
            output["inputContent"].setdefault(
                "humanTaskActivationConditionResults", loop.activation_results
            )
    return output


def human_loop_complete(*, loop_id: int) -> HumanLoop:
    """Write the loop's output.json to its flow's storage, then InProgress -> Completed
    and the status event. Safe to run twice (the same object is written again; only one
    run moves the status). Storage errors propagate for the job to retry."""
    loop = HumanLoop.objects.select_related("flow_definition__output_storage", "organization").get(
        pk=loop_id
    )
    if loop.status != HumanLoop.Status.IN_PROGRESS:
        return loop
    key = output_key(loop)
    body = json.dumps(human_loop_output(loop), ensure_ascii=False).encode()
    with backend_for(loop.flow_definition.output_storage) as backend:
        backend.write(key, [body])
        uri = backend.ref_for(key)
    with transaction.atomic():
        now = timezone.now()
        moved = HumanLoop.objects.filter(pk=loop.pk, status=HumanLoop.Status.IN_PROGRESS).update(
            status=HumanLoop.Status.COMPLETED,
            output_key=key,
            output_uri=uri,
            completed_at=now,
            updated_at=now,
        )
        loop.refresh_from_db()
        if moved:
            human_loop_event_record(loop=loop)
    return loop


@transaction.atomic
def human_loop_fail(*, loop_id: int, code: str, reason: str) -> HumanLoop:
    """InProgress -> Failed: the task leaves the queue (held assignments end, their
    submits are refused), and the status event goes out."""
    loop = HumanLoop.objects.select_for_update().get(pk=loop_id)
    if loop.status != HumanLoop.Status.IN_PROGRESS:
        return loop
    if loop.task_id is not None:
        task_services.task_withdraw(task=loop.task)
    HumanLoop.objects.filter(pk=loop.pk).update(
        status=HumanLoop.Status.FAILED,
        failure_code=code,
        failure_reason=reason[:1024],
        updated_at=timezone.now(),
    )
    loop.refresh_from_db()
    human_loop_event_record(loop=loop)
    return loop


@transaction.atomic
def human_loop_stop(*, loop: HumanLoop, actor: User | None) -> HumanLoop:
    """InProgress -> Stopping -> Stopped in one transaction: the task is withdrawn, so a
    worker holding it is refused on submit and nothing of theirs is stored. Stopping a
    stopped loop again is a no-op."""
    loop = HumanLoop.objects.select_for_update().get(pk=loop.pk)
    if loop.status in (HumanLoop.Status.STOPPING, HumanLoop.Status.STOPPED):
        return loop
    if loop.status != HumanLoop.Status.IN_PROGRESS:
        raise HumanLoopNotInProgress(status=[loop.status])
    HumanLoop.objects.filter(pk=loop.pk).update(status=HumanLoop.Status.STOPPING)
    task = task_services.task_withdraw(task=loop.task)
    if task.status == Task.Status.ANSWERED:  # the last answer came in first: completing
        raise HumanLoopNotInProgress("The loop has its answers and is completing.")
    HumanLoop.objects.filter(pk=loop.pk).update(
        status=HumanLoop.Status.STOPPED, updated_at=timezone.now()
    )
    loop.refresh_from_db()
    human_loop_event_record(loop=loop)
    audit_record(
        organization_id=loop.organization_id, actor=actor, action="human_loop.stopped", target=loop
    )
    return loop


@transaction.atomic
def human_loop_delete(*, loop: HumanLoop, actor: User | None) -> None:
    """A finished loop disappears from describe and list; its name is free again."""
    loop = HumanLoop.objects.select_for_update().get(pk=loop.pk)
    if loop.status not in HumanLoop.TERMINAL:
        raise HumanLoopNotFinished(status=[loop.status])
    HumanLoop.objects.filter(pk=loop.pk).update(deleted_at=timezone.now())
    audit_record(
        organization_id=loop.organization_id, actor=actor, action="human_loop.deleted", target=loop
    )


def human_loops_expired(*, now=None, limit: int = 200) -> list[HumanLoop]:
    """Loops in progress past their flow's availability lifetime (A2I: Failed, Expired),
    those that expired first first."""
    return list(
        HumanLoop.objects.filter(
            status=HumanLoop.Status.IN_PROGRESS,
            expires_at__lte=now or timezone.now(),
            deleted_at__isnull=True,
        ).order_by("expires_at")[:limit]
    )
