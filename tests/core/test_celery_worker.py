"""A real Celery worker consuming from the real broker (Redis in CI)."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import transaction

from apps.accounts import services
from apps.accounts.models import Role
from config.celery import app
from tests.factories import MembershipFactory

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith(("redis://", "amqp://")),
        reason="needs CELERY_BROKER_URL pointing at Redis or RabbitMQ (CI sets Redis)",
    ),
]


@pytest.fixture
def real_worker():
    """An in-process worker on a queue of its own, with eager mode off while it runs."""
    queue = f"test-{uuid.uuid4().hex}"
    previous = app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous


def wait_for(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


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
