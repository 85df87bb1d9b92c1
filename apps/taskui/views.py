"""Pages: the sandboxed task frame and the requester's task UI preview."""

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from apps.accounts import permissions
from apps.accounts.views import organization_page
from apps.core.client_ip import client_ip
from apps.core.errors import DomainError, NotFound
from apps.taskui import builtin, services
from apps.taskui.frames import content_security_policy, frame_document, frame_resolve

CUSTOM = "custom"


@csrf_exempt
@xframe_options_exempt  # framing is governed by the CSP's frame-ancestors instead
@never_cache
@require_GET
def task_frame(request: HttpRequest, token: str) -> HttpResponse:
    """The rendered task in a sandboxed document. Reads no cookie, sets none: the signed
    token is the only authority (see apps/taskui/frames.py for the policy)."""
    try:
        rendered = frame_resolve(token, address=client_ip(request))
    except NotFound:
        raise Http404 from None
    response = HttpResponse(frame_document(rendered), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = content_security_policy(request)
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Opener-Policy"] = "same-origin"
    return response


def _builtins() -> list[dict]:
    return [
        {
            "task_type": task_type,
            "label": builtin.BUILTIN_LABELS[task_type],
            "template": builtin.builtin_template(task_type),
            "input": json.dumps(builtin.SAMPLE_INPUTS[task_type], indent=2, ensure_ascii=False),
        }
        for task_type in builtin.BUILTIN_TEMPLATES
    ]


@organization_page({"GET": permissions.PROJECTS_MANAGE, "POST": permissions.PROJECTS_MANAGE})
def preview(request: HttpRequest) -> HttpResponse:
    """Pick a built-in UI or paste one, paste an input, see the worker UI and its JSON.
    preview.js re-renders live through the API; without it the form posts here."""
    builtins = _builtins()
    first = builtins[0]
    choice = request.POST.get("builtin", first["task_type"])
    source = request.POST.get("template", first["template"])
    raw_input = request.POST.get("input", first["input"])
    error, frame_url, status = "", "", 200
    try:
        try:
            task_input = json.loads(raw_input)
        except json.JSONDecodeError as exc:
            raise DomainError(f"The input is not JSON: {exc.msg} (line {exc.lineno}).") from None
        if not isinstance(task_input, dict):
            raise DomainError("The input must be a JSON object.")
        frame_url = services.preview_create(source=source, task_input=task_input).frame_url
    except DomainError as exc:
        error, status = exc.message, 400 if request.method == "POST" else 200
    context = {
        "builtins": builtins,
        "choice": choice if choice in builtin.BUILTIN_TEMPLATES else CUSTOM,
        "source": source,
        "raw_input": raw_input,
        "error": error,
        "frame_url": frame_url,
    }
    return render(request, "taskui/preview.html", context, status=status)
