"""The A2I runtime through real boto3 clients against the live server."""

import json
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from apps.reviews.models import HumanLoop
from apps.tasks import services as task_services
from apps.tasks.models import Task
from tests.awsapi.conftest import REGION

INPUT = json.dumps({"text": "The food was cold.", "score": 0.41})


def flow_arn(organization, name="fd-sentiment"):
    return f"arn:aws:sagemaker:{REGION}:{organization.account_id}:flow-definition/{name}"


def start(a2i, organization, name, content=INPUT, flow="fd-sentiment", **extra):
    return a2i.start_human_loop(
        HumanLoopName=name,
        FlowDefinitionArn=flow_arn(organization, flow),
        HumanLoopInput={"InputContent": content},
        **extra,
    )


def code_of(error: pytest.ExceptionInfo) -> tuple[str, int]:
    response = error.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_start_describe_list_stop_delete(a2i, flow, organization):
    started = start(
        a2i,
        organization,
        "loop-1",
        DataAttributes={"ContentClassifiers": ["FreeOfPersonallyIdentifiableInformation"]},
    )
    described = a2i.describe_human_loop(HumanLoopName="loop-1")
    listed = a2i.list_human_loops(FlowDefinitionArn=flow_arn(organization))
    a2i.stop_human_loop(HumanLoopName="loop-1")
    stopped = a2i.describe_human_loop(HumanLoopName="loop-1")
    a2i.delete_human_loop(HumanLoopName="loop-1")

    arn = f"arn:aws:sagemaker:{REGION}:{organization.account_id}:human-loop/loop-1"
    loop = HumanLoop.objects.get(name="loop-1")
    assert started["HumanLoopArn"] == arn
    assert started["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    assert {key: value for key, value in described.items() if key != "ResponseMetadata"} == {
        "CreationTime": loop.created_at.replace(
            microsecond=loop.created_at.microsecond // 1000 * 1000
        ),
        "HumanLoopStatus": "InProgress",
        "HumanLoopName": "loop-1",
        "HumanLoopArn": arn,
        "FlowDefinitionArn": flow_arn(organization),
    }
    assert listed["HumanLoopSummaries"] == [
        {
            "HumanLoopName": "loop-1",
            "HumanLoopStatus": "InProgress",
            "CreationTime": described["CreationTime"],
            "FlowDefinitionArn": flow_arn(organization),
        }
    ]
    assert "NextToken" not in listed
    assert stopped["HumanLoopStatus"] == "Stopped"
    assert loop.content_classifiers == ["FreeOfPersonallyIdentifiableInformation"]
    assert loop.input_content == INPUT
    assert loop.deleted_at is not None
    with pytest.raises(a2i.exceptions.ResourceNotFoundException):
        a2i.describe_human_loop(HumanLoopName="loop-1")


def test_a_completed_loop_reports_its_output(a2i, flow, organization, team, workers):
    start(a2i, organization, "loop-done")
    for worker in workers[:1]:
        assignment = task_services.assignment_next(worker=worker, workteam_ids=[team.pk])
        task_services.assignment_submit(
            assignment=assignment, worker=worker, answer={"sentiment": {"label": "negative"}}
        )

    described = a2i.describe_human_loop(HumanLoopName="loop-done")

    loop = HumanLoop.objects.get(name="loop-done")
    assert described["HumanLoopStatus"] == "Completed"
    assert described["HumanLoopOutput"] == {"OutputS3Uri": loop.output_uri}
    assert loop.output_uri.endswith("/loop-done/output.json")


def test_the_paginator_walks_every_loop_in_either_order(a2i, flow, organization):
    names = [f"page-{n}" for n in range(5)]
    for name in names:
        start(a2i, organization, name)
    paginator = a2i.get_paginator("list_human_loops")

    ascending = paginator.paginate(
        FlowDefinitionArn=flow_arn(organization), PaginationConfig={"PageSize": 2}
    )
    pages = [[s["HumanLoopName"] for s in page["HumanLoopSummaries"]] for page in ascending]
    descending = paginator.paginate(
        FlowDefinitionArn=flow_arn(organization),
        SortOrder="Descending",
        PaginationConfig={"PageSize": 2},
    ).build_full_result()

    assert pages == [names[0:2], names[2:4], names[4:5]]
    assert [s["HumanLoopName"] for s in descending["HumanLoopSummaries"]] == names[::-1]


