"""Human task UIs, flow definitions and RenderUiTemplate over apps.reviews."""

import json

from django.conf import settings
from django.urls import reverse

from apps.accounts import permissions
from apps.awsapi.dispatch import Call, Operation
from apps.awsapi.errors import AwsError, validation
from apps.awsapi.protocol import arn, drop_none, epoch, page, parse_time
from apps.awsapi.sagemaker.common import (
    found,
    price_from_usd,
    price_to_usd,
    resolve_name,
    sort_descending,
    workteam_arn,
    workteam_referenced,
)
from apps.core.errors import NotFound
from apps.reviews import selectors, services
from apps.reviews.models import FlowDefinition, HumanTaskUi

MANAGE = permissions.PROJECTS_MANAGE


def _ui_arn(call: Call, name: str) -> str:
    return arn(call.organization, call.region, "human-task-ui", name)


def _flow_arn(call: Call, name: str) -> str:
    return arn(call.organization, call.region, "flow-definition", name)


def _ui(call: Call, reference: str) -> HumanTaskUi:
    name = resolve_name(call, reference, "human-task-ui", "Human task UI")
    return found(
        selectors.human_task_ui_get,
        f"Human task UI '{reference}' does not exist.",
        organization=call.organization,
        name=name,
    )


def flow_definition_named(call: Call, name: str) -> FlowDefinition:
    return found(
        selectors.flow_definition_get,
        f"Flow definition '{name}' does not exist.",
        organization=call.organization,
        name=name,
    )


def _list_page(call: Call, params: dict, queryset, default_order: str = "Descending"):
    after = parse_time(params.get("CreationTimeAfter"), "creationTimeAfter")
    before = parse_time(params.get("CreationTimeBefore"), "creationTimeBefore")
    if after is not None:
        queryset = queryset.filter(created_at__gt=after)
    if before is not None:
        queryset = queryset.filter(created_at__lt=before)
    return page(
        queryset,
        order=("id",),
        descending=sort_descending(params, default_order),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )


# Human task UIs


def create_human_task_ui(call: Call, params: dict) -> dict:
    ui = services.human_task_ui_create(
        organization=call.organization,
        actor=call.actor,
        name=params["HumanTaskUiName"],
        content=params["UiTemplate"]["Content"],
    )
    return {"HumanTaskUiArn": _ui_arn(call, ui.name)}


def describe_human_task_ui(call: Call, params: dict) -> dict:
    ui = _ui(call, params["HumanTaskUiName"])
    path = reverse(
        "human-task-ui-detail", kwargs={"org_slug": call.organization.slug, "name": ui.name}
    )
    return {
        "HumanTaskUiArn": _ui_arn(call, ui.name),
        "HumanTaskUiName": ui.name,
        "HumanTaskUiStatus": ui.status,
        "CreationTime": epoch(ui.created_at),
        "UiTemplate": {"Url": settings.BASE_URL + path, "ContentSha256": ui.content_sha256},
    }


def list_human_task_uis(call: Call, params: dict) -> dict:
    uis = selectors.human_task_ui_list(organization=call.organization)
    rows, token = _list_page(call, params, uis)
    summaries = [
        {
            "HumanTaskUiName": ui.name,
            "HumanTaskUiArn": _ui_arn(call, ui.name),
            "CreationTime": epoch(ui.created_at),
        }
        for ui in rows
    ]
    return drop_none({"HumanTaskUiSummaries": summaries, "NextToken": token})


def delete_human_task_ui(call: Call, params: dict) -> dict:
    services.human_task_ui_delete(ui=_ui(call, params["HumanTaskUiName"]), actor=call.actor)
    return {}


def render_ui_template(call: Call, params: dict) -> dict:
    template = (params.get("UiTemplate") or {}).get("Content")
    reference = params.get("HumanTaskUiArn")
    if (template is None) == (reference is None):
        raise validation("Give exactly one of UiTemplate and HumanTaskUiArn.")
    source = template if template is not None else _ui(call, reference).content
    try:
        task_input = json.loads(params["Task"]["Input"])
    except ValueError as error:
        raise validation(f"Task.Input is not JSON: {error}") from None
    if not isinstance(task_input, dict):
        raise validation("Task.Input must be a JSON object (it becomes task.input).")
    result = services.human_task_ui_render(source=source, task_input=task_input)
    return {
        "RenderedContent": result.rendered,
        "Errors": [{"Code": problem.code, "Message": problem.message} for problem in result.errors],
    }


# Flow definitions


