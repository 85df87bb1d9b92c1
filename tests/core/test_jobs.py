import pytest
from django.db import transaction

from apps.core.jobs import enqueue_on_commit, heartbeat
from apps.core.models import Heartbeat


@pytest.mark.django_db(transaction=True)
def test_job_enqueued_in_a_rolled_back_transaction_never_runs():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(heartbeat)
        raise RuntimeError("roll back")

    assert not Heartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_job_enqueued_in_a_committed_transaction_runs_after_commit():
    with transaction.atomic():
        enqueue_on_commit(heartbeat)
        assert not Heartbeat.objects.exists()  # not before the commit

    assert Heartbeat.objects.filter(name="beat").count() == 1


@pytest.mark.django_db
def test_heartbeat_twice_keeps_one_row():
    heartbeat.apply()
    first = Heartbeat.objects.get().beat_at
    heartbeat.apply()

    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get().beat_at >= first


def test_beat_schedule_names_registered_jobs():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
