"""Flow definitions: how predictions are reviewed. Each owns a hidden labeling Project
(custom task type, its HumanTaskUi as the template) whose queue its human loops use."""

import logging
import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.core.crypto import encrypt
from apps.core.errors import Conflict, DomainError
from apps.core.jobs import enqueue_on_commit
from apps.core.outbound import outbound_target
from apps.core.services import audit_record
from apps.datasets import services as dataset_services
from apps.datasets.models import Storage
from apps.datasets.storages import clean_relative_path
from apps.projects import services as project_services
from apps.projects.models import Project, TaskType
from apps.reviews import jobs
from apps.reviews.conditions import conditions_parse
from apps.reviews.models import FLOW_DEFINITION_NAME_PATTERN, FlowDefinition, HumanLoop, HumanTaskUi
from apps.reviews.services.taskuis import NameTaken, check_name
from apps.tasks import services as task_services
from apps.workforces.models import Workforce, Workteam

logger = logging.getLogger(__name__)

REQUEST_SOURCES = (
    "AWS/Rekognition/DetectModerationLabels/Image/V3",
    "AWS/Textract/AnalyzeDocument/Forms/V1",
)
KEYWORD_PATTERN = r"[A-Za-z0-9]+( [A-Za-z0-9]+)*"
TIME_LIMIT_RANGE = (30, 8 * 3600)  # A2I's minimum; Ground Truth's 8 h for custom tasks
LIFETIME_RANGE = (60, 30 * 24 * 3600)  # the queue's minimum; A2I's 30 days for private teams
# A flow's project never closes by itself: each loop's availability is checked on its own.
PROJECT_OPEN_FOR = timedelta(days=100 * 365)


class FlowDefinitionInUse(Conflict):
    code = "flow_definition_in_use"
    message = "Human loops of this flow definition are still in progress; stop them first."


