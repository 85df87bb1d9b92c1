from rest_framework import serializers

from apps.projects.models import Project
from apps.projects.services import EDITABLE_FIELDS


class ProjectOutput(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            *EDITABLE_FIELDS,
            "status",
            "failure_reason",
            "created_at",
            "started_at",
            "available_until",
            "ended_at",
        ]


class LabelInput(serializers.Serializer):
    label = serializers.CharField(max_length=16)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ProjectInput(serializers.Serializer):
    """Every writable field; `partial=True` for updates. Cross-field rules live in the service."""

    name = serializers.CharField(max_length=63)
    dataset_id = serializers.IntegerField()
    task_type = serializers.ChoiceField(choices=Project._meta.get_field("task_type").choices)
    label_attribute_name = serializers.CharField(max_length=127)
    labels = LabelInput(many=True, required=False)
    short_instructions = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    full_instructions = serializers.CharField(required=False, allow_blank=True, max_length=200_000)
    ui_template = serializers.CharField(required=False, allow_blank=True, max_length=500_000)
    workteam_id = serializers.IntegerField()
    answers_per_item = serializers.IntegerField(required=False, min_value=1, max_value=9)
    task_time_limit_seconds = serializers.IntegerField(
        required=False, min_value=30, max_value=28800
    )
    task_availability_lifetime_seconds = serializers.IntegerField(required=False, min_value=60)
    max_concurrent_tasks_per_worker = serializers.IntegerField(
        required=False, min_value=1, max_value=5000
    )
    price_per_task = serializers.DecimalField(
        required=False, allow_null=True, max_digits=10, decimal_places=4, min_value=0
    )
    max_human_labeled_items = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    max_percentage_labeled = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100
    )
    priority = serializers.IntegerField(required=False, min_value=-100, max_value=100)
    tags = serializers.DictField(child=serializers.CharField(max_length=256), required=False)
    auto_approval_delay_seconds = serializers.IntegerField(
        required=False, min_value=0, max_value=30 * 24 * 3600
    )
    pre_annotation_hook = serializers.CharField(required=False, allow_blank=True, max_length=2048)
    post_annotation_hook = serializers.CharField(required=False, allow_blank=True, max_length=2048)


class ProgressOutput(serializers.Serializer):
    status = serializers.CharField()
    tasks = serializers.DictField(child=serializers.IntegerField())
    answers = serializers.IntegerField()
