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
    # Custom tasks: the pre-annotation hook's taskInput (what the template sees as
    # task.input), the post-annotation hook's label, and why a hook failed.
    task_input = models.JSONField(null=True, blank=True)
    consolidated_label = models.JSONField(null=True, blank=True)
    failure_reason = models.TextField(blank=True, default="")

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
        ]

    def __str__(self) -> str:
        return f"task {self.pk} of project {self.project_id}"


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
        ]

    def __str__(self) -> str:
        return f"assignment {self.pk} of task {self.task_id} to {self.worker_id}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.ACTIVE and self.deadline <= timezone.now()
