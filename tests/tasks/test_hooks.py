"""Custom tasks' pre/post-annotation hooks: Ground Truth's Lambda payloads over signed
HTTPS-style webhooks (a loopback server here) or registered Python callables; every
failure marks the task failed with its reason."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.crypto import decrypt
from apps.core.errors import DomainError
from apps.core.outbound import OutboundUrlRefused
from apps.datasets import services as dataset_services
from apps.projects.models import Project
from apps.tasks import hooks
from apps.tasks.models import Assignment, Task
from apps.tasks.taskui import assignment_frame_url
from tests.datasets.conftest import MOTO_BUCKET
from tests.tasks import hook_functions
from tests.work import answer, import_lines, text_project

pytestmark = pytest.mark.django_db

TEMPLATE = "<crowd-form><p>{{ task.input.taskObject }}</p></crowd-form>"
HOOKS = "tests.tasks.hook_functions."


class HookServer:
    """A loopback HTTP server answering from a script of (status, body, delay) replies
    (the last one repeats) and recording every request."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.requests.append({"headers": dict(self.headers), "body": body})
                status, reply, delay = server.replies[
                    min(len(server.requests), len(server.replies)) - 1
                ]
                time.sleep(delay)
                payload = reply if isinstance(reply, bytes) else json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def json(self, index=0):
        return json.loads(self.requests[index]["body"])


