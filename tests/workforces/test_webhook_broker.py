"""Webhook retries through a real Celery worker and broker (Redis in CI): the scheduled
`self.retry` path that eager mode cannot exercise."""

import http.server
import threading
import time

import pytest

from apps.workforces import services
from apps.workforces.models import WebhookDelivery
from tests.celery_broker import needs_broker
from tests.factories import MembershipFactory
from tests.workforces.helpers import private_team

pytestmark = needs_broker


class FlakyReceiver(http.server.BaseHTTPRequestHandler):
    statuses: list[int] = []
    hits = 0

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).hits += 1
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_failing_webhook_until_it_succeeds(settings, real_worker):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    FlakyReceiver.statuses, FlakyReceiver.hits = [500, 502], 0
    server = http.server.HTTPServer(("127.0.0.1", 0), FlakyReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        owner = MembershipFactory()
        team = private_team(
            owner,
            webhook_url=f"http://127.0.0.1:{server.server_port}/hook",
            webhook_secret="0123456789abcdef",
        )
        services.workteam_notify_new_work(workteam=team, project_name="P", count=1)

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            delivery = WebhookDelivery.objects.get()
            if delivery.status != "pending":
                break
            time.sleep(0.1)
    finally:
        server.shutdown()
        server.server_close()

    assert (delivery.status, delivery.attempts, FlakyReceiver.hits) == ("delivered", 3, 3)
