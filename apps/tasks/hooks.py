"""Custom tasks' pre- and post-annotation hooks, with Ground Truth's Lambda payloads.

Pre-annotation (aws-compat spec 7.4), once per Task before it is offered:
    request  {"version": "2018-10-16", "labelingJobArn": ..., "dataObject": <the item's line>}
    response {"taskInput": {...}, "isHumanAnnotationRequired": true}
`taskInput` becomes the template's `task.input`; `false` (or the sample Lambda's
`"humanAnnotationRequired": "false"`) skips human work for the item.

Post-annotation (spec 7.5), once per Task when it has all its answers:
    request  {"version", "labelingJobArn", "labelCategories", "labelAttributeName",
              "roleArn": null, "payload": {"s3Uri": <the batch file>}}
    batch    [<one data object: datasetObjectId, dataObject, annotations>]
    response [{"datasetObjectId": "...", "consolidatedAnnotation": {"content": {<attr>: label}}}]
As Ground Truth does, the batch is written as a JSON file where the job's annotation files
go (the dataset's storage, <project>/annotations/consolidated-annotation/
consolidation-request/<line>.json, spec 7.3) and only its URI is sent, so a ported Lambda
that fetches `payload.s3Uri` runs unchanged. In an S3 storage that is the s3:// URI, read
with the Lambda's own credentials as on AWS. A local folder has no s3:// name, so the URI is
our signed, expiring HTTPS /objects/ URL instead: a plain GET reads it, with no credentials
to hand out. A dataset with no storage (texts uploaded inline) has nowhere to write: its
batch goes inline as `payload.content`, the one shape Ground Truth never sends.

A hook is an http(s) URL (POST of the JSON request; headers `X-Groundwork-Signature:
t=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>` keyed by the project's hook secret; the
outbound rule of apps.core.outbound; a timeout; bounded retries on connection errors,
timeouts, 429 and 5xx) or a Python callable the operator listed in
settings.ANNOTATION_HOOK_CALLABLES, called with the request dict under the same timeout.
Any failure (refused URL, non-2xx, not JSON, wrong shape, an exception, no answer in time)
marks the Task failed with the reason; nothing is half-stored, nothing silently dropped.
"""

import json
import logging
import threading
import time

import urllib3
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.core.crypto import decrypt
from apps.core.errors import DomainError
from apps.core.outbound import OutboundUrlRefused, outbound_request, outbound_target
from apps.datasets.models import Storage
from apps.datasets.storages import backend_for
from apps.projects.models import Project
from apps.tasks.models import Assignment, Task
from apps.workforces.selectors import anonymized_worker_id
from apps.workforces.services import webhook_signature

logger = logging.getLogger(__name__)

HOOK_VERSION = "2018-10-16"
HOOK_TIMEOUT_SECONDS = 10.0
HOOK_MAX_ATTEMPTS = 3  # in all, for transient failures
HOOK_RETRY_DELAYS = (0.5, 2.0)  # seconds before the 2nd and 3rd attempt
HOOK_MAX_RESPONSE_BYTES = 2_000_000
# How long a local storage's batch URL stays readable: the webhook's retries, and a
# Lambda-like service that queues the event before fetching it, both fit in an hour.
HOOK_PAYLOAD_URL_SECONDS = 3600
SIGNATURE_HEADER = "X-Groundwork-Signature"
PRE_ANNOTATION_BATCH = 50  # tasks per job run; the job re-enqueues itself while more wait
FAILURE_REASON_CHARS = 1000


class HookFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:FAILURE_REASON_CHARS]


def labeling_job_arn(project: Project) -> str:
    """The ARN a ported Lambda sees: our organization id stands in for the account."""
    return f"arn:aws:sagemaker:local:{project.organization_id:012d}:labeling-job/{project.name}"