@pytest.fixture
def hook_server(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    servers = []

    def start(*replies):
        server = HookServer(replies)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    monkeypatch.setattr(hooks, "HOOK_RETRY_DELAYS", (0.01, 0.01))


def custom_project(owner, *, items=1, workers=1, answers=1, **hook_fields):
    return text_project(
        owner,
        items=items,
        workers=workers,
        task_type="custom",
        ui_template=TEMPLATE,
        answers_per_item=answers,
        **hook_fields,
    )


def submit_all(project, people):
    """Every worker answers every task through the API (jobs run inline)."""
    for number, worker in enumerate(people):
        client = APIClient()
        client.force_login(worker)
        while True:
            response = client.post(reverse("work-next"), {}, format="json")
            if response.status_code == 204:
                break
            label = "positive" if number < 2 else "negative"
            with TestCase.captureOnCommitCallbacks(execute=True):
                client.post(
                    reverse("work-submit", args=[response.json()["id"]]),
                    {"answer": answer(label)},
                    format="json",
                )


# Pre-annotation


def test_pre_hook_gets_the_data_object_signed_and_its_task_input_is_the_template_input(
    owner, hook_server, client
):
    server = hook_server((200, {"taskInput": {"taskObject": "From the hook"}}, 0))
    project, (worker,) = custom_project(owner, pre_annotation_hook=server.url)

    task = Task.objects.get(project=project)
    assert (task.status, task.task_input) == (Task.Status.OPEN, {"taskObject": "From the hook"})
    assert server.json() == {
        "version": "2018-10-16",
        "labelingJobArn": f"arn:aws:sagemaker:local:{owner.organization_id:012d}"
        ":labeling-job/sentiment",
        "dataObject": {"source": "text number 0"},
    }
    signature = server.requests[0]["headers"]["X-Groundwork-Signature"]
    timestamp = signature.split(",")[0][2:]
    expected = hmac.new(
        decrypt(project.hook_secret_encrypted).encode(),
        f"{timestamp}.".encode() + server.requests[0]["body"],
        hashlib.sha256,
    ).hexdigest()
    assert signature == f"t={timestamp},v1={expected}"

    client.force_login(worker)
    assignment = client.post(reverse("work-next"), {}, content_type="application/json").json()
    frame = client.get(assignment_frame_url(Assignment.objects.get(pk=assignment["id"])))
    assert "<p>From the hook</p>" in frame.content.decode()


@pytest.mark.parametrize(
    ("replies", "reason"),
    [
        (
            [(200, {"input": {}}, 0)],
            'The pre-annotation hook must answer {"taskInput": {...}}; it answered {"input": {}}.',
        ),
        ([(200, b"<html>", 0)], "The pre-annotation hook did not answer with JSON."),
        ([(404, {}, 0)], "The pre-annotation hook answered HTTP 404."),
        (
            [(503, {}, 0)],
            "The pre-annotation hook answered HTTP 503 (3 attempts).",
        ),
        (
            [(200, {"taskInput": {}, "isHumanAnnotationRequired": "maybe"}, 0)],
            "The pre-annotation hook's isHumanAnnotationRequired must be true or false.",
        ),
    ],
)
def test_a_bad_pre_hook_answer_fails_the_task_with_the_reason(owner, hook_server, replies, reason):
    server = hook_server(*replies)
    project, _ = custom_project(owner, pre_annotation_hook=server.url)

    task = Task.objects.get(project=project)
    assert (task.status, task.failure_reason, task.task_input) == (Task.Status.FAILED, reason, None)


def test_a_pre_hook_that_times_out_is_retried_then_fails(owner, hook_server, monkeypatch):
    monkeypatch.setattr(hooks, "HOOK_TIMEOUT_SECONDS", 0.2)
    server = hook_server((200, {"taskInput": {}}, 1.0))
    project, _ = custom_project(owner, pre_annotation_hook=server.url)

    task = Task.objects.get(project=project)
    assert task.status == Task.Status.FAILED
    assert (
        task.failure_reason == "The pre-annotation hook did not answer within 0.2 s (3 attempts)."
    )
    assert len(server.requests) == 3


def test_a_pre_hook_that_recovers_on_retry_opens_the_task(owner, hook_server):
    server = hook_server((500, {}, 0), (200, {"taskInput": {"taskObject": "ok"}}, 0))
    project, _ = custom_project(owner, pre_annotation_hook=server.url)

    assert Task.objects.get(project=project).status == Task.Status.OPEN
    assert len(server.requests) == 2


def test_failed_items_are_listed_with_their_reason_on_the_project_page(owner, hook_server, client):
    server = hook_server((200, [], 0))
    project, _ = custom_project(owner, items=2, pre_annotation_hook=server.url)
    client.force_login(owner.user)

    page = client.get(
        reverse("project_page", args=[owner.organization.slug, project.id])
    ).content.decode()

    assert page.count("The pre-annotation hook must answer {&quot;taskInput&quot;") == 2
    assert "<dt>Failed</dt><dd>2</dd>" in page
    secret = decrypt(project.hook_secret_encrypted)
    assert f'<code data-testid="hook-secret">{secret}</code>' in page  # to verify signatures
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED  # nothing is left to label


def test_python_pre_hooks_transform_skip_or_fail(owner, settings):
    settings.ANNOTATION_HOOK_CALLABLES = [
        HOOKS + name for name in ("pre_uppercase", "pre_skip_all", "pre_broken")
    ]
    upper, _ = custom_project(owner, pre_annotation_hook=HOOKS + "pre_uppercase", name="upper")
    skip, _ = custom_project(
        owner,
        pre_annotation_hook=HOOKS + "pre_skip_all",
        name="skip",
        dataset_name="b",
        team_name="b",
    )
    broken, _ = custom_project(
        owner,
        pre_annotation_hook=HOOKS + "pre_broken",
        name="broken",
        dataset_name="c",
        team_name="c",
    )

    assert Task.objects.get(project=upper).task_input == {"taskObject": "TEXT NUMBER 0"}
    assert Task.objects.get(project=skip).status == Task.Status.SKIPPED
    failed = Task.objects.get(project=broken)
    assert (failed.status, failed.failure_reason) == (
        Task.Status.FAILED,
        "The pre-annotation hook raised KeyError: 'taskObject'",
    )


def test_hooks_are_refused_unless_registered_reachable_and_custom(owner, settings):
    with pytest.raises(DomainError) as refused:
        custom_project(owner, pre_annotation_hook="os.system")
    assert refused.value.details == {
        "pre_annotation_hook": ["Use an https URL, or a Python hook the operator registered."]
    }
    with pytest.raises(OutboundUrlRefused) as internal:
        custom_project(
            owner,
            post_annotation_hook="http://169.254.169.254/latest",
            name="x",
            dataset_name="x",
            team_name="x",
        )
    assert internal.value.details == {
        "post_annotation_hook": ["The URL points at an internal or reserved network address."]
    }
    settings.ANNOTATION_HOOK_CALLABLES = [HOOKS + "pre_uppercase"]
    with pytest.raises(DomainError) as not_custom:
        text_project(
            owner,
            pre_annotation_hook=HOOKS + "pre_uppercase",
            name="y",
            dataset_name="y",
            team_name="y",
        )
    assert not_custom.value.details == {
        "pre_annotation_hook": ["Only custom tasks have annotation hooks."]
    }
    assert not Project.objects.exists()


# Post-annotation


def test_post_hook_gets_every_answer_and_its_content_becomes_the_label(owner, hook_server):
    server = hook_server(
        (
            200,
            [
                {
                    "datasetObjectId": "1",
                    "consolidatedAnnotation": {"content": {"sentiment": {"label": "positive"}}},
                }
            ],
            0,
        )
    )
    project, people = custom_project(owner, workers=3, answers=3, post_annotation_hook=server.url)
    submit_all(project, people)

    request = server.json()
    content = request["payload"]["content"]
    assert {key: request[key] for key in ("version", "labelCategories", "labelAttributeName")} == {
        "version": "2018-10-16",
        "labelCategories": ["positive", "negative"],
        "labelAttributeName": "sentiment",
    }
    assert [entry["datasetObjectId"] for entry in content] == ["1"]
    assert content[0]["dataObject"] == {"content": "text number 0"}
    assert sorted(
        json.loads(a["annotationData"]["content"])["crowd-classifier"]["label"]
        for a in content[0]["annotations"]
    ) == ["negative", "positive", "positive"]
    assert all(a["workerId"].startswith("W") for a in content[0]["annotations"])
    task = Task.objects.get(project=project)
    assert (task.status, task.consolidated_label) == (Task.Status.ANSWERED, {"label": "positive"})


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ({"datasetObjectId": "1"}, "The post-annotation hook must answer a JSON array."),
        ([], "The post-annotation hook's answer has no datasetObjectId '1'."),
        (
            [{"datasetObjectId": "1", "consolidatedAnnotation": {"content": {"other": 1}}}],
            "The post-annotation hook must answer consolidatedAnnotation.content keyed by the "
            "label attribute name 'sentiment'.",
        ),
    ],
)
def test_a_bad_post_hook_answer_fails_the_task_and_stores_no_label(
    owner, hook_server, reply, reason
):
    server = hook_server((200, reply, 0))
    project, people = custom_project(owner, post_annotation_hook=server.url)
    submit_all(project, people)

    task = Task.objects.get(project=project)
    assert (task.status, task.failure_reason, task.consolidated_label) == (
        Task.Status.FAILED,
        reason,
        None,
    )
    assert Assignment.objects.get(task=task).answer == answer("positive")  # kept


