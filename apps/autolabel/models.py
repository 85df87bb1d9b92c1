"""Automated labeling (active learning): a project's settings, its rounds, spot-checks."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TenantModel

DEFAULT_TARGET_ACCURACY = 0.95


class AutolabelSettings(TenantModel):
    """One project's automated labeling. `state` says what the loop does now; a stopped loop
    keeps its `stop_reason` on show until someone enables it again. `labels_snapshot` holds
    the project's label names when the loop was enabled: labels changed mid-run stop it."""

    class State(models.TextChoices):
        OFF = "off", "Off"
        RUNNING = "running", "Running"
        STOPPED = "stopped", "Stopped"  # by the loop itself, with a reason

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OFF)
    stop_reason = models.TextField(blank=True)
    target_accuracy = models.FloatField(default=DEFAULT_TARGET_ACCURACY)
    model_name = models.CharField(max_length=100, blank=True)  # a key of AUTOLABEL_MODELS
    initial_batch_size = models.PositiveIntegerField(default=1000)
    batch_size = models.PositiveIntegerField(default=1000)
    # Share of every batch sent to people that is drawn at random and held out to validate
    # the model (never trained on).
    validation_share = models.FloatField(default=0.25)
    labels_snapshot = models.JSONField(default=list)
    validation_task_ids = models.JSONField(default=list)
    # Human labels at the end of the last round: the periodic sweep runs the next round
    # once a batch more has come in.
    human_labeled_at_last_round = models.PositiveIntegerField(default=0)
    enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(target_accuracy__gt=0.5, target_accuracy__lt=1),
                name="autolabel_target_range",
            ),
            models.CheckConstraint(
                condition=Q(validation_share__gt=0, validation_share__lt=1),
                name="autolabel_validation_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"automated labeling of project {self.project_id}"


class AutolabelRound(TenantModel):
    """One pass of the loop: train on human labels, validate, auto-label, rank for people."""

    class Outcome(models.TextChoices):
        WAITING = "waiting", "Waiting for human labels"
        BELOW_TARGET = "below_target", "Below target: nothing auto-labeled"
        AUTO_LABELED = "auto_labeled", "Auto-labeled"
        STOPPED = "stopped", "Stopped"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    outcome = models.CharField(max_length=14, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    training_size = models.PositiveIntegerField(default=0)
    validation_size = models.PositiveIntegerField(default=0)
    # Over the whole validation slice, corrected for the noise of the human labels.
    validation_accuracy = models.FloatField(null=True, blank=True)
    # At the chosen threshold: the validation items above it, their accuracy and its
    # one-sided lower confidence bound (the figure that must reach the target).
    threshold = models.FloatField(null=True, blank=True)
    validation_above = models.PositiveIntegerField(default=0)
    accuracy_above = models.FloatField(null=True, blank=True)
    accuracy_above_low = models.FloatField(null=True, blank=True)
    accuracy_above_high = models.FloatField(null=True, blank=True)
    items_auto_labeled = models.PositiveIntegerField(default=0)
    items_ranked = models.PositiveIntegerField(default=0)
    # Totals after the round, for the human-vs-model chart.
    human_labeled_total = models.PositiveIntegerField(default=0)
    model_labeled_total = models.PositiveIntegerField(default=0)
    # Human answers the auto-labels spared, and what they would have cost (paid projects).
    answers_saved = models.PositiveIntegerField(default=0)
    cost_saved = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="autolabel_round_number"),
        ]

    def __str__(self) -> str:
        return f"round {self.number} of project {self.project_id}"


class SpotCheck(TenantModel):
    """A reviewer's verdict on one auto-labeled task."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="+")
    model_version = models.CharField(max_length=100)
    is_correct = models.BooleanField()
    corrected_label = models.CharField(max_length=100, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task"], name="autolabel_spot_check_once"),
        ]

    def __str__(self) -> str:
        return f"spot-check of task {self.task_id}"