def test_list_filters_on_creation_time_sent_in_the_query_string(a2i, flow, organization):
    start(a2i, organization, "old")
    HumanLoop.objects.filter(name="old").update(created_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC))
    start(a2i, organization, "new")

    after = a2i.list_human_loops(
        FlowDefinitionArn=flow_arn(organization),
        CreationTimeAfter=datetime(2024, 6, 1, tzinfo=UTC),
    )
    before = a2i.list_human_loops(
        FlowDefinitionArn=flow_arn(organization),
        CreationTimeBefore=datetime(2024, 6, 1, 0, 0, 0, 500, tzinfo=UTC),
    )

    assert [s["HumanLoopName"] for s in after["HumanLoopSummaries"]] == ["new"]
    assert [s["HumanLoopName"] for s in before["HumanLoopSummaries"]] == ["old"]


def test_a_loop_named_stop_is_described_and_deleted_while_post_stop_stops(a2i, flow, organization):
    start(a2i, organization, "stop")

    described = a2i.describe_human_loop(HumanLoopName="stop")
    a2i.stop_human_loop(HumanLoopName="stop")
    stopped = a2i.describe_human_loop(HumanLoopName="stop")
    a2i.delete_human_loop(HumanLoopName="stop")

    assert described["HumanLoopName"] == "stop"
    assert described["HumanLoopStatus"] == "InProgress"
    assert stopped["HumanLoopStatus"] == "Stopped"
    assert HumanLoop.objects.get(name="stop").deleted_at is not None


def test_starting_the_same_loop_again_returns_it_and_another_input_conflicts(
    a2i, flow, organization
):
    first = start(a2i, organization, "again")
    second = start(a2i, organization, "again")

    with pytest.raises(a2i.exceptions.ConflictException) as error:
        start(a2i, organization, "again", content=json.dumps({"text": "other"}))

    assert second["HumanLoopArn"] == first["HumanLoopArn"]
    assert code_of(error) == ("ConflictException", 409)
    assert HumanLoop.objects.count() == 1
    assert Task.objects.count() == 1


def test_a_retry_after_a_server_error_reuses_the_invocation_and_starts_once(
    a2i, flow, organization, fail_first_success
):
    attempts = fail_first_success

    started = start(a2i, organization, "retried")

    assert attempts == [200, 200]
    assert started["ResponseMetadata"]["RetryAttempts"] == 1
    assert started["HumanLoopArn"].endswith(":human-loop/retried")
    assert HumanLoop.objects.count() == 1
    assert Task.objects.count() == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda a2i, org: start(a2i, org, "Bad_Name"),
            "Value 'Bad_Name' at 'humanLoopName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: ^[a-z0-9](-*[a-z0-9])*$",
        ),
        (
            lambda a2i, org: a2i.list_human_loops(FlowDefinitionArn=flow_arn(org), MaxResults=101),
            "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value "
            "less than or equal to 100",
        ),
        (
            lambda a2i, org: a2i.list_human_loops(FlowDefinitionArn=flow_arn(org), SortOrder="Up"),
            "Value 'Up' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum "
            "value set: [Ascending, Descending]",
        ),
        (
            lambda a2i, org: start(a2i, org, "not-json", content="{oops"),
            "Not JSON",
        ),
        (
            lambda a2i, org: a2i.list_human_loops(FlowDefinitionArn=flow_arn(org), NextToken="x"),
            "Invalid pagination token (NextToken).",
        ),
    ],
)
def test_invalid_input_is_a_validation_exception_and_writes_nothing(
    a2i, flow, organization, call, message
):
    with pytest.raises(a2i.exceptions.ValidationException) as error:
        call(a2i, organization)

    assert code_of(error) == ("ValidationException", 400)
    assert message in error.value.response["Error"]["Message"]
    assert HumanLoop.objects.count() == 0


def test_state_errors_are_validation_exceptions(a2i, flow, organization):
    start(a2i, organization, "live")

    with pytest.raises(a2i.exceptions.ValidationException) as deleting:
        a2i.delete_human_loop(HumanLoopName="live")

    assert "Only a completed, failed or stopped human loop can be deleted." in str(deleting.value)
    assert HumanLoop.objects.get(name="live").deleted_at is None


