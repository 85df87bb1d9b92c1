"""ARNs of this app's resources, as the SageMaker/A2I clients expect them (aws-compat spec,
section 6.1): `arn:aws:sagemaker:<region>:<12-digit account id>:<kind>/<name>`."""

from django.conf import settings

from apps.accounts.models import Organization


def region() -> str:
    return getattr(settings, "AWS_COMPAT_REGION", "us-east-1")


def arn(organization: Organization, kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{region()}:{organization.account_id}:{kind}/{name}"


def human_task_ui_arn(ui) -> str:
    return arn(ui.organization, "human-task-ui", ui.name)


def flow_definition_arn(flow) -> str:
    return arn(flow.organization, "flow-definition", flow.name)


def human_loop_arn(loop) -> str:
    return arn(loop.organization, "human-loop", loop.name)


def name_from_arn(value: str, kind: str) -> str | None:
    """The name in an ARN of `kind` (any region and account: the organization is known
    from the request), or None if it is not one."""
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sagemaker":
        return None
    resource_kind, _, name = parts[5].partition("/")
    return name if resource_kind == kind and name else None
