"""Input and output shapes of the reviews API. Outputs carry the ARNs the SageMaker/A2I
layer answers with; workers appear only by their anonymized id."""

import json

from rest_framework import serializers

from apps.reviews import arns
from apps.reviews.models import FlowDefinition, HumanLoop, HumanTaskUi
from apps.reviews.selectors import answer_label, flow_output_path, human_loop_answers
from apps.reviews.services import human_loop_output
from apps.tasks.models import Assignment, ReviewStatus
from apps.taskui.api.views import TaskInputField
from apps.workforces.selectors import anonymized_worker_id


class StringOrObjectField(serializers.JSONField):
    """A JSON object, or a string holding one: kept as the string (A2I's InputContent)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        if not isinstance(value, str):
            raise serializers.ValidationError("A JSON object, or a string holding one.")
        return value


# Human task UIs


class HumanTaskUiInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, trim_whitespace=False)
    content = serializers.CharField(max_length=200_000, trim_whitespace=False)


class HumanTaskUiOutput(serializers.ModelSerializer):
    arn = serializers.SerializerMethodField()

    class Meta:
        model = HumanTaskUi
        fields = ["name", "arn", "status", "content_sha256", "created_at"]

    def get_arn(self, ui: HumanTaskUi) -> str:
        return arns.human_task_ui_arn(ui)


class HumanTaskUiDetailOutput(HumanTaskUiOutput):
    class Meta(HumanTaskUiOutput.Meta):
        fields = [*HumanTaskUiOutput.Meta.fields, "content"]


class RenderInput(serializers.Serializer):
    """Exactly one of `template` and `human_task_ui` (a name)."""

    template = serializers.CharField(required=False, max_length=200_000, trim_whitespace=False)
    human_task_ui = serializers.CharField(required=False, max_length=200)
    input = TaskInputField()

    def validate(self, data):
        if ("template" in data) == ("human_task_ui" in data):
            raise serializers.ValidationError(
                {"template": ["Give either a template or a human_task_ui name, not both."]}
            )
        return data


class RenderProblemOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)


class TaskUiRenderOutput(serializers.Serializer):
    rendered = serializers.CharField(allow_blank=True)
    errors = RenderProblemOutput(many=True)
    frame_url = serializers.CharField(allow_blank=True)


# Flow definitions


class FlowDefinitionInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    human_task_ui = serializers.CharField(max_length=200, help_text="A human task UI's name.")
    workteam_id = serializers.IntegerField()
    output_storage_id = serializers.IntegerField()
    output_prefix = serializers.CharField(required=False, allow_blank=True, max_length=900)
    task_title = serializers.CharField(max_length=128)
    task_description = serializers.CharField(max_length=255)
    task_count = serializers.IntegerField(required=False, default=1)
    task_time_limit_seconds = serializers.IntegerField(required=False, default=3600)
    task_availability_lifetime_seconds = serializers.IntegerField(
        required=False, default=10 * 24 * 3600
    )
    task_keywords = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, default=list
    )
    price_per_task = serializers.DecimalField(
        required=False, allow_null=True, max_digits=10, decimal_places=4, default=None
    )
    activation_conditions = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        max_length=20_000,  # the service's own limit (10,240) answers with a clearer message
        help_text="A2I's HumanLoopActivationConditions: JSON inside a string.",
    )
    request_source = serializers.CharField(required=False, allow_blank=True, default="")
    role_arn = serializers.CharField(required=False, allow_blank=True, default="", max_length=2048)
    webhook_url = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500
    )
    webhook_secret = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, write_only=True
    )


class FlowDefinitionOutput(serializers.ModelSerializer):
    arn = serializers.SerializerMethodField()
    human_task_ui = serializers.CharField(source="human_task_ui.name", default=None)
    human_task_ui_arn = serializers.SerializerMethodField()
    workteam_id = serializers.IntegerField()
    output_storage_id = serializers.IntegerField()
    project_id = serializers.IntegerField(allow_null=True)
    output_path = serializers.SerializerMethodField()

    class Meta:
        model = FlowDefinition
        fields = [
            "name",
            "arn",
            "status",
            "failure_reason",
            "human_task_ui",
            "human_task_ui_arn",
            "workteam_id",
            "project_id",
            "task_title",
            "task_description",
            "task_keywords",
            "task_count",
            "task_time_limit_seconds",
            "task_availability_lifetime_seconds",
            "price_per_task",
            "output_storage_id",
            "output_prefix",
            "output_path",
            "activation_conditions",
            "request_source",
            "role_arn",
            "webhook_url",
            "created_at",
        ]

    def get_arn(self, flow: FlowDefinition) -> str:
        return arns.flow_definition_arn(flow)

    def get_output_path(self, flow: FlowDefinition) -> str:
        return flow_output_path(flow)

    def get_human_task_ui_arn(self, flow: FlowDefinition) -> str | None:
        ui = flow.human_task_ui
        return arns.human_task_ui_arn(ui) if ui is not None else None


# Human loops


class HumanLoopStartInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    flow_definition = serializers.CharField(
        max_length=1024, help_text="The flow definition's name or ARN."
    )
    input_content = StringOrObjectField(
        help_text="A JSON object, or a string holding one (A2I's InputContent); it becomes "
        "task.input in the worker template."
    )
    content_classifiers = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, default=list
    )


class HumanLoopListInput(serializers.Serializer):
    flow_definition = serializers.CharField(max_length=1024)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)
    sort_order = serializers.ChoiceField(
        choices=["Ascending", "Descending"], required=False, default="Descending"
    )


class HumanLoopOutput(serializers.ModelSerializer):
    arn = serializers.SerializerMethodField()
    flow_definition = serializers.CharField(source="flow_definition.name")
    flow_definition_arn = serializers.SerializerMethodField()

    class Meta:
        model = HumanLoop
        fields = [
            "name",
            "arn",
            "status",
            "failure_code",
            "failure_reason",
            "flow_definition",
            "flow_definition_arn",
            "output_uri",
            "created_at",
            "completed_at",
        ]

    def get_arn(self, loop: HumanLoop) -> str:
        return arns.human_loop_arn(loop)

    def get_flow_definition_arn(self, loop: HumanLoop) -> str:
        return arns.flow_definition_arn(loop.flow_definition)


class HumanLoopDetailOutput(HumanLoopOutput):
    input_content = serializers.CharField()
    activation_results = serializers.JSONField()
    human_answers = serializers.SerializerMethodField()

    class Meta(HumanLoopOutput.Meta):
        fields = [
            *HumanLoopOutput.Meta.fields,
            "input_content",
            "content_classifiers",
            "activation_results",
            "human_answers",
        ]

    def get_human_answers(self, loop: HumanLoop) -> list[dict]:
        """The answers in, as output.json lists them (before and after completion)."""
        if loop.task_id is None or not human_loop_answers(loop=loop).exists():
            return []
        return human_loop_output(loop)["humanAnswers"]


class HumanLoopStartOutput(serializers.Serializer):
    activated = serializers.BooleanField()
    human_loop = HumanLoopDetailOutput(allow_null=True)
    activation_results = serializers.JSONField(allow_null=True)


# Review of labeling work


class ReviewQueueInput(serializers.Serializer):
    review_status = serializers.ChoiceField(
        choices=ReviewStatus.values, required=False, default=ReviewStatus.PENDING
    )
    worker_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    label = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    disagreement = serializers.BooleanField(required=False, default=False)


class ReviewAssignmentOutput(serializers.ModelSerializer):
    worker_id = serializers.SerializerMethodField()
    item_id = serializers.IntegerField(source="task.item_id")
    item = serializers.JSONField(source="task.item.data")
    label = serializers.SerializerMethodField()
    reviewed_by = serializers.CharField(source="reviewed_by.email", default=None)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "task_id",
            "item_id",
            "item",
            "worker_id",
            "answer",
            "label",
            "submitted_at",
            "review_status",
            "reviewed_at",
            "reviewed_by",
            "review_reason",
        ]

    def get_worker_id(self, assignment: Assignment) -> str:
        return anonymized_worker_id(
            user=assignment.worker, organization=self.context["organization"]
        )

    def get_label(self, assignment: Assignment) -> str | None:
        return answer_label(assignment)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BulkApproveInput(serializers.Serializer):
    assignment_ids = serializers.ListField(child=serializers.IntegerField(), max_length=500)


class ProjectChainInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["verification", "adjustment"])
    name = serializers.CharField(max_length=63)
    label_attribute_name = serializers.CharField(max_length=127)
    workteam_id = serializers.IntegerField()
    verdict_labels = serializers.ListField(
        child=serializers.CharField(max_length=16), required=False, min_length=2, max_length=30
    )
    answers_per_item = serializers.IntegerField(required=False, min_value=1, max_value=9)
    task_time_limit_seconds = serializers.IntegerField(
        required=False, min_value=30, max_value=28800
    )
    price_per_task = serializers.DecimalField(
        required=False, allow_null=True, max_digits=10, decimal_places=4, min_value=0
    )
    short_instructions = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
