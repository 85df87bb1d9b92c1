"""The A2I walk-through with boto3 only: team, task UI and flow through the sagemaker
client, loops through the a2i client, answers through the worker API, output.json in S3."""

import json
import time

from rest_framework.test import APIClient

from apps.workforces import services as workforce_services
from apps.workforces.models import Workteam
from tests.awsapi.conftest import MOTO_BUCKET, TEMPLATE, client
from tests.awsapi.test_sagemaker_reviews import ROLE, arn_of


def answer_next(worker, label: str) -> dict:
    api = APIClient()
    api.force_login(worker)
    assignment = api.post("/api/v1/work/next/", {}, format="json")
    assert assignment.status_code == 201, assignment.content
    submitted = api.post(
        f"/api/v1/work/assignments/{assignment.json()['id']}/submit/",
        {"answer": {"sentiment": {"label": label}}},
        format="json",
    )
    assert submitted.status_code == 200, submitted.content
    return assignment.json()


def test_boto3_runs_a_human_review_from_team_to_output_json(
    live_server, keys, owner, organization, workers, moto_server, s3_storage, s3_prefix
):
    sm = client(live_server, "sagemaker", keys)
    a2i = client(live_server, "sagemaker-a2i-runtime", keys)

    team_arn = sm.create_workteam(
        WorkteamName="reviewers",
        MemberDefinitions=[{"OidcMemberDefinition": {"Groups": ["reviewers"]}}],
        Description="People who check the model",
    )["WorkteamArn"]
    for worker in workers[:2]:  # people join in Groundwork (or through their IdP groups)
        workforce_services.workteam_member_add(
            workteam=Workteam.objects.get(name="reviewers"), user=worker, actor=owner.user
        )
    ui_arn = sm.create_human_task_ui(
        HumanTaskUiName="sentiment-ui", UiTemplate={"Content": TEMPLATE}
    )["HumanTaskUiArn"]
    flow_arn = sm.create_flow_definition(
        FlowDefinitionName="fd-e2e",
        HumanLoopConfig={
            "WorkteamArn": team_arn,
            "HumanTaskUiArn": ui_arn,
            "TaskTitle": "Check the sentiment",
            "TaskDescription": "Is the model right?",
            "TaskCount": 1,
        },
        OutputConfig={"S3OutputPath": f"s3://{MOTO_BUCKET}/{s3_prefix}a2i"},
        RoleArn=ROLE,
    )["FlowDefinitionArn"]
    for _ in range(50):  # clients poll until the flow is Active
        if (
            sm.describe_flow_definition(FlowDefinitionName="fd-e2e")["FlowDefinitionStatus"]
            == "Active"
        ):
            break
        time.sleep(0.1)
    inputs = {
        "review-1": {"taskObject": "The room was dirty.", "score": 0.41},
        "review-2": {"taskObject": "Lovely staff!", "score": 0.62},
    }
    for name, content in inputs.items():
        a2i.start_human_loop(
            HumanLoopName=name,
            FlowDefinitionArn=flow_arn,
            HumanLoopInput={"InputContent": json.dumps(content)},
        )
    in_progress = a2i.list_human_loops(FlowDefinitionArn=flow_arn)["HumanLoopSummaries"]

    answer_next(workers[0], "negative")
    answer_next(workers[1], "positive")

    described = {name: a2i.describe_human_loop(HumanLoopName=name) for name in inputs}
    outputs = {}
    for name, loop in described.items():
        bucket, _, key = loop["HumanLoopOutput"]["OutputS3Uri"].removeprefix("s3://").partition("/")
        body = moto_server.client().get_object(Bucket=bucket, Key=key)["Body"].read()
        outputs[name] = (key, json.loads(body))

    assert [loop["HumanLoopStatus"] for loop in in_progress] == ["InProgress", "InProgress"]
    assert [loop["HumanLoopStatus"] for loop in described.values()] == ["Completed", "Completed"]
    labels = {}
    for name, (key, output) in outputs.items():
        created = described[name]["CreationTime"].strftime("%Y/%m/%d/%H/%M/%S")
        assert key == f"{s3_prefix}a2i/fd-e2e/{created}/{name}/output.json"
        assert output["flowDefinitionArn"] == arn_of(organization, "flow-definition", "fd-e2e")
        assert output["humanLoopName"] == name
        assert output["inputContent"] == inputs[name]
        (human,) = output["humanAnswers"]
        assert sorted(human) == [
            "acceptanceTime",
            "answerContent",
            "submissionTime",
            "timeSpentInSeconds",
            "workerId",
            "workerMetadata",
        ]
        assert sorted(human["workerMetadata"]["identityData"]) == [
            "identityProviderType",
            "issuer",
            "sub",
        ]
        labels[name] = human["answerContent"]["sentiment"]["label"]
    assert labels == {"review-1": "negative", "review-2": "positive"}
