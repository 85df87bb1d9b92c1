"""Signed webhook POSTs to tenant URLs: one signature scheme for every webhook we send.

Receivers recompute `X-Groundwork-Signature` over the raw body and reject old timestamps.
The URL passes the outbound rule (apps.core.outbound) at send time, since its DNS may have
changed since it was saved.
"""

import hashlib
import hmac
import json
import time

import urllib3

from apps.core.crypto import decrypt
from apps.core.outbound import OutboundUrlRefused, outbound_request, outbound_target

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