def _range(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError.on_field(field, f"Must be a whole number from {low} to {high}.")
    return value


def _keywords(value: object) -> list[str]:
    if value in (None, []):
        return []
    if not isinstance(value, list) or not 1 <= len(value) <= 5:
        raise DomainError.on_field("task_keywords", "Give 1 to 5 keywords.")
    for keyword in value:
        if not isinstance(keyword, str) or not 1 <= len(keyword) <= 30:
            raise DomainError.on_field("task_keywords", "Keywords have 1 to 30 characters.")
        if not re.fullmatch(KEYWORD_PATTERN, keyword):
            raise DomainError.on_field(
                "task_keywords", f"{keyword!r}: letters and digits, single spaces between words."
            )
    return value


def _price(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        raise DomainError.on_field("price_per_task", "Not an amount.") from None
    if price < 0 or price.as_tuple().exponent < -4:
        raise DomainError.on_field(
            "price_per_task", "Use a non-negative amount with at most 4 decimals."
        )
    return price


@transaction.atomic
def flow_definition_create(
    *,
    organization: Organization,
    actor: User | None,
    name: str,
    human_task_ui: HumanTaskUi,
    workteam: Workteam,
    output_storage: Storage,
    task_title: str,
    task_description: str,
    task_count: int = 1,
    task_time_limit_seconds: int = 3600,
    task_availability_lifetime_seconds: int = 10 * 24 * 3600,
    task_keywords: list[str] | None = None,
    price_per_task: object = None,
    output_prefix: str = "",
    activation_conditions: str = "",
    request_source: str = "",
    role_arn: str = "",
    webhook_url: str = "",
    webhook_secret: str = "",
    tags: list | None = None,
) -> FlowDefinition:
    """Create a flow in Initializing; a job sets up its project and makes it Active (or
    Failed, with the reason). Nothing is written when any field is refused."""
    check_name(name, pattern=FLOW_DEFINITION_NAME_PATTERN)
    for owned, label in ((human_task_ui, "human_task_ui"), (workteam, "workteam")):
        if owned.organization_id != organization.id:
            raise DomainError.on_field(label, f"No such {label.replace('_', ' ')}.")
    if output_storage.organization_id != organization.id:
        raise DomainError.on_field("output_storage", "No such storage.")
    if not isinstance(task_title, str) or not 1 <= len(task_title.strip()) <= 128:
        raise DomainError.on_field("task_title", "Use 1 to 128 characters.")
    if not isinstance(task_description, str) or not 1 <= len(task_description.strip()) <= 255:
        raise DomainError.on_field("task_description", "Use 1 to 255 characters.")
    _range("task_count", task_count, 1, 3)
    _range("task_time_limit_seconds", task_time_limit_seconds, *TIME_LIMIT_RANGE)
    _range(
        "task_availability_lifetime_seconds", task_availability_lifetime_seconds, *LIFETIME_RANGE
    )
    price = _price(price_per_task)
    if workteam.workforce.kind != Workforce.Kind.PRIVATE and not price:
        raise DomainError.on_field("price_per_task", "Public and vendor work needs a price.")
    prefix = clean_relative_path(output_prefix or "", field="output_prefix").strip("/")
    conditions_parse(activation_conditions)  # refuses malformed conditions, naming where
    if request_source and request_source not in REQUEST_SOURCES:
        raise DomainError.on_field(
            "request_source", f"Expected one of: {', '.join(REQUEST_SOURCES)}."
        )
    if webhook_url:
        outbound_target(webhook_url, field="webhook_url")  # refuses internal addresses
        if len(webhook_secret or "") < 16:
            raise DomainError.on_field("webhook_secret", "Use a secret of 16 characters or more.")
    flow = FlowDefinition(
        organization=organization,
        name=name,
        human_task_ui=human_task_ui,
        workteam=workteam,
        output_storage=output_storage,
        output_prefix=prefix,
        task_title=task_title.strip(),
        task_description=task_description.strip(),
        task_count=task_count,
        task_time_limit_seconds=task_time_limit_seconds,
        task_availability_lifetime_seconds=task_availability_lifetime_seconds,
        task_keywords=_keywords(task_keywords),
        price_per_task=price,
        activation_conditions=activation_conditions or "",
        request_source=request_source or "",
        role_arn=role_arn or "",
        webhook_url=webhook_url or "",
        webhook_secret_encrypted=encrypt(webhook_secret) if webhook_url else "",
        tags=tags or [],
        created_by=actor,
    )
    try:
        with transaction.atomic():
            flow.save()
    except IntegrityError:
        raise NameTaken.on_field("name", "A flow definition with this name exists.") from None
    audit_record(
        organization_id=organization.id, actor=actor, action="flow_definition.created", target=flow
    )
    enqueue_on_commit(
        jobs.flow_definition_activate, organization_id=organization.id, flow_id=flow.pk
    )
    return flow


def flow_definition_activate(*, flow_id: int) -> FlowDefinition:
    """Initializing -> Active: create the flow's dataset and project and open the project.
    Safe to run twice; a refusal from the project services fails the flow with the reason."""
    flow = FlowDefinition.objects.select_related("human_task_ui", "workteam__workforce").get(
        pk=flow_id
    )
    if flow.status != FlowDefinition.Status.INITIALIZING:
        return flow
    try:
        with transaction.atomic():
            flow = FlowDefinition.objects.select_for_update().get(pk=flow_id)
            if flow.status != FlowDefinition.Status.INITIALIZING:
                return flow
            project = _project_create(flow)
            FlowDefinition.objects.filter(pk=flow.pk).update(
                project=project, status=FlowDefinition.Status.ACTIVE, updated_at=timezone.now()
            )
    except DomainError as error:
        FlowDefinition.objects.filter(pk=flow_id, status=FlowDefinition.Status.INITIALIZING).update(
            status=FlowDefinition.Status.FAILED,
            failure_reason=error.message[:1024],
            updated_at=timezone.now(),
        )
    flow.refresh_from_db()
    return flow


def _project_create(flow: FlowDefinition) -> Project:
    if flow.human_task_ui is None:
        raise DomainError("The flow's human task UI was deleted.")
    dataset = dataset_services.dataset_create(
        organization=flow.organization,
        actor=flow.created_by,
        name=f"Human loops of flow {flow.name} (#{flow.pk})",
    )
    project = project_services.project_create(
        organization=flow.organization,
        actor=flow.created_by,
        name=f"{flow.name[:50]}-a2i{flow.pk}",
        dataset=dataset,
        task_type=TaskType.CUSTOM,
        label_attribute_name="human-answer",
        labels=[],
        short_instructions=flow.task_title,
        full_instructions=flow.task_description,
        ui_template=flow.human_task_ui.content,
        workteam=flow.workteam,
        answers_per_item=flow.task_count,
        task_time_limit_seconds=flow.task_time_limit_seconds,
        task_availability_lifetime_seconds=flow.task_availability_lifetime_seconds,
        price_per_task=flow.price_per_task,
    )
    # Opened here rather than by project_start: a flow's project starts with no items and
    # gains one task per human loop (task_add).
    now = timezone.now()
    Project.objects.filter(pk=project.pk, status=Project.Status.DRAFT).update(
        is_flow_backed=True,
        status=Project.Status.IN_PROGRESS,
        started_at=now,
        available_until=now + PROJECT_OPEN_FOR,
        updated_at=now,
    )
    project.refresh_from_db()
    return project


@transaction.atomic
def flow_definition_delete(*, flow: FlowDefinition, actor: User | None) -> FlowDefinition:
    """Active/Failed -> Deleting (kept for its loops' history; its name is free again).
    Refused while loops are in progress (A2I's ResourceInUse)."""
    flow = FlowDefinition.objects.select_for_update().get(pk=flow.pk)
    if flow.deleted_at is not None:
        return flow
    live = HumanLoop.objects.filter(
        flow_definition=flow,
        deleted_at__isnull=True,
        status__in=[HumanLoop.Status.IN_PROGRESS, HumanLoop.Status.STOPPING],
    )
    if live.exists():
        raise FlowDefinitionInUse(human_loops=sorted(live.values_list("name", flat=True)[:20]))
    now = timezone.now()
    FlowDefinition.objects.filter(pk=flow.pk).update(
        status=FlowDefinition.Status.DELETING, deleted_at=now, updated_at=now
    )
    if flow.project_id is not None:
        project = Project.objects.get(pk=flow.project_id)
        if project.status == Project.Status.IN_PROGRESS:
            task_services.project_stop(project=project, actor=actor)
    audit_record(
        organization_id=flow.organization_id,
        actor=actor,
        action="flow_definition.deleted",
        target=flow,
    )
    flow.refresh_from_db()
    return flow
