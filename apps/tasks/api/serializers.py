from rest_framework import serializers

from apps.tasks.models import Assignment
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