def test_a_python_post_hook_ports_the_majority_vote(owner, settings):
    settings.ANNOTATION_HOOK_CALLABLES = [HOOKS + "post_majority"]
    project, people = custom_project(
        owner, workers=3, answers=3, post_annotation_hook=HOOKS + "post_majority"
    )
    submit_all(project, people)

    task = Task.objects.get(project=project)
    assert task.consolidated_label == {"label": "positive", "votes": 2}


def stored_texts(owner, storage, name="stored"):
    """A dataset of one text whose storage is `storage`: where its annotation files go."""
    dataset = dataset_services.dataset_create(
        organization=owner.organization, actor=owner.user, name=name, storage=storage
    )
    return import_lines(owner, dataset, [{"source": "text number 0"}])


BATCH_KEY = "sentiment/annotations/consolidated-annotation/consolidation-request/1.json"


def test_a_ported_lambda_reads_the_batch_from_s3_and_its_labels_are_applied(
    owner, settings, monkeypatch, moto_server, s3_storage, s3_prefix
):
    settings.ANNOTATION_HOOK_CALLABLES = [HOOKS + "post_majority_from_s3"]
    for name, value in {
        "AWS_ENDPOINT_URL_S3": moto_server.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(hook_functions, "received_uris", [])
    project, people = custom_project(
        owner,
        workers=3,
        answers=3,
        dataset=stored_texts(owner, s3_storage),
        post_annotation_hook=HOOKS + "post_majority_from_s3",
    )
    submit_all(project, people)

    assert hook_functions.received_uris == [f"s3://{MOTO_BUCKET}/{s3_prefix}{BATCH_KEY}"]
    stored = moto_server.client().get_object(Bucket=MOTO_BUCKET, Key=s3_prefix + BATCH_KEY)
    (data_object,) = json.loads(stored["Body"].read())
    assert (data_object["datasetObjectId"], data_object["dataObject"]) == (
        "1",
        {"content": "text number 0"},
    )
    assert len(data_object["annotations"]) == 3
    task = Task.objects.get(project=project)
    assert (task.status, task.consolidated_label) == (
        Task.Status.ANSWERED,
        {"label": "positive", "votes": 2},
    )


@pytest.fixture
def local_storage(owner, settings):
    (settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "out").mkdir(parents=True)
    return dataset_services.storage_create(
        organization=owner.organization, actor=owner.user, name="Output", kind="local", path="out"
    )


def test_a_local_storage_batch_is_sent_as_a_signed_https_url(
    owner, hook_server, local_storage, settings, client
):
    settings.BASE_URL = "https://labels.example.org"
    reply = [
        {"datasetObjectId": "1", "consolidatedAnnotation": {"content": {"sentiment": "positive"}}}
    ]
    server = hook_server((200, reply, 0))
    project, people = custom_project(
        owner, dataset=stored_texts(owner, local_storage), post_annotation_hook=server.url
    )
    submit_all(project, people)

    uri = server.json()["payload"]["s3Uri"]
    assert uri.startswith("https://labels.example.org/objects/")
    fetched = client.get(uri.removeprefix(settings.BASE_URL))  # anyone holding the URL
    assert fetched["Content-Type"] == "application/json"
    (data_object,) = json.loads(b"".join(fetched.streaming_content or [fetched.content]))
    assert json.loads(data_object["annotations"][0]["annotationData"]["content"]) == answer()
    assert Task.objects.get(project=project).consolidated_label == "positive"


def test_a_batch_the_storage_cannot_take_fails_the_task_without_calling_the_hook(
    owner, hook_server, local_storage, settings
):
    server = hook_server((200, [], 0))
    project, people = custom_project(
        owner, dataset=stored_texts(owner, local_storage), post_annotation_hook=server.url
    )
    folder = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "out"
    (folder / "sentiment").write_text("a file where the project's folder would go")
    submit_all(project, people)

    task = Task.objects.get(project=project)
    assert (task.status, task.failure_reason) == (
        Task.Status.FAILED,
        "The post-annotation hook's batch could not be written to the storage 'Output': "
        "The file cannot be written.",
    )
    assert server.requests == []


def test_a_python_hook_that_hangs_fails_the_task_after_the_timeout(owner, settings, monkeypatch):
    settings.ANNOTATION_HOOK_CALLABLES = [HOOKS + "post_hangs"]
    monkeypatch.setattr(hooks, "HOOK_TIMEOUT_SECONDS", 0.2)
    project, people = custom_project(owner, post_annotation_hook=HOOKS + "post_hangs")
    hook_functions.release.clear()
    started = time.monotonic()
    try:
        submit_all(project, people)
    finally:
        hook_functions.release.set()  # let the abandoned thread end

    assert time.monotonic() - started < 5  # did not wait for the hook
    task = Task.objects.get(project=project)
    assert (task.status, task.failure_reason, task.consolidated_label) == (
        Task.Status.FAILED,
        "The post-annotation hook timed out after 0.2 s.",
        None,
    )
