"""AddTags, ListTags, DeleteTags: tags on labeling jobs and flow definitions, the resources
that keep tags here. Other resource kinds are refused by name; another account's ARN, or
an unknown resource, is ResourceNotFound."""

from apps.accounts import permissions
from apps.awsapi import services
from apps.awsapi.dispatch import Call, Operation
from apps.awsapi.protocol import name_from
from apps.awsapi.sagemaker.common import not_found, unsupported
from apps.awsapi.sagemaker.labeling import labeling_job_named
from apps.awsapi.sagemaker.reviews import flow_definition_named
from apps.projects.models import Project
from apps.reviews.models import FlowDefinition

MANAGE = permissions.PROJECTS_MANAGE  # as for describing the jobs and flows themselves

# ARN resource kind -> the tagged row of the caller's resource of that name
TAGGED = {
    "labeling-job": lambda call, name: labeling_job_named(call, name).project,
    "flow-definition": flow_definition_named,
}


def _resource(call: Call, resource_arn: str) -> Project | FlowDefinition:
    kind = resource_arn.split(":", 5)[-1].partition("/")[0]
    if kind not in TAGGED:
        raise unsupported("ResourceArn", f"tags on {kind} resources (tag {' or '.join(TAGGED)}).")
    name = name_from(resource_arn, kind, call.organization)
    if name is None:  # another account's
        raise not_found(f"Resource '{resource_arn}' does not exist.")
    return TAGGED[kind](call, name)


def add_tags(call: Call, params: dict) -> dict:
    resource = _resource(call, params["ResourceArn"])
    services.resource_tags_change(
        resource=resource,
        actor=call.actor,
        add={tag["Key"]: tag["Value"] for tag in params["Tags"]},
    )
    return {"Tags": params["Tags"]}


def list_tags(call: Call, params: dict) -> dict:
    # At most 50 tags a resource and MaxResults of at least 50: always one page.
    return {"Tags": services.tags_as_list(_resource(call, params["ResourceArn"]).tags)}


def delete_tags(call: Call, params: dict) -> dict:
    resource = _resource(call, params["ResourceArn"])
    services.resource_tags_change(resource=resource, actor=call.actor, remove=params["TagKeys"])
    return {}


OPERATIONS = {
    "AddTags": Operation(add_tags, MANAGE),
    "ListTags": Operation(list_tags, MANAGE),
    "DeleteTags": Operation(delete_tags, MANAGE),
}
