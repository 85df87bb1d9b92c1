"""Background jobs of the workforces app: thin, safe to run twice."""

from celery import shared_task
from django.conf import settings

from apps.core.jobs import OrganizationJob

# The services import this module (to enqueue); the jobs import the services lazily.


@shared_task(
    name="workforces.work_digests_send", autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def work_digests_send(*, user_ids: list[int]) -> int:
    """Email each worker their pending new-work notices (at most one email an hour each).

    Spans organizations (one digest gathers every organization's notices for a worker), so
    it is not an OrganizationJob; it reads through the app's global managers only.
    """
    from apps.workforces.services import work_digest_send

    return sum(work_digest_send(user_id=user_id) for user_id in user_ids)


@shared_task(name="workforces.work_digests_send_due")
def work_digests_send_due() -> int:
    """Periodic: send the digests that waited for their hour (see CELERY_BEAT_SCHEDULE)."""
    from apps.workforces.services import work_digest_send, work_digests_due_user_ids

    return sum(work_digest_send(user_id=user_id) for user_id in work_digests_due_user_ids())


@shared_task(
    base=OrganizationJob,
    bind=True,
    name="workforces.webhook_deliver",
    max_retries=10,  # the service stops first, at WEBHOOK_MAX_ATTEMPTS
)
def webhook_deliver(self, *, organization_id: int, delivery_id: int) -> str:
    """POST one signed webhook; a failed attempt is retried with exponential backoff
    (WEBHOOK_RETRY_BASE_SECONDS, default 30: 30 s, 60 s, 120 s, ...).

    Without a broker (eager mode: tests, the zero-setup default) a retry cannot be
    scheduled, and raising Retry would surface in the request that queued the job; the
    attempts then run back to back, bounded all the same by the service.
    """
    from apps.workforces.services import webhook_delivery_attempt

    outcome = webhook_delivery_attempt(delivery_id=delivery_id)
    if self.request.is_eager:
        while outcome == "retry":
            outcome = webhook_delivery_attempt(delivery_id=delivery_id)
        return outcome
    if outcome == "retry":
        base = getattr(settings, "WEBHOOK_RETRY_BASE_SECONDS", 30)
        raise self.retry(countdown=base * 2**self.request.retries)
    return outcome
