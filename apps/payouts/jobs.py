"""Payout jobs: thin, and safe to run twice (keys under unique constraints)."""

from celery import shared_task
from django.utils import timezone

from apps.payouts import services


@shared_task(name="payouts.payout_batch_run")
def payout_batch_run(*, run_key: str | None = None) -> int:
    """The scheduled payout batch: one run per day (the date is the key)."""
    return services.payout_batch_run(run_key=run_key or timezone.now().date().isoformat())
