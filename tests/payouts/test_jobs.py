from decimal import Decimal

import pytest
from django.conf import settings

from apps.payouts import jobs, services
from apps.payouts.models import Payout
from tests.payouts.helpers import balance, public_project, submitted
from tests.workforces.helpers import public_worker

pytestmark = pytest.mark.django_db


def test_the_daily_payout_batch_job_pays_once_however_often_it_runs(owner):
    project = public_project(owner, items=1, price="3.00")
    worker = public_worker()
    services.assignment_earning_post(assignment=submitted(project, worker), idempotency_key="a")

    first = jobs.payout_batch_run.apply(kwargs={}).get()
    second = jobs.payout_batch_run.apply(kwargs={}).get()

    assert (first, second) == (1, 0)
    assert Payout.objects.get().amount == Decimal("3.00")
    assert balance(services.account_worker(user_id=worker.pk)) == Decimal(0)


def test_the_payout_batch_is_scheduled():
    assert settings.CELERY_BEAT_SCHEDULE["payouts.payout_batch_run"]["task"] == (
        "payouts.payout_batch_run"
    )
