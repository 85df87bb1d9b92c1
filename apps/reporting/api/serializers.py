from rest_framework import serializers

from apps.reporting.models import ProjectStats, WorkerProjectStats
from apps.reporting.selectors import gold_accuracy
from apps.workforces.selectors import anonymized_worker_id_of


class StatsOutput(serializers.ModelSerializer):
    class Meta:
        model = ProjectStats
        exclude = ["id", "organization", "project", "created_at", "updated_at"]


class SeriesPointOutput(serializers.Serializer):
    at = serializers.CharField(help_text="The hour (ISO 8601, UTC) or the day.")
    answers = serializers.IntegerField()


class DashboardOutput(serializers.Serializer):
    stats = StatsOutput()
    label_counters = serializers.DictField(child=serializers.IntegerField())
    agreement = serializers.DictField(
        help_text="fleiss_kappa, krippendorff_alpha, span_f1, mean_box_iou (those that apply)."
    )
    escrow = serializers.DecimalField(
        max_digits=18, decimal_places=4, help_text="What the project's escrow holds now."
    )
    hourly = serializers.SerializerMethodField()
    daily = serializers.SerializerMethodField()
    answers_last_24_hours = serializers.IntegerField()
    eta_seconds = serializers.SerializerMethodField()

    def _series(self, points) -> list[dict]:
        return [{"at": at.isoformat(), "answers": answers} for at, answers in points]

    def get_hourly(self, dashboard) -> list[dict]:
        return self._series(dashboard.hourly)

    def get_daily(self, dashboard) -> list[dict]:
        return self._series(dashboard.daily)

    def get_eta_seconds(self, dashboard) -> float | None:
        return None if dashboard.eta is None else round(dashboard.eta.total_seconds())


class WorkerStatsOutput(serializers.ModelSerializer):
    """A requester's view of one worker: only the organization's anonymized id, and the
    quality the consolidation estimated."""

    worker_id = serializers.SerializerMethodField()
    accuracy = serializers.FloatField(allow_null=True, help_text="Estimated share correct.")
    agreement = serializers.FloatField(
        allow_null=True, help_text="Share of answers equal to the consolidated label."
    )
    gold_answers = serializers.IntegerField(allow_null=True)
    gold_accuracy = serializers.SerializerMethodField()

    class Meta:
        model = WorkerProjectStats
        fields = [
            "worker_id",
            "answers_submitted",
            "answers_approved",
            "answers_rejected",
            "assignments_declined",
            "assignments_released",
            "assignments_expired",
            "median_seconds",
            "p90_seconds",
            "earnings",
            "accuracy",
            "agreement",
            "gold_answers",
            "gold_accuracy",
        ]

    def get_worker_id(self, stats: WorkerProjectStats) -> str:
        return anonymized_worker_id_of(
            user_id=stats.worker_id, organization_id=self.context["organization"].id
        )

    def get_gold_accuracy(self, stats: WorkerProjectStats) -> float | None:
        return gold_accuracy(stats)


class MyStatsOutput(WorkerStatsOutput):
    """A worker's own figures, per project."""

    project = serializers.CharField(source="project.name")
    worker_id = None

    class Meta(WorkerStatsOutput.Meta):
        fields = ["project", *WorkerStatsOutput.Meta.fields[1:]]


class ActivityEventOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    assignment_id = serializers.IntegerField()
    task_id = serializers.IntegerField()
    worker_id = serializers.SerializerMethodField()

    def get_worker_id(self, event) -> str:
        return anonymized_worker_id_of(
            user_id=event.worker_id, organization_id=self.context["organization"].id
        )


class ActivityPageOutput(serializers.Serializer):
    results = ActivityEventOutput(many=True)
    next_before = serializers.CharField(
        allow_null=True, help_text="Pass as `before` for the next page; null on the last."
    )


class ProjectRollupOutput(StatsOutput):
    project_id = serializers.IntegerField()
    name = serializers.CharField(source="project.name")
    status = serializers.CharField(source="project.status")
    team = serializers.CharField(source="project.workteam.name")


class TeamRollupOutput(serializers.Serializer):
    team = serializers.CharField()
    vendor = serializers.CharField(help_text="The vendor of a vendor team; empty otherwise.")
    projects = serializers.IntegerField()
    tasks = serializers.IntegerField()
    labeled = serializers.IntegerField()
    answers = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=18, decimal_places=4)


class LeaderboardRowOutput(serializers.Serializer):
    worker_id = serializers.CharField()
    answers = serializers.IntegerField()
    approved = serializers.IntegerField()
    earnings = serializers.DecimalField(max_digits=18, decimal_places=4)


class OverviewOutput(serializers.Serializer):
    projects = ProjectRollupOutput(many=True)
    teams = TeamRollupOutput(many=True)
    spend = serializers.DecimalField(max_digits=18, decimal_places=4)
    leaderboards = serializers.DictField(child=LeaderboardRowOutput(many=True))
    monthly = serializers.SerializerMethodField()

    labeled_monthly = serializers.SerializerMethodField()

    def get_monthly(self, overview) -> list[dict]:
        return [{"month": f"{month:%Y-%m}", "answers": n} for month, n in overview.monthly]

    def get_labeled_monthly(self, overview) -> list[dict]:
        return [{"month": month, "items": n} for month, n in overview.labeled_monthly]
