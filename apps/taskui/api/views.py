import json

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts import permissions
from apps.accounts.api.base import OrganizationAPIView
from apps.taskui import services
from apps.taskui.templating import TEMPLATE_MAX_CHARS

INPUT_MAX_CHARS = 128_000  # RenderableTask.Input in Ground Truth


class TaskInputField(serializers.JSONField):
    """A JSON object, or a string holding one (as RenderUiTemplate's Task.Input)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if isinstance(value, str):
            if len(value) > INPUT_MAX_CHARS:
                raise serializers.ValidationError(f"At most {INPUT_MAX_CHARS} characters.")
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise serializers.ValidationError(
                    f"Not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
                ) from None
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object (it becomes task.input).")
        return value


class RenderOutput(serializers.Serializer):
    rendered = serializers.CharField()
    frame_url = serializers.CharField(help_text="The sandboxed frame showing this rendering.")


class TaskUiRenderApi(OrganizationAPIView):
    """Render a task template with `task.input` = `input`, as the worker would see it."""

    required_permission = {"POST": permissions.PROJECTS_MANAGE}

    class InputSerializer(serializers.Serializer):
        template = serializers.CharField(max_length=TEMPLATE_MAX_CHARS, trim_whitespace=False)
        input = TaskInputField()

    @extend_schema(request=InputSerializer, responses={200: RenderOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        preview = services.preview_create(
            source=payload.validated_data["template"],
            task_input=payload.validated_data["input"],
        )
        return Response(RenderOutput(preview).data)
