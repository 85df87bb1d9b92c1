"""Human task UIs, flow definitions and RenderUiTemplate through a real boto3 client."""

import json

import pytest
from botocore.exceptions import ClientError

from apps.reviews.models import FlowDefinition, HumanTaskUi
from tests.awsapi.conftest import MOTO_BUCKET, REGION, TEMPLATE, client
from tests.awsapi.test_a2i import code_of

ROLE = "arn:aws:iam::123456789012:role/a2i"
CONDITIONS = json.dumps(
    {
        "Conditions": [
            {
                "ConditionType": "Sampling",
                "ConditionParameters": {"RandomSamplingPercentage": 100},
            }
        ]
    }
)


def arn_of(organization, kind, name):
    return f"arn:aws:sagemaker:{REGION}:{organization.account_id}:{kind}/{name}"


def create_flow(sm, organization, s3_prefix, name="fd-reviews", ui="sentiment-ui", **config):
    return sm.create_flow_definition(
        FlowDefinitionName=name,
        HumanLoopActivationConfig={
            "HumanLoopActivationConditionsConfig": {"HumanLoopActivationConditions": CONDITIONS}
        },
        HumanLoopConfig={
            "WorkteamArn": arn_of(organization, "workteam", "private-crowd/reviewers"),
            "HumanTaskUiArn": arn_of(organization, "human-task-ui", ui),
            "TaskTitle": "Check the sentiment",
            "TaskDescription": "Is the model right?",
            "TaskCount": 2,
            "TaskKeywords": ["sentiment", "text"],
            "TaskTimeLimitInSeconds": 600,
            **config,
        },
        OutputConfig={"S3OutputPath": f"s3://{MOTO_BUCKET}/{s3_prefix}a2i-out"},
        RoleArn=ROLE,
    )


def test_human_task_uis_are_created_described_listed_and_deleted(sm, organization):
    created = sm.create_human_task_ui(HumanTaskUiName="ui-one", UiTemplate={"Content": TEMPLATE})
    sm.create_human_task_ui(HumanTaskUiName="ui-two", UiTemplate={"Content": TEMPLATE})
    described = sm.describe_human_task_ui(HumanTaskUiName="ui-one")
    pages = list(sm.get_paginator("list_human_task_uis").paginate(PaginationConfig={"PageSize": 1}))
    sm.delete_human_task_ui(HumanTaskUiName="ui-one")

    ui = HumanTaskUi.objects.get()
    assert created["HumanTaskUiArn"] == arn_of(organization, "human-task-ui", "ui-one")
    assert described["HumanTaskUiName"] == "ui-one"
    assert described["HumanTaskUiStatus"] == "Active"
    assert described["UiTemplate"]["ContentSha256"] == ui.content_sha256
    assert described["UiTemplate"]["Url"].endswith(
        f"/api/v1/orgs/{organization.slug}/human-task-uis/ui-one/"
    )
    assert [[s["HumanTaskUiName"] for s in p["HumanTaskUiSummaries"]] for p in pages] == [
        ["ui-two"],
        ["ui-one"],
    ]
    assert ui.name == "ui-two"


def test_a_task_ui_name_in_use_a_bad_template_and_a_bad_name_are_refused(sm):
    sm.create_human_task_ui(HumanTaskUiName="taken", UiTemplate={"Content": TEMPLATE})

    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.create_human_task_ui(HumanTaskUiName="taken", UiTemplate={"Content": TEMPLATE})
    with pytest.raises(ClientError) as template:
        sm.create_human_task_ui(HumanTaskUiName="no-form", UiTemplate={"Content": "<p>hi</p>"})
    with pytest.raises(ClientError) as name:
        sm.create_human_task_ui(HumanTaskUiName="Upper", UiTemplate={"Content": TEMPLATE})

    assert code_of(template) == ("ValidationException", 400)
    assert "no <crowd-form> element" in template.value.response["Error"]["Message"]
    assert code_of(name) == ("ValidationException", 400)
    assert list(HumanTaskUi.objects.values_list("name", flat=True)) == ["taken"]


