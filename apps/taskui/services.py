"""Writes of the taskui app: rendered previews kept in the cache for the task frame."""

import uuid
from dataclasses import dataclass

from django.core.cache import cache

from apps.core.errors import NotFound
from apps.taskui.frames import frame_url, register_frame_kind
from apps.taskui.templating import render_task_template

PREVIEW_TTL_SECONDS = 3600
_PREVIEW_PREFIX = "taskui:preview:"


@dataclass(frozen=True)
class Preview:
    rendered: str
    frame_url: str


def preview_create(*, source: str, task_input: dict, grant_read_access=None) -> Preview:
    """Render a template for a requester's preview and keep the result for the frame
    for PREVIEW_TTL_SECONDS. Raises TemplateRenderError naming the line."""
    rendered = render_task_template(
        source=source, task_input=task_input, grant_read_access=grant_read_access
    )
    key = uuid.uuid4().hex
    cache.set(_PREVIEW_PREFIX + key, rendered, timeout=PREVIEW_TTL_SECONDS)
    return Preview(rendered=rendered, frame_url=frame_url("preview", key=key))


def _preview_resolve(payload: dict, address: str | None) -> str:
    rendered = cache.get(_PREVIEW_PREFIX + str(payload.get("key", "")))
    if rendered is None:
        raise NotFound("This preview has expired; render it again.")
    return rendered


register_frame_kind("preview", resolve=_preview_resolve, max_age=PREVIEW_TTL_SECONDS)
