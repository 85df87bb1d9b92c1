"""Loop status events for a flow's webhook: recorded in the transaction that changed the
status (one per loop and status), delivered after commit, signed, retried, at least once.
Signed like every webhook we send (apps.core.webhooks)."""

from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.jobs import enqueue_on_commit
from apps.core.webhooks import webhook_attempt
from apps.reviews import jobs
from apps.reviews.arns import flow_definition_arn, human_loop_arn, region
from apps.reviews.models import HumanLoop, HumanLoopEvent

EVENT_MAX_ATTEMPTS = 5
EVENT_ID_HEADER = "X-Groundwork-Event-Id"
NOTIFIED_STATUSES = (HumanLoop.Status.COMPLETED, HumanLoop.Status.FAILED, HumanLoop.Status.STOPPED)


def iso(moment: datetime | None) -> str | None:
    """A2I's timestamps: ISO-8601 UTC with milliseconds, e.g. 2024-05-01T12:00:00.123Z."""
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _payload(loop: HumanLoop, event: HumanLoopEvent) -> dict:
    """EventBridge's "SageMaker A2I HumanLoop Status Change" (DG: a2i-cloudwatch-events)."""
    detail = {
        "creationTime": iso(loop.created_at),
        "failureCode": loop.failure_code or None,
        "failureReason": loop.failure_reason or None,
        "flowDefinitionArn": flow_definition_arn(loop.flow_definition),
        "humanLoopArn": human_loop_arn(loop),
        "humanLoopName": loop.name,
        "humanLoopOutput": {"outputS3Uri": loop.output_uri} if loop.output_uri else None,
        "humanLoopStatus": loop.status,
    }
    return {
        "version": "0",
        "id": str(event.event_id),
        "detail-type": "SageMaker A2I HumanLoop Status Change",
        "source": "aws.sagemaker",
        "account": loop.organization.account_id,
        "time": iso(timezone.now()),
        "region": region(),
        "resources": [human_loop_arn(loop)],
        "detail": detail,
    }


def human_loop_event_record(*, loop: HumanLoop) -> HumanLoopEvent | None:
    """Record the loop's current (terminal) status once; call inside the transaction that
    set it. Delivery is queued on commit when the flow has a webhook."""
    if loop.status not in NOTIFIED_STATUSES:
        return None
    flow = loop.flow_definition
    event = HumanLoopEvent(
        organization_id=loop.organization_id,
        human_loop=loop,
        loop_status=loop.status,
        payload={},
        status=HumanLoopEvent.Status.PENDING if flow.webhook_url else HumanLoopEvent.Status.SKIPPED,
    )
    event.payload = _payload(loop, event)
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        return None  # recorded by an earlier run
    if flow.webhook_url:
        enqueue_on_commit(
            jobs.human_loop_event_deliver, organization_id=loop.organization_id, event_id=event.pk
        )
    return event


def human_loop_event_attempt(*, event_id: int) -> str:
    """One delivery attempt: "delivered", "retry" or "failed" (terminal). The receiver gets
    the same event id on every attempt, so it can de-duplicate."""
    event = (
        HumanLoopEvent.objects.filter(
            pk=event_id, status=HumanLoopEvent.Status.PENDING, attempts__lt=EVENT_MAX_ATTEMPTS
        )
        .select_related("human_loop__flow_definition")
        .first()
    )
    if event is None:
        return "failed"
    flow = event.human_loop.flow_definition
    return webhook_attempt(
        event,
        url=flow.webhook_url,
        secret_encrypted=flow.webhook_secret_encrypted,
        headers={EVENT_ID_HEADER: str(event.event_id)},
        max_attempts=EVENT_MAX_ATTEMPTS,
    )