def test_a_create_retried_after_a_server_error_creates_once(sm, fail_first_success):
    statuses = fail_first_success

    created = sm.create_human_task_ui(HumanTaskUiName="once", UiTemplate={"Content": TEMPLATE})

    assert statuses == [200, 200]  # the retry was answered from the first attempt
    assert created["ResponseMetadata"]["RetryAttempts"] == 1
    assert created["HumanTaskUiArn"].endswith(":human-task-ui/once")
    assert HumanTaskUi.objects.count() == 1


def test_render_ui_template_from_content_or_a_saved_ui(sm, organization):
    sm.create_human_task_ui(HumanTaskUiName="saved", UiTemplate={"Content": TEMPLATE})
    task = {"Input": json.dumps({"text": "Lovely staff"})}

    from_content = sm.render_ui_template(UiTemplate={"Content": TEMPLATE}, Task=task, RoleArn=ROLE)
    from_saved = sm.render_ui_template(
        HumanTaskUiArn=arn_of(organization, "human-task-ui", "saved"), Task=task, RoleArn=ROLE
    )
    broken = sm.render_ui_template(UiTemplate={"Content": "<p>x</p>"}, Task=task, RoleArn=ROLE)
    with pytest.raises(ClientError) as both:
        sm.render_ui_template(
            UiTemplate={"Content": TEMPLATE},
            HumanTaskUiArn=arn_of(organization, "human-task-ui", "saved"),
            Task=task,
            RoleArn=ROLE,
        )

    assert "<p>Lovely staff</p>" in from_content["RenderedContent"]
    assert from_content["Errors"] == []
    assert from_saved["RenderedContent"] == from_content["RenderedContent"]
    assert [error["Code"] for error in broken["Errors"]] == ["missing_crowd_form"]
    assert code_of(both) == ("ValidationException", 400)


def test_flow_definitions_are_created_described_listed_and_deleted(
    sm, organization, team, ui, s3_storage, s3_prefix
):
    created = create_flow(sm, organization, s3_prefix)
    described = sm.describe_flow_definition(FlowDefinitionName="fd-reviews")
    listed = sm.list_flow_definitions()
    sm.delete_flow_definition(FlowDefinitionName="fd-reviews")

    flow = FlowDefinition.objects.get()
    assert created["FlowDefinitionArn"] == arn_of(organization, "flow-definition", "fd-reviews")
    assert (flow.output_storage_id, flow.output_prefix) == (s3_storage.pk, "a2i-out")
    assert {
        k: v for k, v in described.items() if k not in ("ResponseMetadata", "CreationTime")
    } == {
        "FlowDefinitionArn": created["FlowDefinitionArn"],
        "FlowDefinitionName": "fd-reviews",
        "FlowDefinitionStatus": "Active",
        "HumanLoopActivationConfig": {
            "HumanLoopActivationConditionsConfig": {"HumanLoopActivationConditions": CONDITIONS}
        },
        "HumanLoopConfig": {
            "WorkteamArn": arn_of(organization, "workteam", "private-crowd/reviewers"),
            "HumanTaskUiArn": arn_of(organization, "human-task-ui", "sentiment-ui"),
            "TaskTitle": "Check the sentiment",
            "TaskDescription": "Is the model right?",
            "TaskCount": 2,
            "TaskAvailabilityLifetimeInSeconds": 864000,
            "TaskTimeLimitInSeconds": 600,
            "TaskKeywords": ["sentiment", "text"],
        },
        "OutputConfig": {"S3OutputPath": f"s3://{MOTO_BUCKET}/{s3_prefix}a2i-out"},
        "RoleArn": ROLE,
    }
    assert [s["FlowDefinitionName"] for s in listed["FlowDefinitionSummaries"]] == ["fd-reviews"]
    assert listed["FlowDefinitionSummaries"][0]["FlowDefinitionStatus"] == "Active"
    assert flow.status == "Deleting"
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_flow_definition(FlowDefinitionName="fd-reviews")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ui": "missing-ui"}, "Human task UI"),
        (
            {"WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/x"},
            "Workteam",
        ),
        ({"TaskCount": 4}, "at 'humanLoopConfig.taskCount'"),
        ({"TaskKeywords": ["not_a keyword!"]}, "humanLoopConfig.taskKeywords[1]"),
    ],
)
def test_flow_definitions_with_bad_references_or_values_are_refused(
    sm, organization, team, ui, s3_storage, s3_prefix, change, message
):
    with pytest.raises(ClientError) as error:
        create_flow(sm, organization, s3_prefix, **change)

    assert code_of(error) == ("ValidationException", 400)
    assert message in error.value.response["Error"]["Message"]
    assert FlowDefinition.objects.count() == 0