def hook_call(*, project: Project, reference: str, request: dict, what: str) -> object:
    """Call the hook `reference` with `request`; returns its parsed JSON answer or raises
    HookFailed naming `what` ("pre-annotation hook") and the problem."""
    if "://" not in reference:
        if reference not in settings.ANNOTATION_HOOK_CALLABLES:
            raise HookFailed(f"The {what} {reference!r} is not a registered Python hook.")
        return _callable_call(reference, request=request, what=what)
    try:
        target = outbound_target(reference, field="hook")
        secret = decrypt(project.hook_secret_encrypted)
    except OutboundUrlRefused as refused:
        raise HookFailed(f"The {what} URL was refused: {refused.message}") from None
    except InvalidToken:
        raise HookFailed(f"The {what}'s signing secret cannot be read.") from None
    body = json.dumps(request, separators=(",", ":")).encode()
    problem = ""
    for attempt in range(HOOK_MAX_ATTEMPTS):
        if attempt:
            time.sleep(HOOK_RETRY_DELAYS[min(attempt - 1, len(HOOK_RETRY_DELAYS) - 1)])
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Groundwork-Hook/1",
            SIGNATURE_HEADER: webhook_signature(
                secret=secret, timestamp=int(time.time()), body=body
            ),
        }
        try:
            response = outbound_request(
                target,
                body=body,
                headers=headers,
                timeout=HOOK_TIMEOUT_SECONDS,
                max_response_bytes=HOOK_MAX_RESPONSE_BYTES,
            )
        except urllib3.exceptions.TimeoutError:
            problem = f"did not answer within {HOOK_TIMEOUT_SECONDS:g} s"
            continue
        except urllib3.exceptions.HTTPError as error:
            problem = f"could not be reached ({type(error).__name__})"
            continue
        if response.status == 429 or response.status >= 500:
            problem = f"answered HTTP {response.status}"
            continue
        if not 200 <= response.status < 300:
            raise HookFailed(f"The {what} answered HTTP {response.status}.")
        try:
            return json.loads(response.body)
        except ValueError:
            raise HookFailed(f"The {what} did not answer with JSON.") from None
    raise HookFailed(f"The {what} {problem} ({HOOK_MAX_ATTEMPTS} attempts).")


def _callable_call(reference: str, *, request: dict, what: str) -> object:
    """Call a registered Python hook in a thread, waiting at most HOOK_TIMEOUT_SECONDS as
    for a webhook: a hung callable must not hold the worker. A thread cannot be stopped,
    so one past its deadline runs on (a daemon: it never delays shutdown) and whatever it
    returns later is discarded."""
    outcome: dict = {}

    def run() -> None:
        try:
            function = import_string(reference)
            # Round-trip through JSON, as over HTTP: the callable gets plain data, and an
            # answer that is not JSON fails here as it would there.
            outcome["answer"] = json.loads(json.dumps(function(json.loads(json.dumps(request)))))
        except Exception as error:  # a tenant-chosen hook: any error fails the task
            outcome["error"] = error
        finally:
            connections.close_all()  # this thread's own, should the hook have used the ORM

    thread = threading.Thread(target=run, name=f"hook {reference}", daemon=True)
    thread.start()
    thread.join(HOOK_TIMEOUT_SECONDS)
    if thread.is_alive():
        raise HookFailed(f"The {what} timed out after {HOOK_TIMEOUT_SECONDS:g} s.")
    if "error" in outcome:
        error = outcome["error"]
        raise HookFailed(f"The {what} raised {type(error).__name__}: {error}")
    return outcome["answer"]


def _human_annotation_required(answer: dict) -> bool:
    """`isHumanAnnotationRequired` (default true) or the sample Lambda's
    `humanAnnotationRequired`, as a boolean or a boolean-like string."""
    for key in ("isHumanAnnotationRequired", "humanAnnotationRequired"):
        if key in answer:
            value = answer[key]
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower() == "true"
            raise HookFailed(f"The pre-annotation hook's {key} must be true or false.")
    return True


def task_pre_annotate(*, task: Task) -> str:
    """Run the pre-annotation hook for one preparing Task: it opens (with its taskInput),
    is skipped, or fails with the reason. Returns the new status. Safe to run twice: only a
    task still preparing changes."""
    project = task.project
    request = {
        "version": HOOK_VERSION,
        "labelingJobArn": labeling_job_arn(project),
        "dataObject": task.item.data,
    }
    try:
        answer = hook_call(
            project=project,
            reference=project.pre_annotation_hook,
            request=request,
            what="pre-annotation hook",
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("taskInput"), dict):
            raise HookFailed(
                'The pre-annotation hook must answer {"taskInput": {...}}; '
                f"it answered {json.dumps(answer)[:200]}."
            )
        required = _human_annotation_required(answer)
    except HookFailed as failed:
        return _task_fail(task, failed.reason)
    status = Task.Status.OPEN if required else Task.Status.SKIPPED
    Task.objects.filter(pk=task.pk, status=Task.Status.PREPARING).update(
        status=status, task_input=answer["taskInput"], updated_at=timezone.now()
    )
    return status


def _task_fail(task: Task, reason: str, *, from_status: str = Task.Status.PREPARING) -> str:
    logger.warning("Task %s failed: %s", task.pk, reason)
    Task.objects.filter(pk=task.pk, status=from_status).update(
        status=Task.Status.FAILED, failure_reason=reason, updated_at=timezone.now()
    )
    return Task.Status.FAILED


