"""A real Celery worker on the real broker (Redis in CI), for tests of what eager mode
cannot show: jobs crossing a process boundary, scheduled retries."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app

needs_broker = [
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
