"""A real Celery worker consuming from the real broker (Redis in CI)."""

import time

import pytest
from django.core import mail
from django.db import transaction

from apps.accounts import services
from apps.accounts.models import Role
from tests.celery_broker import needs_broker, wait_for
from tests.factories import MembershipFactory

pytestmark = needs_broker


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_job_of_a_committed_transaction_only(real_worker):
    owner = MembershipFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        services.invitation_create(
            organization=owner.organization,
            email="rolled-back@example.com",
            role=Role.WORKER,
            actor=owner.user,
            actor_role=Role.OWNER,
        )
        raise RuntimeError("roll back")
    services.invitation_create(
        organization=owner.organization,
        email="committed@example.com",
        role=Role.WORKER,
        actor=owner.user,
        actor_role=Role.OWNER,
    )

    assert wait_for(lambda: len(mail.outbox) >= 1)
    time.sleep(0.5)  # room for a wrongly queued second email to arrive
    assert [message.to for message in mail.outbox] == [["committed@example.com"]]
