"""The sandboxed task frame: what it shows, under which Content-Security-Policy.

A frame URL is `/task-frame/<token>/`, the token a signed `{"kind": ..., ...}` payload.
Each kind registers how to turn its payload into rendered task HTML: `preview` (below,
from the cache) now; the tasks app adds `assignment`. The token is the only authority:
the route reads no cookie and sets none, so a frame works the same for any viewer
holding the URL, and the URL is only ever handed to whoever may see the task.

Why the policy is safe although it allows inline scripts: Ground Truth templates carry
their own `<script>`s and `on…=` handlers, so `script-src` must allow them
('unsafe-inline'). What they can reach is what matters: the document is sandboxed
without allow-same-origin, so it runs in an opaque origin (no cookies, no storage, and
our origin treats it as cross-site); `connect-src 'none'` blocks fetch/XHR/WebSocket/
beacons; `form-action 'none'` blocks form posts; there is no top navigation. Its only
channel out is postMessage to the framing page, which accepts just
`{type: "submit"|"resize"}` from this frame's window.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape

from apps.core.errors import NotFound

SALT = "taskui.frame"


@dataclass(frozen=True)
class FrameKind:
    # (token payload, the viewer's client address) -> rendered task HTML; NotFound if gone.
    # The address lets a kind hold the frame to IP rules (a private workforce's ranges).
    resolve: Callable[[dict, str | None], str]
    max_age: int  # seconds a token of this kind stays valid


FRAME_KINDS: dict[str, FrameKind] = {}

# Paths of our own routes that serve signed object URLs (the datasets app registers its
# route here), allowed as image/media sources inside the frame next to https: and data:.
MEDIA_PATH_PREFIXES: list[str] = []


def register_frame_kind(
    kind: str, *, resolve: Callable[[dict, str | None], str], max_age: int
) -> None:
    FRAME_KINDS[kind] = FrameKind(resolve=resolve, max_age=max_age)


def register_media_path(prefix: str) -> None:
    if prefix not in MEDIA_PATH_PREFIXES:
        MEDIA_PATH_PREFIXES.append(prefix)


def frame_token(kind: str, **payload: object) -> str:
    if kind not in FRAME_KINDS:
        raise ValueError(f"Unknown task frame kind {kind!r}.")
    return signing.dumps({"kind": kind, **payload}, salt=SALT)


def frame_url(kind: str, **payload: object) -> str:
    return reverse("task-frame", kwargs={"token": frame_token(kind, **payload)})


def frame_resolve(token: str, *, address: str | None) -> str:
    """The rendered task HTML a token names, for a viewer at `address`; NotFound for a bad,
    expired or stale token (a kind may refuse the address: WorkerAddressRefused)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=None)
    except signing.BadSignature:
        raise NotFound() from None
    kind = FRAME_KINDS.get(payload.get("kind")) if isinstance(payload, dict) else None
    if kind is None:
        raise NotFound()
    try:  # now with the kind's own lifetime
        signing.loads(token, salt=SALT, max_age=kind.max_age)
    except signing.SignatureExpired:
        raise NotFound() from None
    return kind.resolve(payload, address)


# Ground Truth templates load AWS's element library; ours is always loaded instead, so
# drop those tags rather than have the browser report a CSP violation for each.
_AWS_LIBRARY = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']https://assets\.crowd\.aws/[^"']*["'][^>]*>\s*</script\s*>"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']https://assets\.crowd\.aws/[^"']*["'][^>]*>""",
    re.IGNORECASE,
)


def frame_document(rendered: str) -> str:
    """The whole frame page: our element library and bridge, then the task's HTML."""
    body = _AWS_LIBRARY.sub("", rendered)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        "<title>Task</title>"
        f'<link rel="stylesheet" href="{escape(static("crowd/crowd.css"))}">'
        f'<script type="module" src="{escape(static("crowd/bridge.js"))}"></script>'
        f'<script type="module" src="{escape(static("crowd/index.js"))}"></script>'
        "</head><body>\n"
        f"{body}\n"
        "</body></html>\n"
    )


def content_security_policy(request: HttpRequest) -> str:
    """The frame's policy. Source lists use absolute URLs: inside the sandbox the
    document's origin is opaque, so our own files must be named by origin and path."""
    site = request.build_absolute_uri("/")
    crowd = urljoin(site, urljoin(settings.STATIC_URL, "crowd/"))
    media = " ".join(urljoin(site, prefix) for prefix in MEDIA_PATH_PREFIXES)
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {crowd} 'unsafe-inline'",
            f"style-src {crowd} 'unsafe-inline'",
            f"img-src https: data: blob: {media}".strip(),
            f"media-src https: data: blob: {media}".strip(),
            "font-src data:",
            "frame-src https:",
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            "frame-ancestors 'self'",
            "sandbox allow-scripts allow-forms",
        ]
    )
