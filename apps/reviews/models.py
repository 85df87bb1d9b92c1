"""Human review of model predictions (A2I): task UIs, flow definitions, human loops.

Every human loop is worked through the same queue as labeling work: a FlowDefinition owns a
hidden Project (task type custom, its HumanTaskUi as the template, `is_flow_backed`) over a
Dataset of its own; each HumanLoop adds one Item and one Task to them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TenantModel

# A2I / SageMaker name patterns (aws-compat spec, section 6.1), applied as full matches.
FLOW_DEFINITION_NAME_PATTERN = r"[a-z0-9](-*[a-z0-9]){0,62}"
HUMAN_TASK_UI_NAME_PATTERN = r"[a-z0-9](-*[a-z0-9])*"
HUMAN_LOOP_NAME_PATTERN = r"[a-z0-9](-*[a-z0-9])*"
NAME_MAX_LENGTH = 63


class HumanTaskUi(TenantModel):
    """A named Liquid + HTML worker template (SageMaker's HumanTaskUi)."""

    class Status(models.TextChoices):
        ACTIVE = "Active"
        DELETING = "Deleting"

    name = models.CharField(max_length=NAME_MAX_LENGTH)
    content = models.TextField()
    content_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="human_task_ui_name"),
        ]

    def __str__(self) -> str:
        return self.name


class FlowDefinition(TenantModel):
    """How predictions are reviewed: team, UI, answers per loop, conditions, output."""

    class Status(models.TextChoices):
        INITIALIZING = "Initializing"
        ACTIVE = "Active"
        FAILED = "Failed"
        DELETING = "Deleting"  # deleted: kept for its loops' history, never used again

    name = models.CharField(max_length=NAME_MAX_LENGTH)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INITIALIZING)
    failure_reason = models.CharField(max_length=1024, blank=True)
    human_task_ui = models.ForeignKey(
        HumanTaskUi, null=True, on_delete=models.SET_NULL, related_name="flow_definitions"
    )
    workteam = models.ForeignKey("workforces.Workteam", on_delete=models.PROTECT, related_name="+")
    # Set when the flow becomes Active: the hidden project its loops' tasks live in.
    project = models.OneToOneField(
        "projects.Project", null=True, on_delete=models.PROTECT, related_name="flow_definition"
    )
    task_title = models.CharField(max_length=128)
    task_description = models.CharField(max_length=255)
    task_keywords = models.JSONField(default=list, blank=True)
    task_count = models.PositiveSmallIntegerField(default=1)  # distinct workers per loop, 1..3
    task_time_limit_seconds = models.PositiveIntegerField(default=3600)
    task_availability_lifetime_seconds = models.PositiveIntegerField(default=10 * 24 * 3600)
    price_per_task = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    output_storage = models.ForeignKey(
        "datasets.Storage", on_delete=models.PROTECT, related_name="+"
    )
    output_prefix = models.CharField(max_length=900, blank=True)
    # A2I's HumanLoopActivationConditions: JSON inside a string, kept exactly as given.
    activation_conditions = models.TextField(blank=True)
    request_source = models.CharField(max_length=64, blank=True)  # AWS built-in integrations
    role_arn = models.CharField(max_length=2048, blank=True)  # accepted for compatibility
    kms_key_id = models.CharField(max_length=2048, blank=True)  # accepted for compatibility
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret_encrypted = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The periodic loop-expiry job finds the organizations with loops in progress through
    # this manager; everything else reads through the scoped one.
    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            # A deleted flow's name may be used again.
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=Q(deleted_at__isnull=True),
                name="flow_definition_name",
            ),
            models.CheckConstraint(
                condition=Q(task_count__gte=1, task_count__lte=3), name="flow_task_count_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HumanLoop(TenantModel):
    """One prediction sent for human review, backed by one Task of its flow's project."""

    class Status(models.TextChoices):
        IN_PROGRESS = "InProgress"
        COMPLETED = "Completed"
        FAILED = "Failed"
        STOPPING = "Stopping"
        STOPPED = "Stopped"

    class FailureCode(models.TextChoices):
        VALIDATION_ERROR = "ValidationError"
        EXPIRED = "Expired"
        INTERNAL_ERROR = "InternalError"

    TERMINAL = (Status.COMPLETED, Status.FAILED, Status.STOPPED)

    flow_definition = models.ForeignKey(
        FlowDefinition, on_delete=models.PROTECT, related_name="human_loops"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IN_PROGRESS)
    failure_code = models.CharField(max_length=20, choices=FailureCode.choices, blank=True)
    failure_reason = models.CharField(max_length=1024, blank=True)
    input_content = models.TextField()  # the InputContent string, as sent
    input_sha256 = models.CharField(max_length=64)  # of the canonical JSON: "same input"
    content_classifiers = models.JSONField(default=list, blank=True)
    activation_results = models.JSONField(null=True, blank=True)
    task = models.OneToOneField(
        "tasks.Task", null=True, on_delete=models.PROTECT, related_name="human_loop"
    )
    output_key = models.CharField(max_length=1024, blank=True)  # within the output storage
    output_uri = models.CharField(max_length=2048, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Start + the flow's task availability lifetime: an in-progress loop fails as Expired then.
    expires_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            # Unique per organization for the loop's lifetime (until it is deleted).
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=Q(deleted_at__isnull=True),
                name="human_loop_name",
            ),
        ]
        indexes = [
            models.Index(fields=["flow_definition", "created_at"]),
            models.Index(
                fields=["expires_at"],
                condition=Q(status="InProgress"),
                name="human_loop_in_progress_expiry",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HumanLoopEvent(TenantModel):
    """A loop status change for the flow's webhook: delivered at least once, signed; the
    receiver de-duplicates on `event_id`."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"
        SKIPPED = "skipped"  # the flow has no webhook

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    human_loop = models.ForeignKey(HumanLoop, on_delete=models.CASCADE, related_name="events")
    loop_status = models.CharField(max_length=10)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One event per loop and status, however often the transition is retried.
            models.UniqueConstraint(
                fields=["human_loop", "loop_status"], name="human_loop_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.human_loop_id} {self.loop_status}"
