"""Custom tasks' pre- and post-annotation hooks, with Ground Truth's Lambda payloads.

Pre-annotation (aws-compat spec 7.4), once per Task before it is offered:
    request  {"version": "2018-10-16", "labelingJobArn": ..., "dataObject": <the item's line>}
    response {"taskInput": {...}, "isHumanAnnotationRequired": true}
`taskInput` becomes the template's `task.input`; `false` (or the sample Lambda's
`"humanAnnotationRequired": "false"`) skips human work for the item.

Post-annotation (spec 7.5), once per Task when it has all its answers:
    request  {"version", "labelingJobArn", "labelCategories", "labelAttributeName",
              "roleArn": null, "payload": {"content": [<one data object>]}}
    response [{"datasetObjectId": "...", "consolidatedAnnotation": {"content": {<attr>: label}}}]
One difference from Ground Truth: GT writes the batch to S3 and sends only
`payload.s3Uri`; we send the same batch inline as `payload.content` (there may be no S3),
so a ported Lambda reads `event["payload"]["content"]` instead of fetching the S3 object.

A hook is an http(s) URL (POST of the JSON request; headers `X-Groundwork-Signature:
t=<unix>,v1=<hex HMAC-SHA256 of "<t>." + body>` keyed by the project's hook secret; the
outbound rule of apps.core.outbound; a timeout; bounded retries on connection errors,
timeouts, 429 and 5xx) or a Python callable the operator listed in
settings.ANNOTATION_HOOK_CALLABLES, called with the request dict. Any failure (refused URL,
non-2xx, not JSON, wrong shape, an exception) marks the Task failed with the reason;
nothing is half-stored, nothing silently dropped.
"""

import json
import logging
import time

import urllib3
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.core.crypto import decrypt
from apps.core.outbound import OutboundUrlRefused, outbound_request, outbound_target
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
        try:
            function = import_string(reference)
            # Round-trip through JSON, as over HTTP: the callable gets plain data, and an
            # answer that is not JSON fails here as it would there.
            return json.loads(json.dumps(function(json.loads(json.dumps(request)))))
        except Exception as error:  # a tenant-chosen hook: any error fails the task
            raise HookFailed(f"The {what} raised {type(error).__name__}: {error}") from None
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


def post_annotation_request(*, task: Task) -> dict:
    """Ground Truth's consolidation request for one data object and all its answers."""
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
    return {
        "version": HOOK_VERSION,
        "labelingJobArn": labeling_job_arn(project),
        "labelCategories": project.label_names or None,
        "labelAttributeName": project.label_attribute_name,
        "roleArn": None,
        "payload": {
            "content": [
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
        },
    }


def task_post_annotate(*, task: Task) -> str:
    """Run the post-annotation hook for an answered Task; its answer is the Task's
    consolidated label (or the Task fails with the reason). Returns the new status."""
    project = task.project
    request = post_annotation_request(task=task)
    object_id = request["payload"]["content"][0]["datasetObjectId"]
    attribute = project.label_attribute_name
    try:
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