def test_a_flow_must_write_to_a_registered_storage(sm, organization, team, ui, s3_storage):
    with pytest.raises(ClientError) as error:
        create_flow(sm, organization, "elsewhere/")

    assert code_of(error) == ("ValidationException", 400)
    assert "No registered storage covers S3OutputPath" in error.value.response["Error"]["Message"]
    assert FlowDefinition.objects.count() == 0


def test_flow_names_in_use_and_flows_with_live_loops_are_resource_in_use(
    live_server, sm, keys, organization, team, ui, s3_storage, s3_prefix
):
    create_flow(sm, organization, s3_prefix)
    a2i = client(live_server, "sagemaker-a2i-runtime", keys)
    a2i.start_human_loop(
        HumanLoopName="live",
        FlowDefinitionArn=arn_of(organization, "flow-definition", "fd-reviews"),
        HumanLoopInput={"InputContent": json.dumps({"text": "hi"})},
    )

    with pytest.raises(sm.exceptions.ResourceInUse):
        create_flow(sm, organization, s3_prefix)
    with pytest.raises(sm.exceptions.ResourceInUse) as deleting:
        sm.delete_flow_definition(FlowDefinitionName="fd-reviews")
    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.delete_human_task_ui(HumanTaskUiName="sentiment-ui")

    assert "still in progress" in deleting.value.response["Error"]["Message"]
    assert FlowDefinition.objects.get().status == "Active"


def test_another_organization_sees_none_of_these(
    live_server, sm, other_keys, organization, team, ui, s3_storage, s3_prefix
):
    create_flow(sm, organization, s3_prefix)
    other = client(live_server, "sagemaker", other_keys)

    for call in (
        lambda: other.describe_human_task_ui(HumanTaskUiName="sentiment-ui"),
        lambda: other.delete_human_task_ui(HumanTaskUiName="sentiment-ui"),
        lambda: other.describe_flow_definition(FlowDefinitionName="fd-reviews"),
        lambda: other.delete_flow_definition(FlowDefinitionName="fd-reviews"),
        lambda: other.render_ui_template(
            HumanTaskUiArn=arn_of(organization, "human-task-ui", "sentiment-ui"),
            Task={"Input": "{}"},
            RoleArn=ROLE,
        ),
    ):
        with pytest.raises(other.exceptions.ResourceNotFound):
            call()

    assert other.list_human_task_uis()["HumanTaskUiSummaries"] == []
    assert other.list_flow_definitions()["FlowDefinitionSummaries"] == []
    assert FlowDefinition.objects.get().status == "Active"
    assert HumanTaskUi.objects.count() == 1


def test_an_unknown_operation_is_refused(sm):
    with pytest.raises(ClientError) as error:
        sm.list_models()

    assert code_of(error) == ("UnknownOperationException", 400)


def test_the_endpoint_answers_with_a_trailing_slash_too(live_server, keys):
    import boto3

    sm = boto3.session.Session().client(
        "sagemaker",
        endpoint_url=live_server.url + "/aws/sagemaker/",
        region_name=REGION,
        aws_access_key_id=keys["aws_access_key_id"],
        aws_secret_access_key=keys["aws_secret_access_key"],
    )

    assert sm.list_human_task_uis()["HumanTaskUiSummaries"] == []
