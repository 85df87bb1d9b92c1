import logging

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.core.models import Heartbeat

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """200 when the database (and the broker, if one is configured) answers; else 503."""
    checks = {"database": _check_database()}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker()
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    if healthy:
        # Informational: a stale beat means no worker or scheduler is running.
        beat = Heartbeat.objects.filter(name="beat").first()
        body["last_beat_seconds_ago"] = (
            round((timezone.now() - beat.beat_at).total_seconds()) if beat else None
        )
    return JsonResponse(body, status=200 if healthy else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Health check: database unreachable")
        return "unreachable"
    return "ok"


def _check_broker() -> str:
    try:
        with current_app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:  # noqa: BLE001 - any transport failure means "unreachable"
        logger.exception("Health check: broker unreachable")
        return "unreachable"
    return "ok"


def not_found(request, exception=None):
    """JSON in the common error format under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "not_found", "message": "Not found.", "details": {}}, status=404
        )
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "server_error", "message": "Internal server error.", "details": {}}, status=500
        )
    return defaults.server_error(request)
