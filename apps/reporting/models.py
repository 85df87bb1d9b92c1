"""Pre-aggregated figures: dashboards read these rows, never scan a project's tasks.

A background job (`reporting.project_stats_refresh`) recomputes a project's rows from the
tasks and assignments in a few aggregate queries; `refreshed_at` says how fresh they are.
Recomputing, rather than counting up as events happen, keeps the queue's hot path free of
counter rows that every submit would have to lock, and can never drift.
"""

from django.conf import settings
from django.db import models

from apps.core.models import TenantModel


class ProjectStats(TenantModel):
    """One project's figures, the way Ground Truth's DescribeLabelingJob counts them, and
    more. Task states: `tasks_waiting` need answers and nobody holds them, `tasks_in_progress`
    are held by someone, `tasks_labeled` have all their answers, `tasks_auto_labeled` were
    labeled by the automated-labeling model, `tasks_failed` by a failed hook, and
    `tasks_withdrawn` were never finished because the project stopped. Gold tasks are test
    questions, not items: they are left out."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="+")
    tasks_total = models.PositiveIntegerField(default=0)
    tasks_waiting = models.PositiveIntegerField(default=0)
    tasks_in_progress = models.PositiveIntegerField(default=0)
    tasks_labeled = models.PositiveIntegerField(default=0)  # by people
    tasks_auto_labeled = models.PositiveIntegerField(default=0)  # by the model (apps.autolabel)
    tasks_failed = models.PositiveIntegerField(default=0)  # a custom task's hook failed
    tasks_withdrawn = models.PositiveIntegerField(default=0)
    answers_remaining = models.PositiveIntegerField(default=0)
    assignments_accepted = models.PositiveIntegerField(default=0)
    answers_submitted = models.PositiveIntegerField(default=0)
    assignments_declined = models.PositiveIntegerField(default=0)
    assignments_released = models.PositiveIntegerField(default=0)
    assignments_expired = models.PositiveIntegerField(default=0)
    answers_approved = models.PositiveIntegerField(default=0)
    answers_rejected = models.PositiveIntegerField(default=0)
    median_seconds = models.FloatField(null=True, blank=True)  # per submitted answer
    p90_seconds = models.FloatField(null=True, blank=True)
    # Consolidated labels: {label: tasks} (single-label types), and the tasks per tenth of
    # confidence ([0, 0.1), ..., [0.9, 1.0]).
    label_counts = models.JSONField(default=dict)
    confidence_histogram = models.JSONField(default=list)
    # Items labeled (consolidated, by people or the model) per month: {"YYYY-MM": n}.
    labeled_by_month = models.JSONField(default=dict)
    # Money spent so far (apps.payouts ledger): work (prices, bonuses) and platform fees.
    cost_work = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    cost_fees = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"figures of project {self.project_id}"


class ProjectHourlyAnswers(TenantModel):
    """Answers submitted in one hour (UTC) of a project: the answers-over-time chart."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    answers = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "hour"], name="hourly_answers_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.answers} answers at {self.hour:%Y-%m-%d %H}:00 in {self.project_id}"


class WorkerProjectStats(TenantModel):
    """One worker's figures in one project."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers_submitted = models.PositiveIntegerField(default=0)
    assignments_declined = models.PositiveIntegerField(default=0)
    assignments_released = models.PositiveIntegerField(default=0)
    assignments_expired = models.PositiveIntegerField(default=0)
    answers_approved = models.PositiveIntegerField(default=0)
    answers_rejected = models.PositiveIntegerField(default=0)
    median_seconds = models.FloatField(null=True, blank=True)
    p90_seconds = models.FloatField(null=True, blank=True)
    earnings = models.DecimalField(max_digits=18, decimal_places=4, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "worker"], name="worker_stats_unique"),
        ]

    def __str__(self) -> str:
        return f"figures of {self.worker_id} in project {self.project_id}"
