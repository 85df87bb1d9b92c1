"""Signed webhook POSTs to tenant URLs: one signature scheme for every webhook we send.

Receivers recompute `X-Groundwork-Signature` over the raw body and reject old timestamps.
The URL passes the outbound rule (apps.core.outbound) at send time, since its DNS may have
changed since it was saved.
"""

import hashlib
import hmac
import json
import logging
import time

import urllib3
from django.db import models
from django.utils import timezone

from apps.core.crypto import InvalidToken, decrypt
from apps.core.outbound import OutboundUrlRefused, outbound_request, outbound_target

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Groundwork-Signature"
TIMEOUT_SECONDS = 10.0


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def webhook_post(
    *, url: str, secret_encrypted: str, payload: dict, headers: dict[str, str]
) -> str | None:
    """Sign `payload` and POST it to `url`: None when the receiver answered 2xx, else the
    error to retry on. Raises OutboundUrlRefused (or cryptography's InvalidToken for an
    unreadable secret) when it must not be sent at all: a terminal failure."""
    if not url:
        raise OutboundUrlRefused("There is no webhook URL any more.")
    target = outbound_target(url, field="webhook_url")
    secret = decrypt(secret_encrypted)
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    signed = {
        "Content-Type": "application/json",
        "User-Agent": "Groundwork-Webhook/1",
        **headers,
        SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=int(time.time()), body=body),
    }
    try:
        response = outbound_request(
            target, method="POST", body=body, headers=signed, timeout=TIMEOUT_SECONDS
        )
    except urllib3.exceptions.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return None if 200 <= response.status < 300 else f"HTTP {response.status}"


def webhook_attempt(
    row: models.Model, *, url: str, secret_encrypted: str, headers: dict, max_attempts: int
) -> str:
    """One attempt at a stored delivery `row` (`payload`, `attempts`, `last_error`,
    `delivered_at` and a `status` of "pending", "delivered" or "failed"): returns
    "delivered", "retry" or "failed" (terminal). A refused URL or an unreadable secret
    fails at once; other failures (connection errors, timeouts, non-2xx answers) are
    retried up to `max_attempts` in all."""
    rows = type(row).objects.filter(pk=row.pk)
    attempts = row.attempts + 1
    rows.update(attempts=attempts)
    try:
        error = webhook_post(
            url=url, secret_encrypted=secret_encrypted, payload=row.payload, headers=headers
        )
    except (OutboundUrlRefused, InvalidToken) as refused:
        return _finish(row, "failed", f"Not sent: {refused}")
    if error is None:
        return _finish(row, "delivered", "")
    if attempts >= max_attempts:
        return _finish(row, "failed", error)
    rows.update(last_error=error)
    return "retry"


def _finish(row: models.Model, status: str, error: str) -> str:
    now = timezone.now()
    type(row).objects.filter(pk=row.pk, status="pending").update(
        status=status,
        last_error=error[:500],
        delivered_at=now if status == "delivered" else None,
        updated_at=now,
    )
    if status == "failed":
        logger.warning("%s %s failed: %s", row._meta.verbose_name, row.pk, error)
    return status
