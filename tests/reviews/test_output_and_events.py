"""output.json on a real S3 endpoint (moto server), and loop events to a real webhook."""

import hashlib
import hmac
import json

import pytest

from apps.core.errors import DomainError, NotFound
from apps.datasets import services as dataset_services
from apps.reviews import services
from apps.reviews.models import FlowDefinition, HumanLoop, HumanLoopEvent
from apps.tasks import services as task_services
from tests.datasets.conftest import ANY_KEYS, MOTO_BUCKET
from tests.reviews.conftest import make_flow
from tests.workforces.test_notifications import Receiver
from tests.workforces.test_notifications import receiver as receiver  # the fixture

pytestmark = pytest.mark.django_db

SECRET = "a-flow-webhook-secret"
INPUT = json.dumps({"text": "Meh.", "confidence": 0.5})


@pytest.fixture
def s3_storage(organization, owner, moto_server, allow_loopback, s3_prefix):
    return dataset_services.storage_create(
        organization=organization,
        actor=owner.user,
        name="S3 output",
        kind="s3",
        bucket=MOTO_BUCKET,
        prefix=s3_prefix,
        region="us-east-1",
        endpoint_url=moto_server.url,
        **ANY_KEYS,
    )


def answer_loop(owner, flow, team, worker, capture, name="loop-1"):
    loop = services.human_loop_start(
        organization=owner.organization,
        actor=owner.user,
        flow=flow,
        name=name,
        input_content=INPUT,
    ).loop
    assignment = task_services.assignment_next(worker=worker, workteam_ids=[team.pk])
    with capture(execute=True):
        task_services.assignment_submit(
            assignment=assignment, worker=worker, answer={"sentiment": {"label": "negative"}}
        )
    loop.refresh_from_db()
    return loop


def test_output_json_is_written_to_s3_at_the_a2i_key_and_reads_back(
    owner, ui, team, workers, s3_storage, s3_prefix, moto_server, django_capture_on_commit_callbacks
):
    flow = make_flow(
        owner, ui, team, s3_storage, django_capture_on_commit_callbacks, output_prefix="reviews/out"
    )

    loop = answer_loop(owner, flow, team, workers[0], django_capture_on_commit_callbacks)

    stamp = loop.created_at.strftime("%Y/%m/%d/%H/%M/%S")
    key = f"{s3_prefix}reviews/out/fd-sentiment/{stamp}/loop-1/output.json"
    assert loop.status == "Completed"
    assert loop.output_uri == f"s3://{MOTO_BUCKET}/{key}"
    body = moto_server.client().get_object(Bucket=MOTO_BUCKET, Key=key)["Body"].read()
    output = json.loads(body)
    assert output["humanLoopName"] == "loop-1"
    assert output["inputContent"] == {"text": "Meh.", "confidence": 0.5}
    assert [a["answerContent"] for a in output["humanAnswers"]] == [
        {"sentiment": {"label": "negative"}}
    ]


def test_an_unwritable_output_fails_the_loop_with_an_internal_error(
    owner, ui, team, workers, s3_storage, django_capture_on_commit_callbacks
):
    flow = make_flow(owner, ui, team, s3_storage, django_capture_on_commit_callbacks)
    s3_storage.bucket = "no-such-bucket"
    s3_storage.save()

    loop = answer_loop(owner, flow, team, workers[0], django_capture_on_commit_callbacks)

    assert (loop.status, loop.failure_code) == ("Failed", "InternalError")
    assert loop.failure_reason.startswith("The output could not be written: ")
    assert HumanLoopEvent.objects.get(human_loop=loop).loop_status == "Failed"


def hooked_flow(owner, ui, team, storage, server, capture):
    return make_flow(
        owner,
        ui,
        team,
        storage,
        capture,
        webhook_url=f"http://127.0.0.1:{server.server_port}/a2i",
        webhook_secret=SECRET,
    )


def test_the_completed_event_is_signed_and_carries_an_event_id(
    owner, ui, team, workers, local_storage, receiver, django_capture_on_commit_callbacks
):
    flow = hooked_flow(owner, ui, team, local_storage, receiver, django_capture_on_commit_callbacks)

    loop = answer_loop(owner, flow, team, workers[0], django_capture_on_commit_callbacks)

    event = HumanLoopEvent.objects.get(human_loop=loop)
    [(headers, body)] = Receiver.received
    payload = json.loads(body)
    timestamp = headers["X-Groundwork-Signature"].split(",")[0][2:]
    mac = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Groundwork-Signature"] == f"t={timestamp},v1={mac}"
    assert headers["X-Groundwork-Event-Id"] == str(event.event_id) == payload["id"]
    assert payload["detail-type"] == "SageMaker A2I HumanLoop Status Change"
    assert payload["detail"]["humanLoopStatus"] == "Completed"
    assert payload["detail"]["humanLoopName"] == "loop-1"
    assert payload["detail"]["humanLoopOutput"] == {"outputS3Uri": loop.output_uri}
    assert (event.status, event.attempts) == ("delivered", 1)


