"""The A2I runtime operations (aws-compat spec, section 5) over apps.reviews."""

from apps.accounts import permissions
from apps.awsapi.dispatch import Call, Operation
from apps.awsapi.errors import AwsError
from apps.awsapi.protocol import arn, drop_none, iso, name_from, page, parse_time
from apps.core.errors import NotFound
from apps.reviews import selectors, services
from apps.reviews.models import FlowDefinition, HumanLoop

MANAGE = permissions.PROJECTS_MANAGE


def _not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFoundException", message, 404)


def _flow(call: Call, reference: str, get=selectors.flow_definition_get) -> FlowDefinition:
    name = name_from(reference, "flow-definition", call.organization)
    try:
        if name is None:
            raise NotFound()
        return get(organization=call.organization, name=name)
    except NotFound:
        raise _not_found(f"Flow definition '{reference}' does not exist.") from None


def _loop(call: Call, name: str) -> HumanLoop:
    try:
        return selectors.human_loop_get(organization=call.organization, name=name)
    except NotFound:
        raise _not_found(f"Human loop '{name}' does not exist.") from None


def _flow_arn(call: Call, loop: HumanLoop) -> str:
    return arn(call.organization, call.region, "flow-definition", loop.flow_definition.name)


def start_human_loop(call: Call, params: dict) -> dict:
    flow = _flow(call, params["FlowDefinitionArn"], get=selectors.flow_definition_get_to_start)
    result = services.human_loop_start(
        organization=call.organization,
        actor=call.actor,
        flow=flow,
        name=params["HumanLoopName"],
        input_content=params["HumanLoopInput"]["InputContent"],
        content_classifiers=(params.get("DataAttributes") or {}).get("ContentClassifiers"),
    )
    if result.loop is None:  # the activation conditions did not hold: no loop
        return {}
    return {"HumanLoopArn": arn(call.organization, call.region, "human-loop", result.loop.name)}


def describe_human_loop(call: Call, params: dict) -> dict:
    loop = _loop(call, params["HumanLoopName"])
    return drop_none(
        {
            "CreationTime": iso(loop.created_at),
            "FailureReason": loop.failure_reason or None,
            "FailureCode": loop.failure_code or None,
            "HumanLoopStatus": loop.status,
            "HumanLoopName": loop.name,
            "HumanLoopArn": arn(call.organization, call.region, "human-loop", loop.name),
            "FlowDefinitionArn": _flow_arn(call, loop),
            "HumanLoopOutput": {"OutputS3Uri": loop.output_uri} if loop.output_uri else None,
        }
    )


def list_human_loops(call: Call, params: dict) -> dict:
    flow = _flow(call, params["FlowDefinitionArn"])
    loops = selectors.human_loop_list(
        organization=call.organization,
        flow=flow,
        created_after=parse_time(params.get("CreationTimeAfter"), "creationTimeAfter"),
        created_before=parse_time(params.get("CreationTimeBefore"), "creationTimeBefore"),
    )
    rows, token = page(
        loops,
        order=("id",),
        descending=params.get("SortOrder") == "Descending",
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )
    summaries = [
        drop_none(
            {
                "HumanLoopName": loop.name,
                "HumanLoopStatus": loop.status,
                "CreationTime": iso(loop.created_at),
                "FailureReason": loop.failure_reason or None,
                "FlowDefinitionArn": _flow_arn(call, loop),
            }
        )
        for loop in rows
    ]
    return drop_none({"HumanLoopSummaries": summaries, "NextToken": token})


def stop_human_loop(call: Call, params: dict) -> dict:
    services.human_loop_stop(loop=_loop(call, params["HumanLoopName"]), actor=call.actor)
    return {}


def delete_human_loop(call: Call, params: dict) -> dict:
    services.human_loop_delete(loop=_loop(call, params["HumanLoopName"]), actor=call.actor)
    return {}


# A loop in the wrong state for the call is a ValidationException in A2I; only a name
# reused for another input is a ConflictException.
_STATE = {
    "flow_definition_not_active": "invalid",
    "human_loop_not_in_progress": "invalid",
    "human_loop_not_finished": "invalid",
    "human_loop_name_taken": "conflict",
}

OPERATIONS = {
    # StartHumanLoop is idempotent in the service (the same name, flow and input return the
    # same loop), so a retried start needs no remembered answer.
    "StartHumanLoop": Operation(start_human_loop, MANAGE, errors=_STATE, is_atomic=False),
    "DescribeHumanLoop": Operation(describe_human_loop, MANAGE, is_atomic=False),
    "ListHumanLoops": Operation(list_human_loops, MANAGE, is_atomic=False),
    "StopHumanLoop": Operation(stop_human_loop, MANAGE, errors=_STATE, is_atomic=False),
    "DeleteHumanLoop": Operation(delete_human_loop, MANAGE, errors=_STATE, is_atomic=False),
}
