from rest_framework import serializers

from apps.accounts.models import User
from apps.tasks.models import Assignment, GoldItem, ProjectQuality, WorkerQuality
from apps.tasks.quality import SETTING_LIMITS
from apps.workforces.selectors import anonymized_worker_id


class AssignmentOutput(serializers.ModelSerializer):
    """A requester's view: the worker appears only as the organization's anonymized id."""

    worker_id = serializers.SerializerMethodField()
    item_id = serializers.IntegerField(source="task.item_id")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "task",
            "item_id",
            "worker_id",
            "status",
            "deadline",
            "answer",
            "submitted_at",
            "ended_at",
            "created_at",
        ]

    def get_worker_id(self, assignment: Assignment) -> str:
        return anonymized_worker_id(
            user=assignment.worker, organization=self.context["organization"]
        )


class WorkAssignmentOutput(serializers.ModelSerializer):
    """The worker's own view of an assignment, with what the task UI needs."""

    project = serializers.SerializerMethodField()
    input = serializers.JSONField(source="task.item.data")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "status",
            "deadline",
            "created_at",
            "submitted_at",
            "answer",
            "project",
            "input",
        ]

    def get_project(self, assignment: Assignment) -> dict:
        project = assignment.project
        return {
            "id": project.id,
            "name": project.name,
            "task_type": project.task_type,
            "labels": project.labels,
            "short_instructions": project.short_instructions,
            "full_instructions": project.full_instructions,
        }


class WorkerQualityOutput(serializers.ModelSerializer):
    """One worker's quality in one project, for the requester (anonymized id)."""

    worker_id = serializers.SerializerMethodField()

    class Meta:
        model = WorkerQuality
        fields = [
            "worker_id",
            "answers",
            "consolidated_answers",
            "agreement",
            "accuracy",
            "confusion",
            "gold_answers",
            "gold_correct",
            "paused",
            "updated_at",
        ]

    def get_worker_id(self, row: WorkerQuality) -> str:
        return anonymized_worker_id(user=row.worker, organization=self.context["organization"])


class OrganizationWorkerQualityOutput(serializers.Serializer):
    """One worker over all the organization's projects."""

    worker_id = serializers.SerializerMethodField()
    projects = serializers.IntegerField()
    answers = serializers.IntegerField(source="total_answers")
    consolidated_answers = serializers.IntegerField(source="total_consolidated")
    agreement = serializers.SerializerMethodField()
    accuracy = serializers.SerializerMethodField()

    def get_worker_id(self, row: dict) -> str:
        # Only the primary key enters the pseudonym; no need to load the user.
        return anonymized_worker_id(
            user=User(pk=row["worker"]), organization=self.context["organization"]
        )

    def get_agreement(self, row: dict) -> float | None:
        if not row["total_consolidated"] or row["agree_sum"] is None:
            return None
        return round(row["agree_sum"] / row["total_consolidated"], 4)

    def get_accuracy(self, row: dict) -> float | None:
        if not row["accuracy_weight"] or row["accuracy_sum"] is None:
            return None
        return round(row["accuracy_sum"] / row["accuracy_weight"], 4)


class WorkQualityOutput(serializers.ModelSerializer):
    """A worker's own quality in one project."""

    project = serializers.SerializerMethodField()

    class Meta:
        model = WorkerQuality
        # No gold counters: watching them change would tell a worker which tasks were gold.
        fields = [
            "project",
            "answers",
            "consolidated_answers",
            "agreement",
            "accuracy",
            "confusion",
            "paused",
        ]

    def get_project(self, row: WorkerQuality) -> dict:
        return {"id": row.project_id, "name": row.project.name}


class ProjectQualityOutput(serializers.Serializer):
    """Agreement among the project's workers; a figure is null where it does not apply to
    the task type or is undefined (e.g. no item with two answers yet)."""

    answers = serializers.IntegerField(allow_null=True, default=None)
    consolidated = serializers.IntegerField(allow_null=True, default=None)
    mean_confidence = serializers.FloatField(allow_null=True, default=None)
    fleiss_kappa = serializers.FloatField(allow_null=True, default=None)
    krippendorff_alpha = serializers.FloatField(allow_null=True, default=None)
    span_f1 = serializers.FloatField(allow_null=True, default=None)
    mean_box_iou = serializers.FloatField(allow_null=True, default=None)
    calibrated_on_gold = serializers.IntegerField(
        allow_null=True, default=None, help_text="Answered gold items the confidences fit."
    )
    calibration_scale = serializers.FloatField(
        allow_null=True,
        default=None,
        help_text="Factor on the log-posteriors fitted on gold (1: unchanged; <1: the crowd "
        "was overconfident).",
    )
    updated_at = serializers.DateTimeField(allow_null=True, default=None)


def _limits(field: str) -> dict:
    lowest, highest = SETTING_LIMITS[field]
    return {"min_value": lowest, "max_value": highest}


class QualitySettingsIO(serializers.ModelSerializer):
    """Quality-control settings: input (PATCH, partial) and output."""

    gold_rate = serializers.FloatField(**_limits("gold_rate"), required=False)
    gold_min_answers = serializers.IntegerField(**_limits("gold_min_answers"), required=False)
    gold_pause_below = serializers.FloatField(
        **_limits("gold_pause_below"), allow_null=True, required=False
    )
    overlap_confidence_below = serializers.FloatField(
        **_limits("overlap_confidence_below"), allow_null=True, required=False
    )
    overlap_max_answers = serializers.IntegerField(
        **_limits("overlap_max_answers"), allow_null=True, required=False
    )

    class Meta:
        model = ProjectQuality
        fields = [
            "gold_rate",
            "gold_min_answers",
            "gold_pause_below",
            "overlap_confidence_below",
            "overlap_max_answers",
        ]


class GoldItemInput(serializers.Serializer):
    item_id = serializers.IntegerField(min_value=1)
    answer = serializers.JSONField()


class GoldItemsInput(serializers.Serializer):
    items = GoldItemInput(many=True, allow_empty=False, max_length=1000)


class GoldItemOutput(serializers.ModelSerializer):
    class Meta:
        model = GoldItem
        fields = ["item_id", "answer", "created_at"]