def project_pre_annotate_batch(*, project: Project, limit: int = PRE_ANNOTATION_BATCH) -> int:
    """Pre-annotate up to `limit` preparing tasks (hooks are called outside any
    transaction); returns how many still wait. Finishes the project if nothing is left."""
    tasks = list(
        Task.objects.filter(project=project, status=Task.Status.PREPARING)
        .select_related("item", "project")
        .order_by("pk")[:limit]
    )
    for task in tasks:
        task_pre_annotate(task=task)
    waiting = Task.objects.filter(project=project, status=Task.Status.PREPARING).count()
    if not waiting:
        from apps.tasks.services import project_settle  # services enqueue this module's job

        with transaction.atomic():
            project_settle(project_id=project.pk)
    return waiting


def post_annotation_batch(*, task: Task) -> list[dict]:
    """The batch file's content: one data object (the Task's) with all its answers."""
    project = task.project
    item = task.item
    answers = (
        Assignment.objects.filter(task=task, status=Assignment.Status.SUBMITTED)
        .select_related("worker")
        .order_by("submitted_at", "pk")
    )
    data_object = (
        {"s3Uri": item.data["source-ref"]}
        if "source-ref" in item.data
        else {"content": item.data.get("source")}
    )
    return [
        {
            "datasetObjectId": str(item.line_number),
            "dataObject": data_object,
            "annotations": [
                {
                    "workerId": anonymized_worker_id(
                        user=answer.worker, organization=project.organization
                    ),
                    "annotationData": {"content": json.dumps(answer.answer)},
                }
                for answer in answers
            ],
        }
    ]


def post_annotation_payload(*, task: Task, batch: list[dict]) -> dict:
    """Write `batch` to the dataset's storage and return `{"s3Uri": ...}` naming it (see
    the module docstring), or `{"content": batch}` when the dataset has no storage.
    Raises HookFailed when the storage refuses the write."""
    storage = task.item.dataset.storage
    if storage is None:
        return {"content": batch}
    key = (
        f"{task.project.name}/annotations/consolidated-annotation/consolidation-request/"
        f"{task.item.line_number}.json"
    )
    try:
        with backend_for(storage) as backend:
            backend.write(key, [json.dumps(batch).encode()])
            if storage.kind == Storage.Kind.S3:
                return {"s3Uri": backend.ref_for(key)}
            return {"s3Uri": backend.read_url(key, expires_in=HOOK_PAYLOAD_URL_SECONDS)}
    except DomainError as error:  # the storage's own message: unreachable, refused, ...
        raise HookFailed(
            f"The post-annotation hook's batch could not be written to the storage "
            f"{storage.name!r}: {error.message}"
        ) from None


def post_annotation_request(*, task: Task) -> dict:
    """Ground Truth's consolidation request for one data object and all its answers."""
    project = task.project
    return {
        "version": HOOK_VERSION,
        "labelingJobArn": labeling_job_arn(project),
        "labelCategories": project.label_names or None,
        "labelAttributeName": project.label_attribute_name,
        "roleArn": None,
        "payload": post_annotation_payload(task=task, batch=post_annotation_batch(task=task)),
    }


def task_post_annotate(*, task: Task) -> str:
    """Run the post-annotation hook for an answered Task; its answer is the Task's
    consolidated label (or the Task fails with the reason). Returns the new status."""
    project = task.project
    object_id = str(task.item.line_number)
    attribute = project.label_attribute_name
    try:
        request = post_annotation_request(task=task)
        answer = hook_call(
            project=project,
            reference=project.post_annotation_hook,
            request=request,
            what="post-annotation hook",
        )
        if not isinstance(answer, list):
            raise HookFailed("The post-annotation hook must answer a JSON array.")
        entry = next(
            (e for e in answer if isinstance(e, dict) and e.get("datasetObjectId") == object_id),
            None,
        )
        if entry is None:
            raise HookFailed(
                f"The post-annotation hook's answer has no datasetObjectId {object_id!r}."
            )
        content = (entry.get("consolidatedAnnotation") or {}).get("content")
        if not isinstance(content, dict) or attribute not in content:
            raise HookFailed(
                "The post-annotation hook must answer consolidatedAnnotation.content keyed by "
                f"the label attribute name {attribute!r}."
            )
    except HookFailed as failed:
        return _task_fail(task, failed.reason, from_status=Task.Status.ANSWERED)
    task_consolidated_label_store(task=task, value=content[attribute])
    return Task.Status.ANSWERED


def task_consolidated_label_store(*, task: Task, value: object) -> None:
    """Store an answered Task's consolidated label (what its output line carries under the
    label attribute), as the post-annotation hook gave it: the hook states no confidence."""
    now = timezone.now()
    Task.objects.filter(pk=task.pk).update(
        consolidated_label=value, confidence=None, consolidated_at=now, updated_at=now
    )
    task.consolidated_label = value
