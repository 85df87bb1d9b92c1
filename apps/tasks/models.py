from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from apps.core.models import TenantModel


class Task(TenantModel):
    """One Item inside one Project, needing `answers_needed` answers.

    `live_assignments` and `answers_received` are counters kept by the queue services in
    the same transaction as the Assignment rows they count, so the database itself can
    refuse more live assignments than answers still needed.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"  # still needs answers
        ANSWERED = "answered", "Answered"  # has all its answers
        WITHDRAWN = "withdrawn", "Withdrawn"  # the project stopped before it was answered
        PREPARING = "preparing", "Preparing"  # waiting for the pre-annotation hook
        SKIPPED = "skipped", "Skipped"  # the pre-annotation hook said no human is needed
        FAILED = "failed", "Failed"  # a hook failed; `failure_reason` says why

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="tasks")
    item = models.ForeignKey("datasets.Item", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answers_needed = models.PositiveSmallIntegerField()
    answers_received = models.PositiveSmallIntegerField(default=0)
    live_assignments = models.PositiveSmallIntegerField(default=0)
    # The consolidated answer (shaped like one worker's answer value) and its confidence in
    # [0, 1], written with the last answer and refreshed by the project re-estimation job.
    consolidated_label = models.JSONField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    consolidated_at = models.DateTimeField(null=True, blank=True)
    # A gold (honeypot) task: every worker may answer it once; it is scored, never
    # consolidated nor exported, and never holds up the project's completion.
    is_gold = models.BooleanField(default=False)
    # Dynamic overlap asked this task for more answers: the queue serves it first.
    needs_more = models.BooleanField(default=False)
    # Custom tasks: the pre-annotation hook's taskInput (what the template sees as
    # task.input) and why a hook failed; the post-annotation hook's label is
    # `consolidated_label`.
    task_input = models.JSONField(null=True, blank=True)
    failure_reason = models.TextField(blank=True, default="")
    # Automated labeling (apps.autolabel): the model version that labeled this task (empty:
    # people did, or no one yet), and the rank its loop gave the task in the human queue
    # (1 = the most uncertain, served first); set by the loop's job, never per request.
    label_model_version = models.CharField(max_length=100, blank=True)
    queue_rank = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="task_unique_item"),
            models.CheckConstraint(
                condition=Q(answers_received__lte=F("answers_needed") - F("live_assignments")),
                name="task_live_within_needed",
            ),
        ]
        indexes = [
            # The queue scans open tasks of a project in id order.
            models.Index(fields=["project", "id"], condition=Q(status="open"), name="task_queue"),
            # ...and, across the projects of one priority level, all open tasks in id order.
            models.Index(fields=["id"], condition=Q(status="open"), name="task_queue_any_project"),
            models.Index(
                fields=["project", "id"],
                condition=Q(status="open", is_gold=True),
                name="task_queue_gold",
            ),
            models.Index(
                fields=["project", "id"],
                condition=Q(status="open", needs_more=True),
                name="task_queue_more",
            ),
            models.Index(
                fields=["project", "queue_rank"],
                condition=Q(status="open", queue_rank__isnull=False),
                name="task_queue_ranked",
            ),
        ]

    def __str__(self) -> str:
        return f"task {self.pk} of project {self.project_id}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Assignment(TenantModel):
    """One worker's attempt at one Task."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"  # held by the worker until the deadline
        SUBMITTED = "submitted", "Submitted"
        DECLINED = "declined", "Declined"  # never offered to this worker again
        RELEASED = "released", "Released"  # back to the queue
        EXPIRED = "expired", "Expired"  # deadline passed; back to the queue
        WITHDRAWN = "withdrawn", "Withdrawn"  # the project stopped

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    deadline = models.DateTimeField()
    answer = models.JSONField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Review of a submitted answer (apps.reviews.services: assignment_approve / _reject, each
    # audited): pending -> approved | rejected, once. Payment hangs on approval.
    review_status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            # One live or submitted attempt per worker and task; declined ones also stay
            # unique so a declined task is never offered to that worker again.
            models.UniqueConstraint(
                fields=["task", "worker"],
                condition=Q(status__in=["active", "submitted", "declined"]),
                name="assignment_one_per_worker_task",
            ),
        ]
        indexes = [
            models.Index(fields=["worker", "status"], name="assignment_worker_status"),
            models.Index(
                fields=["deadline"], condition=Q(status="active"), name="assignment_overdue"
            ),
            # The activity log reads each kind of event in time order (apps.reporting).
            models.Index(fields=["project", "created_at"], name="assignment_project_accepted"),
            models.Index(fields=["project", "status", "ended_at"], name="assignment_project_ended"),
            models.Index(
                fields=["project", "review_status", "reviewed_at"],
                name="assignment_project_reviewed",
            ),
            # The review queue and the auto-approval sweep: submitted answers awaiting review.
            models.Index(
                fields=["project", "submitted_at"],
                condition=Q(status="submitted", review_status="pending"),
                name="assignment_review_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk} of task {self.task_id} to {self.worker_id}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.ACTIVE and self.deadline <= timezone.now()


class ProjectRoute(TenantModel):
    """A vendor (`organization`) names which of its teams work on one subscriber project.

    A project on a vendor workteam is worked by every team the vendor routed to that
    subscription; once the vendor names teams for the project, only their members get it.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("workforces.Workteam", on_delete=models.CASCADE, related_name="+")

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["project", "team"], name="project_route_unique"),
        ]

    def __str__(self) -> str:
        return f"team {self.team_id} -> project {self.project_id}"


class WorkerQuality(TenantModel):
    """One worker's estimated quality in one project, refreshed by the re-estimation job.

    `accuracy`: expected share of correct answers (Dawid-Skene for single-label projects,
    agreement with consolidated labels otherwise); `agreement`: share of the worker's
    answers on consolidated tasks equal to the consolidated label; `confusion`: the
    worker's confusion matrix (true label -> answered label -> probability), if estimated.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers = models.PositiveIntegerField(default=0)
    consolidated_answers = models.PositiveIntegerField(default=0)
    agreement = models.FloatField(null=True, blank=True)
    accuracy = models.FloatField(null=True, blank=True)
    confusion = models.JSONField(null=True, blank=True)
    gold_answers = models.PositiveIntegerField(default=0)
    gold_correct = models.PositiveIntegerField(default=0)
    # Paused workers get no more tasks of the project (gold accuracy below the threshold).
    paused = models.BooleanField(default=False)
    paused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "worker"], name="worker_quality_one_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"quality of {self.worker_id} in project {self.project_id}"


class ProjectQuality(TenantModel):
    """A project's quality-control settings and agreement figures.

    Settings (the requester's): gold items are mixed into each worker's stream at
    `gold_rate` (share of claims, 0-0.5); a worker whose gold accuracy is below
    `gold_pause_below` after `gold_min_answers` gold answers is paused from the project.
    Dynamic overlap: a task whose confidence is below `overlap_confidence_below` after its
    answers gets one more answer, up to `overlap_max_answers`.

    Figures (the re-estimation job's): `metrics` holds `fleiss_kappa`,
    `krippendorff_alpha`, `span_f1`, `mean_box_iou` (those that apply, None when
    undefined), `mean_confidence`, `consolidated` and `answers`."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="+")
    metrics = models.JSONField(default=dict)
    gold_rate = models.FloatField(default=0.0)
    gold_min_answers = models.PositiveSmallIntegerField(default=5)
    gold_pause_below = models.FloatField(null=True, blank=True)
    overlap_confidence_below = models.FloatField(null=True, blank=True)
    overlap_max_answers = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(gold_rate__gte=0, gold_rate__lte=0.5), name="quality_gold_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"quality of project {self.project_id}"


class GoldItem(TenantModel):
    """An item of the project's dataset with a known answer (shaped like one worker's
    answer value, e.g. {"label": "positive"})."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("datasets.Item", on_delete=models.CASCADE, related_name="+")
    answer = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "item"], name="gold_item_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"gold item {self.item_id} of project {self.project_id}"