@pytest.mark.parametrize(
    "call",
    [
        lambda a2i, org: a2i.describe_human_loop(HumanLoopName="nope"),
        lambda a2i, org: a2i.stop_human_loop(HumanLoopName="nope"),
        lambda a2i, org: a2i.delete_human_loop(HumanLoopName="nope"),
        lambda a2i, org: a2i.list_human_loops(FlowDefinitionArn=flow_arn(org, "nope")),
        lambda a2i, org: start(a2i, org, "x", flow="nope"),
    ],
)
def test_unknown_resources_are_resource_not_found(a2i, flow, organization, call):
    with pytest.raises(a2i.exceptions.ResourceNotFoundException) as error:
        call(a2i, organization)

    assert code_of(error) == ("ResourceNotFoundException", 404)


def test_lock_contention_is_a_throttling_exception_retried_by_the_client(
    a2i, flow, organization, monkeypatch
):
    from django.db import OperationalError

    from apps.reviews import services

    calls = []

    def locked(**kwargs):
        calls.append(kwargs["name"])
        raise OperationalError("could not obtain lock on row in relation")

    monkeypatch.setattr(services, "human_loop_start", locked)

    with pytest.raises(a2i.exceptions.ThrottlingException) as error:
        start(a2i, organization, "busy")

    assert code_of(error) == ("ThrottlingException", 429)
    assert calls == ["busy", "busy", "busy"]  # 3 attempts: throttling is retried


def test_an_unexpected_failure_is_an_internal_server_exception(
    a2i, flow, organization, monkeypatch
):
    from apps.reviews import selectors

    def broken(**kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(selectors, "human_loop_get", broken)

    with pytest.raises(a2i.exceptions.InternalServerException) as error:
        a2i.describe_human_loop(HumanLoopName="any")

    assert code_of(error) == ("InternalServerException", 500)
    assert error.value.response["Error"]["Message"] == "Internal server error."


def test_another_organization_sees_nothing_and_changes_nothing(
    live_server, a2i, flow, organization, other_keys
):
    from tests.awsapi.conftest import client

    start(a2i, organization, "private")
    other = client(live_server, "sagemaker-a2i-runtime", other_keys)

    for call in (
        lambda: other.describe_human_loop(HumanLoopName="private"),
        lambda: other.stop_human_loop(HumanLoopName="private"),
        lambda: other.delete_human_loop(HumanLoopName="private"),
        lambda: other.list_human_loops(FlowDefinitionArn=flow_arn(organization)),
        lambda: start(other, organization, "intruder"),
    ):
        with pytest.raises(ClientError) as error:
            call()
        assert code_of(error) == ("ResourceNotFoundException", 404)

    loop = HumanLoop.objects.get()
    assert (loop.name, loop.status, loop.deleted_at) == ("private", "InProgress", None)


def test_a_credential_without_the_permission_is_refused(live_server, flow, organization, owner):
    from tests.awsapi.conftest import client, keys_of

    reviewer = client(live_server, "sagemaker-a2i-runtime", keys_of(owner, role="reviewer"))

    with pytest.raises(ClientError) as error:
        start(reviewer, organization, "not-mine")

    assert code_of(error) == ("AccessDeniedException", 403)
    assert HumanLoop.objects.count() == 0


def test_any_region_is_accepted_and_named_in_the_arns(live_server, keys, flow, organization):
    from tests.awsapi.conftest import client

    frankfurt = client(live_server, "sagemaker-a2i-runtime", keys, region="eu-central-1")

    started = frankfurt.start_human_loop(
        HumanLoopName="eu",
        FlowDefinitionArn=flow_arn(organization),
        HumanLoopInput={"InputContent": INPUT},
    )

    assert started["HumanLoopArn"] == (
        f"arn:aws:sagemaker:eu-central-1:{organization.account_id}:human-loop/eu"
    )


def test_a_flow_that_did_not_activate_refuses_loops(a2i, flow, organization):
    from apps.reviews.models import FlowDefinition

    FlowDefinition.objects.filter(pk=flow.pk).update(status="Initializing")

    with pytest.raises(a2i.exceptions.ValidationException) as error:
        start(a2i, organization, "early")

    assert "The flow definition is not active." in str(error.value)
    assert HumanLoop.objects.count() == 0
