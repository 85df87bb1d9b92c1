import hashlib
import hmac
import http.server
import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import DomainError
from apps.workforces import jobs, services
from apps.workforces.models import WebhookDelivery, WorkerProfile, WorkNotice
from apps.workforces.services.notifications import WEBHOOK_MAX_ATTEMPTS
from tests.workforces.helpers import private_team, public_team, public_worker, worker_of

pytestmark = pytest.mark.django_db

SECRET = "0123456789abcdef-secret"


class Receiver(http.server.BaseHTTPRequestHandler):
    """Answers with the next status of `statuses` (then 200) and keeps what it got."""

    statuses: list[int] = []
    received: list[tuple[dict, bytes]] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver(settings):
    """A real HTTP server on 127.0.0.1; loopback is allowed as a webhook target in this
    fixture only (the outbound rule refuses it everywhere else)."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    Receiver.statuses, Receiver.received = [], []
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def hooked_team(owner, server, members=()):
    return private_team(
        owner,
        members=members,
        webhook_url=f"http://127.0.0.1:{server.server_port}/hook",
        webhook_secret=SECRET,
    )


def notify(django_capture_on_commit_callbacks, team, project="Street signs", count=25) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return services.workteam_notify_new_work(workteam=team, project_name=project, count=count)


def test_members_get_one_digest_email(owner, mailoutbox, django_capture_on_commit_callbacks):
    workers = [worker_of(owner.organization) for _ in range(2)]
    team = private_team(owner, members=workers)
    worker_of(owner.organization)  # not in the team

    notified = notify(django_capture_on_commit_callbacks, team)

    assert notified == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(w.email for w in workers)
    assert '25 tasks in "Street signs"' in mailoutbox[0].body
    assert "http://testserver/work/" in mailoutbox[0].body
    assert WorkNotice.objects.filter(emailed_at__isnull=True).count() == 0


def test_at_most_one_email_an_hour_then_the_periodic_job_sends_the_rest(
    owner, mailoutbox, django_capture_on_commit_callbacks
):
    worker = worker_of(owner.organization)
    team = private_team(owner, members=[worker])

    notify(django_capture_on_commit_callbacks, team, project="First")
    notify(django_capture_on_commit_callbacks, team, project="Second")
    notify(django_capture_on_commit_callbacks, team, project="Third")
    assert len(mailoutbox) == 1
    assert jobs.work_digests_send_due() == 0  # the hour has not passed

    WorkerProfile.objects.filter(user=worker).update(
        last_work_email_at=timezone.now() - timedelta(hours=1, seconds=1)
    )
    assert jobs.work_digests_send_due() == 1

    assert len(mailoutbox) == 2
    assert '"Second"' in mailoutbox[1].body and '"Third"' in mailoutbox[1].body
    assert '"First"' not in mailoutbox[1].body
    assert jobs.work_digests_send_due() == 0


def test_blocked_and_suspended_workers_are_not_notified(
    owner, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    active, blocked, suspended = (worker_of(owner.organization) for _ in range(3))
    team = private_team(owner, members=[active, blocked, suspended])
    services.worker_block_create(
        organization=owner.organization, user=blocked, reason="x", actor=owner.user
    )
    services.worker_suspend(user=suspended, reason="fraud", actor=admin_user)

    notify(django_capture_on_commit_callbacks, team)

    assert [m.to for m in mailoutbox] == [[active.email]]


def test_public_crowd_with_qualifications_is_notified(
    owner, mailoutbox, django_capture_on_commit_callbacks
):
    qualification = services.qualification_create(
        organization=owner.organization, name="q", actor=owner.user
    )
    team = public_team(owner, qualification_ids=[qualification.pk])
    qualified, unqualified = public_worker(), public_worker()
    services.qualification_grant(qualification=qualification, user=qualified, actor=owner.user)

    notify(django_capture_on_commit_callbacks, team)

    assert [m.to for m in mailoutbox] == [[qualified.email]]
    assert unqualified.email not in {m.to[0] for m in mailoutbox}


@pytest.mark.parametrize(("project", "count"), [("", 3), ("P", 0), ("P", -1)])
def test_bad_notification_input_writes_nothing(owner, project, count):
    team = private_team(owner, members=[worker_of(owner.organization)])

    with pytest.raises(DomainError):
        services.workteam_notify_new_work(workteam=team, project_name=project, count=count)

    assert not WorkNotice.objects.exists()


def test_webhook_is_signed_and_delivered(owner, receiver, django_capture_on_commit_callbacks):
    team = hooked_team(owner, receiver)

    notify(django_capture_on_commit_callbacks, team, project="Street signs", count=7)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    ((headers, body),) = Receiver.received
    payload = json.loads(body)
    assert (payload["type"], payload["project_name"], payload["count"]) == (
        "work.available",
        "Street signs",
        7,
    )
    assert payload["workteam"] == {"id": team.pk, "name": team.name}
    signature = dict(part.split("=", 1) for part in headers["X-Groundwork-Signature"].split(","))
    expected = hmac.new(
        SECRET.encode(), f"{signature['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(signature["v1"], expected)
    assert headers["Content-Type"] == "application/json"


def test_webhook_is_retried_after_failures(owner, receiver, django_capture_on_commit_callbacks):
    Receiver.statuses = [500, 503]
    team = hooked_team(owner, receiver)

    notify(django_capture_on_commit_callbacks, team)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert len(Receiver.received) == 3
    assert len({body for _, body in Receiver.received}) == 1  # the same payload each time


def test_webhook_gives_up_after_the_bounded_attempts(
    owner, receiver, django_capture_on_commit_callbacks
):
    Receiver.statuses = [500] * 20
    team = hooked_team(owner, receiver)

    notify(django_capture_on_commit_callbacks, team)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", WEBHOOK_MAX_ATTEMPTS)
    assert delivery.last_error == "HTTP 500"
    assert len(Receiver.received) == WEBHOOK_MAX_ATTEMPTS


def test_connection_failures_are_retried_and_bounded(
    owner, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    port = server.server_port
    server.server_close()  # nothing listens there now: connection refused
    team = private_team(owner, webhook_url=f"http://127.0.0.1:{port}/hook", webhook_secret=SECRET)

    notify(django_capture_on_commit_callbacks, team)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", WEBHOOK_MAX_ATTEMPTS)
    assert "MaxRetryError" in delivery.last_error or "NewConnectionError" in delivery.last_error


def test_a_target_that_became_internal_is_not_called(
    owner, receiver, settings, django_capture_on_commit_callbacks
):
    team = hooked_team(owner, receiver)
    settings.OUTBOUND_ALLOWED_NETWORKS = []  # the operator closed loopback again

    notify(django_capture_on_commit_callbacks, team)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "internal" in delivery.last_error
    assert Receiver.received == []


def test_delivery_job_twice_posts_once(owner, receiver, django_capture_on_commit_callbacks):
    team = hooked_team(owner, receiver)
    notify(django_capture_on_commit_callbacks, team)
    delivery = WebhookDelivery.objects.get()

    jobs.webhook_deliver.apply(
        kwargs={"organization_id": owner.organization_id, "delivery_id": delivery.pk}
    )

    assert len(Receiver.received) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_suspended_workers_pending_notices_are_not_picked_by_the_periodic_job(
    owner, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    worker = worker_of(owner.organization)
    team = private_team(owner, members=[worker])
    notify(django_capture_on_commit_callbacks, team, project="First")
    notify(django_capture_on_commit_callbacks, team, project="Second")  # waits for the hour
    services.worker_suspend(user=worker, reason="fraud", actor=admin_user)
    WorkerProfile.objects.filter(user=worker).update(
        last_work_email_at=timezone.now() - timedelta(hours=2)
    )

    assert services.work_digests_due_user_ids() == []
    assert jobs.work_digests_send_due() == 0
    assert len(mailoutbox) == 1
