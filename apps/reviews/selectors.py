"""Reads of the reviews app, always scoped to an organization."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from apps.accounts.models import Organization
from apps.core.errors import DomainError, NotFound
from apps.datasets.models import Storage
from apps.datasets.selectors import storage_list
from apps.projects.models import Project
from apps.reviews.models import FlowDefinition, HumanLoop, HumanTaskUi
from apps.tasks.models import Assignment, ReviewStatus
from apps.workforces.selectors import worker_resolve


def _created_between(queryset: QuerySet, after: datetime | None, before: datetime | None):
    if after is not None:
        queryset = queryset.filter(created_at__gt=after)
    if before is not None:
        queryset = queryset.filter(created_at__lt=before)
    return queryset


def human_task_ui_list(
    *,
    organization: Organization,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[HumanTaskUi]:
    uis = HumanTaskUi.objects.filter(organization=organization).select_related("organization")
    return _created_between(uis, created_after, created_before)


def human_task_ui_get(*, organization: Organization, name: str) -> HumanTaskUi:
    ui = human_task_ui_list(organization=organization).filter(name=name).first()
    if ui is None:
        raise NotFound()
    return ui


def flow_definition_list(
    *,
    organization: Organization,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[FlowDefinition]:
    flows = _flows(organization).select_related(
        "organization", "human_task_ui", "workteam", "output_storage", "project"
    )
    return _created_between(flows, created_after, created_before)


def _flows(organization: Organization) -> QuerySet[FlowDefinition]:
    """Flows not deleted (a deleted flow is gone for every caller)."""
    return FlowDefinition.objects.filter(organization=organization, deleted_at__isnull=True)


def _one(flows: QuerySet[FlowDefinition], name: str) -> FlowDefinition:
    flow = flows.filter(name=name).first()
    if flow is None:
        raise NotFound()
    return flow


def flow_definition_get(*, organization: Organization, name: str) -> FlowDefinition:
    return _one(flow_definition_list(organization=organization), name)


def flow_definition_get_to_start(*, organization: Organization, name: str) -> FlowDefinition:
    """The flow with only what starting a loop reads (its project): StartHumanLoop is the
    hottest call of the A2I API, and the five-table join of a describe costs it ~20%."""
    return _one(_flows(organization).select_related("project"), name)


def flow_output_path(flow: FlowDefinition) -> str:
    """FlowDefinitionOutputConfig.S3OutputPath: where the flow's loops write, as a URI."""
    storage = flow.output_storage
    prefix = f"{storage.prefix}{flow.output_prefix}".strip("/")
    if storage.kind == Storage.Kind.S3:
        return f"s3://{storage.bucket}/{prefix}" if prefix else f"s3://{storage.bucket}"
    return f"file://{storage.name}/{prefix}" if prefix else f"file://{storage.name}"


def storage_for_output_path(*, organization: Organization, uri: str) -> tuple[Storage, str]:
    """The registered S3 storage an `s3://bucket/prefix` output path falls in (the longest
    matching storage prefix) and the rest of the path: how an S3OutputPath given to
    CreateFlowDefinition maps onto our storages. NotFound if no storage covers it."""
    if not uri.startswith("s3://"):
        raise NotFound()
    bucket, _, path = uri[len("s3://") :].partition("/")
    candidates = storage_list(organization=organization).filter(kind=Storage.Kind.S3, bucket=bucket)
    matches = [
        storage
        for storage in candidates
        if f"{path.strip('/')}/".startswith(storage.prefix) or not storage.prefix
    ]
    if not matches:
        raise NotFound()
    storage = max(matches, key=lambda storage: len(storage.prefix))
    return storage, path.strip("/")[len(storage.prefix) :].strip("/")


def human_loop_list(
    *,
    organization: Organization,
    flow: FlowDefinition | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[HumanLoop]:
    loops = HumanLoop.objects.filter(organization=organization, deleted_at__isnull=True)
    if flow is not None:
        loops = loops.filter(flow_definition=flow)
    loops = _created_between(loops, created_after, created_before)
    return loops.select_related("organization", "flow_definition__organization")


def human_loop_get(*, organization: Organization, name: str) -> HumanLoop:
    loop = human_loop_list(organization=organization).filter(name=name).first()
    if loop is None:
        raise NotFound()
    return loop


def human_loop_answers(*, loop: HumanLoop) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        organization_id=loop.organization_id,
        task_id=loop.task_id,
        status=Assignment.Status.SUBMITTED,
    ).order_by("submitted_at", "pk")


def answer_label(assignment: Assignment) -> str | None:
    """The label of a classification answer (`{"<element>": {"label": ...}}`), if any."""
    answer = assignment.answer
    if isinstance(answer, dict) and len(answer) == 1:
        value = next(iter(answer.values()))
        if isinstance(value, dict) and isinstance(value.get("label"), str):
            return value["label"]
    return None


def review_queue(
    *,
    organization: Organization,
    project: Project,
    review_status: str = ReviewStatus.PENDING,
    worker_id: str = "",
    label: str = "",
    disagreement: bool = False,
    confidence_below: float | None = None,
) -> QuerySet[Assignment]:
    """Submitted answers of `project` for review, filtered by review state, by worker (the
    anonymized id the organization knows them by), by label (classification answers), to
    tasks whose submitted answers disagree, or whose consolidated label's confidence is
    below `confidence_below`."""
    if review_status not in ReviewStatus.values:
        raise DomainError.on_field(
            "review_status", f"Expected one of: {', '.join(ReviewStatus.values)}."
        )
    answers = Assignment.objects.filter(
        organization=organization, project=project, status=Assignment.Status.SUBMITTED
    )
    queue = answers.filter(review_status=review_status)
    if worker_id:
        try:
            worker = worker_resolve(organization=organization, worker_id=worker_id)
        except NotFound:
            return queue.none()
        queue = queue.filter(worker=worker)
    if label:
        element_label = Q()
        for key in {
            key
            for answer in queue.values_list("answer", flat=True)[:1000]
            if isinstance(answer, dict)
            for key in answer
        }:
            element_label |= Q(**{f"answer__{key}__label": label})
        queue = queue.filter(element_label) if element_label else queue.none()
    if confidence_below is not None:
        queue = queue.filter(task__confidence__lt=confidence_below)
    if disagreement:
        # A task disagrees when another submitted answer of it differs from this one.
        differing = answers.filter(task_id=OuterRef("task_id")).exclude(pk=OuterRef("pk"))
        differing = differing.exclude(answer=OuterRef("answer"))
        queue = queue.filter(Exists(differing))
    return queue.select_related("task__item", "worker", "reviewed_by").order_by(
        "submitted_at", "pk"
    )


def review_counts(*, organization: Organization, project: Project) -> dict:
    return Assignment.objects.filter(
        organization=organization, project=project, status=Assignment.Status.SUBMITTED
    ).aggregate(
        pending=Count("id", filter=Q(review_status=ReviewStatus.PENDING)),
        approved=Count("id", filter=Q(review_status=ReviewStatus.APPROVED)),
        rejected=Count("id", filter=Q(review_status=ReviewStatus.REJECTED)),
    )


def assignment_get_for_review(*, organization: Organization, assignment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.filter(organization=organization, pk=assignment_id)
        .select_related("project", "task__item")
        .first()
    )
    if assignment is None:
        raise NotFound()
    return assignment