def create_flow_definition(call: Call, params: dict) -> dict:
    config = params.get("HumanLoopConfig")
    if config is None:
        raise validation(
            "HumanLoopConfig is required: it names the workteam and the human task UI."
        )
    output_path = params["OutputConfig"]["S3OutputPath"]
    try:
        storage, prefix = selectors.storage_for_output_path(
            organization=call.organization, uri=output_path
        )
    except NotFound:
        raise validation(
            f"No registered storage covers S3OutputPath '{output_path}'; register the bucket "
            "(and prefix) as a storage first."
        ) from None
    try:
        ui = _ui(call, config["HumanTaskUiArn"])
    except AwsError:
        raise validation(f"Human task UI '{config['HumanTaskUiArn']}' does not exist.") from None
    conditions = params.get("HumanLoopActivationConfig") or {}
    flow = services.flow_definition_create(
        organization=call.organization,
        actor=call.actor,
        name=params["FlowDefinitionName"],
        human_task_ui=ui,
        workteam=workteam_referenced(call, config["WorkteamArn"]),
        output_storage=storage,
        output_prefix=prefix,
        task_title=config["TaskTitle"],
        task_description=config["TaskDescription"],
        task_count=config["TaskCount"],
        task_time_limit_seconds=config.get("TaskTimeLimitInSeconds", 3600),
        task_availability_lifetime_seconds=config.get(
            "TaskAvailabilityLifetimeInSeconds", 10 * 24 * 3600
        ),
        task_keywords=config.get("TaskKeywords"),
        price_per_task=price_from_usd(config.get("PublicWorkforceTaskPrice")),
        activation_conditions=conditions.get("HumanLoopActivationConditionsConfig", {}).get(
            "HumanLoopActivationConditions", ""
        ),
        request_source=(params.get("HumanLoopRequestSource") or {}).get(
            "AwsManagedHumanLoopRequestSource", ""
        ),
        role_arn=params["RoleArn"],
        tags=params.get("Tags"),
    )
    return {"FlowDefinitionArn": _flow_arn(call, flow.name)}


def describe_flow_definition(call: Call, params: dict) -> dict:
    flow = flow_definition_named(call, params["FlowDefinitionName"])
    ui = flow.human_task_ui
    loop_config = drop_none(
        {
            "WorkteamArn": workteam_arn(call, flow.workteam),
            "HumanTaskUiArn": _ui_arn(call, ui.name) if ui else None,
            "TaskTitle": flow.task_title,
            "TaskDescription": flow.task_description,
            "TaskCount": flow.task_count,
            "TaskAvailabilityLifetimeInSeconds": flow.task_availability_lifetime_seconds,
            "TaskTimeLimitInSeconds": flow.task_time_limit_seconds,
            "TaskKeywords": flow.task_keywords or None,
            "PublicWorkforceTaskPrice": price_to_usd(flow.price_per_task),
        }
    )
    activation = None
    if flow.activation_conditions:
        activation = {
            "HumanLoopActivationConditionsConfig": {
                "HumanLoopActivationConditions": flow.activation_conditions
            }
        }
    return drop_none(
        {
            "FlowDefinitionArn": _flow_arn(call, flow.name),
            "FlowDefinitionName": flow.name,
            "FlowDefinitionStatus": flow.status,
            "CreationTime": epoch(flow.created_at),
            "HumanLoopRequestSource": (
                {"AwsManagedHumanLoopRequestSource": flow.request_source}
                if flow.request_source
                else None
            ),
            "HumanLoopActivationConfig": activation,
            "HumanLoopConfig": loop_config,
            "OutputConfig": {"S3OutputPath": selectors.flow_output_path(flow)},
            # Flows made through the REST API have no role; clients expect one.
            "RoleArn": flow.role_arn
            or f"arn:aws:iam::{call.organization.account_id}:role/groundwork",
            "FailureReason": flow.failure_reason or None,
        }
    )


def list_flow_definitions(call: Call, params: dict) -> dict:
    flows = selectors.flow_definition_list(organization=call.organization)
    rows, token = _list_page(call, params, flows)
    summaries = [
        drop_none(
            {
                "FlowDefinitionName": flow.name,
                "FlowDefinitionArn": _flow_arn(call, flow.name),
                "FlowDefinitionStatus": flow.status,
                "CreationTime": epoch(flow.created_at),
                "FailureReason": flow.failure_reason or None,
            }
        )
        for flow in rows
    ]
    return drop_none({"FlowDefinitionSummaries": summaries, "NextToken": token})


def delete_flow_definition(call: Call, params: dict) -> dict:
    flow = flow_definition_named(call, params["FlowDefinitionName"])
    services.flow_definition_delete(flow=flow, actor=call.actor)
    return {}


OPERATIONS = {
    "CreateHumanTaskUi": Operation(create_human_task_ui, MANAGE, is_create=True),
    "DescribeHumanTaskUi": Operation(describe_human_task_ui, MANAGE),
    "ListHumanTaskUis": Operation(list_human_task_uis, MANAGE),
    "DeleteHumanTaskUi": Operation(delete_human_task_ui, MANAGE),
    "RenderUiTemplate": Operation(render_ui_template, MANAGE),
    "CreateFlowDefinition": Operation(create_flow_definition, MANAGE, is_create=True),
    "DescribeFlowDefinition": Operation(describe_flow_definition, MANAGE),
    "ListFlowDefinitions": Operation(list_flow_definitions, MANAGE),
    "DeleteFlowDefinition": Operation(delete_flow_definition, MANAGE),
}
