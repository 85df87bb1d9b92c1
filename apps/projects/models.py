from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from apps.core.models import TenantModel

# Ground Truth's LabelingJobName and LabelAttributeName patterns.
NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
LABEL_ATTRIBUTE_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,126}$"
AUTO_APPROVAL_MAX_SECONDS = 30 * 24 * 3600


class TaskType(models.TextChoices):
    """Ground Truth's built-in task types, plus custom (a requester's HumanTaskUi + hooks)."""

    TEXT_CLASSIFICATION = "text_classification", "Text classification (single label)"
    TEXT_CLASSIFICATION_MULTILABEL = (
        "text_classification_multilabel",
        "Text classification (multi-label)",
    )
    NAMED_ENTITY_RECOGNITION = "named_entity_recognition", "Named entity recognition"
    IMAGE_CLASSIFICATION = "image_classification", "Image classification (single label)"
    IMAGE_CLASSIFICATION_MULTILABEL = (
        "image_classification_multilabel",
        "Image classification (multi-label)",
    )
    BOUNDING_BOX = "bounding_box", "Bounding box"
    SEMANTIC_SEGMENTATION = "semantic_segmentation", "Semantic segmentation"
    # Not one of Ground Truth's built-in types (its crowd-instance-segmentation element
    # serves custom templates); ours, with a built-in UI and consolidation.
    INSTANCE_SEGMENTATION = "instance_segmentation", "Instance segmentation"
    LABEL_VERIFICATION = "label_verification", "Label verification"
    KEYPOINT = "keypoint", "Key points"
    POLYGON = "polygon", "Polygons"
    POLYLINE = "polyline", "Polylines"
    VIDEO_CLASSIFICATION = "video_classification", "Video clip classification"
    VIDEO_OBJECT_DETECTION = "video_object_detection", "Video frame object detection"
    VIDEO_OBJECT_TRACKING = "video_object_tracking", "Video frame object tracking"
    CUSTOM = "custom", "Custom"


class Project(TenantModel):
    """A labeling job: what to label, how, by whom, for how much."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        STARTING = "starting", "Starting"  # tasks are being created in the background
        IN_PROGRESS = "in_progress", "In progress"
        STOPPING = "stopping", "Stopping"
        STOPPED = "stopped", "Stopped"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=63, validators=[RegexValidator(NAME_PATTERN)])
    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.PROTECT, related_name="+")
    task_type = models.CharField(max_length=40, choices=TaskType.choices)
    label_attribute_name = models.CharField(
        max_length=127, validators=[RegexValidator(LABEL_ATTRIBUTE_PATTERN)]
    )
    # [{"label": "positive", "description": "..."}, ...]: 1-30 labels, names 1-16 characters.
    labels = models.JSONField(default=list, blank=True)
    short_instructions = models.TextField(blank=True)
    full_instructions = models.TextField(blank=True)
    ui_template = models.TextField(blank=True, help_text="Custom Liquid template; empty: built-in.")
    workteam = models.ForeignKey("workforces.Workteam", on_delete=models.PROTECT, related_name="+")
    answers_per_item = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    task_time_limit_seconds = models.PositiveIntegerField(
        default=300, validators=[MinValueValidator(30), MaxValueValidator(8 * 3600)]
    )
    task_availability_lifetime_seconds = models.PositiveIntegerField(
        default=10 * 24 * 3600, validators=[MinValueValidator(60)]
    )
    max_concurrent_tasks_per_worker = models.PositiveIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    price_per_task = models.DecimalField(max_digits=10, decimal_places=4, null=True, blank=True)
    max_human_labeled_items = models.PositiveIntegerField(null=True, blank=True)
    max_percentage_labeled = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    priority = models.SmallIntegerField(default=0, help_text="Higher goes first in the queue.")
    # Submitted answers not reviewed within this delay are approved by a periodic job
    # (Mechanical Turk's AutoApprovalDelayInSeconds: 0 to 30 days).
    auto_approval_delay_seconds = models.PositiveIntegerField(
        default=3 * 24 * 3600, validators=[MaxValueValidator(AUTO_APPROVAL_MAX_SECONDS)]
    )
    # Backs a human review flow (apps.reviews): its tasks are human loops, so it is not
    # listed with the organization's labeling projects.
    is_flow_backed = models.BooleanField(default=False)
    # Custom tasks (apps/tasks/hooks.py): an http(s) URL, or the dotted path of a Python
    # callable the operator listed in settings.ANNOTATION_HOOK_CALLABLES; empty: none.
    pre_annotation_hook = models.CharField(max_length=2048, blank=True, default="")
    post_annotation_hook = models.CharField(max_length=2048, blank=True, default="")
    hook_secret_encrypted = models.TextField(blank=True, default="")  # HMAC key of URL hooks
    tags = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    failure_reason = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    available_until = models.DateTimeField(null=True, blank=True)  # started_at + lifetime
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The marketplace lists public projects of every organization (see
    # `apps.tasks.selectors.marketplace_projects`); nothing else reads across tenants.
    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="project_unique_name"),
            models.CheckConstraint(
                condition=Q(answers_per_item__gte=1, answers_per_item__lte=9),
                name="project_answers_per_item_range",
            ),
            models.CheckConstraint(
                condition=Q(task_time_limit_seconds__gte=30, task_time_limit_seconds__lte=28800),
                name="project_time_limit_range",
            ),
            models.CheckConstraint(
                condition=Q(price_per_task__isnull=True) | Q(price_per_task__gte=0),
                name="project_price_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "workteam"])]

    def __str__(self) -> str:
        return self.name

    @property
    def label_names(self) -> list[str]:
        return [label["label"] for label in self.labels]