def test_the_event_is_retried_after_the_receiver_fails_twice(
    owner, ui, team, workers, local_storage, receiver, django_capture_on_commit_callbacks
):
    flow = hooked_flow(owner, ui, team, local_storage, receiver, django_capture_on_commit_callbacks)
    Receiver.statuses = [500, 503]

    loop = answer_loop(owner, flow, team, workers[0], django_capture_on_commit_callbacks)

    event = HumanLoopEvent.objects.get(human_loop=loop)
    assert (event.status, event.attempts, event.last_error) == ("delivered", 3, "")
    ids = [json.loads(body)["id"] for _, body in Receiver.received]
    assert ids == [str(event.event_id)] * 3  # the same event id each time: de-duplicable


def test_a_stopped_loop_sends_one_stopped_event(
    owner, ui, team, local_storage, receiver, django_capture_on_commit_callbacks
):
    flow = hooked_flow(owner, ui, team, local_storage, receiver, django_capture_on_commit_callbacks)
    loop = services.human_loop_start(
        organization=owner.organization,
        actor=owner.user,
        flow=flow,
        name="loop-9",
        input_content=INPUT,
    ).loop

    with django_capture_on_commit_callbacks(execute=True):
        services.human_loop_stop(loop=loop, actor=owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        services.human_loop_stop(loop=loop, actor=owner.user)

    assert [json.loads(body)["detail"]["humanLoopStatus"] for _, body in Receiver.received] == [
        "Stopped"
    ]
    assert HumanLoop.objects.get(pk=loop.pk).status == "Stopped"


def test_a_webhook_to_an_internal_address_is_refused_at_creation(
    owner, ui, team, local_storage, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError) as refused:
        make_flow(
            owner,
            ui,
            team,
            local_storage,
            django_capture_on_commit_callbacks,
            webhook_url="http://169.254.169.254/latest",
            webhook_secret=SECRET,
        )

    assert list(refused.value.details) == ["webhook_url"]
    assert not FlowDefinition.objects.exists()


def test_the_flow_output_path_maps_to_and_from_the_s3_storage(
    owner, ui, team, s3_storage, s3_prefix, django_capture_on_commit_callbacks
):
    from apps.reviews.selectors import flow_output_path, storage_for_output_path

    flow = make_flow(
        owner, ui, team, s3_storage, django_capture_on_commit_callbacks, output_prefix="a2i/out"
    )

    path = flow_output_path(flow)
    assert path == f"s3://{MOTO_BUCKET}/{s3_prefix}a2i/out"
    assert storage_for_output_path(organization=owner.organization, uri=path) == (
        s3_storage,
        "a2i/out",
    )
    with pytest.raises(NotFound):
        storage_for_output_path(organization=owner.organization, uri="s3://other-bucket/x")


def test_a_built_in_flow_output_carries_the_activation_results(
    owner, ui, team, workers, local_storage, django_capture_on_commit_callbacks
):
    conditions = json.dumps(
        {
            "Conditions": [
                {
                    "ConditionType": "ModerationLabelConfidenceCheck",
                    "ConditionParameters": {"ModerationLabelName": "*", "ConfidenceLessThan": 90},
                }
            ]
        }
    )
    flow = make_flow(
        owner,
        ui,
        team,
        local_storage,
        django_capture_on_commit_callbacks,
        activation_conditions=conditions,
        request_source="AWS/Rekognition/DetectModerationLabels/Image/V3",
    )
    content = {"aiServiceResponse": {"ModerationLabels": [{"Name": "Gore", "Confidence": 70.0}]}}
    loop = services.human_loop_start(
        organization=owner.organization,
        actor=owner.user,
        flow=flow,
        name="rekognition-1",
        input_content=json.dumps(content),
    ).loop

    output = services.human_loop_output(loop)

    assert output["awsManagedHumanLoopRequestSource"] == (
        "AWS/Rekognition/DetectModerationLabels/Image/V3"
    )
    [result] = output["inputContent"]["humanTaskActivationConditionResults"]["Conditions"]
    assert result["EvaluationResult"] is True
