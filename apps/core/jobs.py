"""Background jobs: the one way to enqueue, and the base for tenant jobs."""

from functools import partial

import celery
from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from apps.core.models import Heartbeat


def enqueue_on_commit(
    job: celery.Task, *, countdown: float | None = None, **kwargs: object
) -> None:
    """Queue `job` once the current transaction commits; never if it rolls back.

    A bare `.delay()` inside a transaction can run before its rows exist.
    Arguments are ids and JSON primitives only. `countdown`: run no sooner than this many
    seconds after the commit (debounced jobs).
    """
    transaction.on_commit(partial(job.apply_async, kwargs=kwargs, countdown=countdown))


class OrganizationJob(celery.Task):
    """Runs the job body inside its organization's scope (`organization_id` kwarg)."""

    def __call__(self, *args, **kwargs):
        with scope(organization=kwargs["organization_id"]):
            return super().__call__(*args, **kwargs)


@shared_task(name="core.heartbeat")
def heartbeat() -> None:
    """Proves the scheduler and a worker are alive; `/healthz` reports its age."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"beat_at": timezone.now()})
