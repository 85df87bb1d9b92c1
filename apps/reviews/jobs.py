"""Background jobs of the reviews app: thin, safe to run twice.

The services import this module (to enqueue); the jobs import the services lazily.
"""

from celery import shared_task
from django.conf import settings
from django_scopes import scope

from apps.core.jobs import OrganizationJob

OUTPUT_MAX_RETRIES = 5


@shared_task(base=OrganizationJob, name="reviews.flow_definition_activate")
def flow_definition_activate(*, organization_id: int, flow_id: int) -> str:
    from apps.reviews.services import flow_definition_activate as activate

    return activate(flow_id=flow_id).status


@shared_task(base=OrganizationJob, bind=True, name="reviews.human_loop_complete", max_retries=10)
def human_loop_complete(self, *, organization_id: int, loop_id: int) -> str:
    """Write the loop's output.json and complete it. A storage failure is retried with
    backoff; after OUTPUT_MAX_RETRIES (at once without a broker) the loop fails with an
    InternalError naming the storage's answer."""
    from apps.datasets.errors import StorageUnavailable
    from apps.reviews.services import human_loop_complete as complete
    from apps.reviews.services import human_loop_fail

    try:
        return complete(loop_id=loop_id).status
    except StorageUnavailable as error:
        if self.request.is_eager or self.request.retries >= OUTPUT_MAX_RETRIES:
            reason = f"The output could not be written: {error.message}"
            return human_loop_fail(loop_id=loop_id, code="InternalError", reason=reason).status
        raise self.retry(countdown=30 * 2**self.request.retries) from None


@shared_task(
    base=OrganizationJob, bind=True, name="reviews.human_loop_event_deliver", max_retries=10
)
def human_loop_event_deliver(self, *, organization_id: int, event_id: int) -> str:
    """POST one signed loop event; retried with backoff (WEBHOOK_RETRY_BASE_SECONDS),
    bounded by the service. In eager mode the attempts run back to back."""
    from apps.reviews.services import human_loop_event_attempt

    outcome = human_loop_event_attempt(event_id=event_id)
    if self.request.is_eager:
        while outcome == "retry":
            outcome = human_loop_event_attempt(event_id=event_id)
        return outcome
    if outcome == "retry":
        base = getattr(settings, "WEBHOOK_RETRY_BASE_SECONDS", 30)
        raise self.retry(countdown=base * 2**self.request.retries)
    return outcome


@shared_task(name="reviews.human_loops_expire")
def human_loops_expire() -> int:
    """Periodic: loops past their flow's availability lifetime fail as Expired."""
    from apps.reviews.models import HumanLoop
    from apps.reviews.services import human_loop_fail, human_loops_expired

    expired = 0
    for loop in _each_organization(human_loops_expired):
        with scope(organization=loop.organization_id):
            human_loop_fail(
                loop_id=loop.pk,
                code=HumanLoop.FailureCode.EXPIRED,
                reason="No worker completed the loop within the flow's availability lifetime.",
            )
        expired += 1
    return expired


def _each_organization(finder):
    """Run `finder` once per organization that has loops in progress, in its scope."""
    from apps.reviews.models import FlowDefinition

    organization_ids = (
        FlowDefinition.global_objects.filter(human_loops__status="InProgress")
        .values_list("organization_id", flat=True)
        .distinct()
        .order_by("organization_id")
    )
    for organization_id in organization_ids:
        with scope(organization=organization_id):
            yield from finder()


@shared_task(name="reviews.assignments_auto_approve")
def assignments_auto_approve() -> int:
    """Periodic: approve answers pending longer than their project's delay."""
    from apps.reviews.services import assignments_auto_approve as approve_due

    return approve_due()
