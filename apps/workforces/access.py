"""Enforcing who may reach a workteam's work, on every worker request.

Any view serving a worker something of a workteam's work (a page, an API answer, a data
object URL) calls `workteam_access_check(request=..., workteam=...)` first:
- a team the person may not work on is NotFound (no existence leak);
- a request from outside the team workforce's source CIDRs raises WorkerAddressRefused:
  DRF renders it as a 403 `{"code": "ip_not_allowed", ...}`, and
  `WorkerAddressRefusedMiddleware` renders it for plain Django views (an HTML page, or the
  JSON error under /api/ and for clients asking for JSON).
The address is `apps.core.client_ip.client_ip`: forwarding headers count only from the
operator's trusted proxies.
"""

from django.http import HttpRequest, JsonResponse
from django.shortcuts import render

from apps.accounts.models import Membership
from apps.core.client_ip import client_ip
from apps.core.errors import NotFound
from apps.workforces.errors import WorkerAddressRefused
from apps.workforces.models import Workforce, Workteam
from apps.workforces.selectors import WORK_ROLES, worker_may_work_on, workforce_ip_allowed


def workteam_address_check(*, request: HttpRequest, workteam: Workteam) -> None:
    address = client_ip(request)
    if not workforce_ip_allowed(workforce=workteam.workforce, address=address):
        raise WorkerAddressRefused.for_address(address)


def private_member_address_check(*, request: HttpRequest, organization_id: int) -> None:
    """For organization data shown to its own workers outside a team (qualification tests):
    a member working for the organization is held to its private workforce's ranges."""
    if not Membership.objects.filter(
        organization_id=organization_id, user_id=request.user.pk, role__in=WORK_ROLES
    ).exists():
        return
    workforce = Workforce.global_objects.filter(
        organization_id=organization_id, kind=Workforce.Kind.PRIVATE
    ).first()
    address = client_ip(request)
    if workforce is not None and not workforce_ip_allowed(workforce=workforce, address=address):
        raise WorkerAddressRefused.for_address(address)


def workteam_access_check(*, request: HttpRequest, workteam: Workteam) -> None:
    if not worker_may_work_on(user=request.user, workteam=workteam):
        raise NotFound()
    workteam_address_check(request=request, workteam=workteam)


class WorkerAddressRefusedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, WorkerAddressRefused):
            return None
        if request.path.startswith("/api/") or "application/json" in request.headers.get(
            "Accept", ""
        ):
            body = {
                "code": exception.code,
                "message": exception.message,
                "details": exception.details,
            }
            return JsonResponse(body, status=403)
        context = {"message": exception.message, "address": client_ip(request)}
        return render(request, "workforces/ip_refused.html", context, status=403)
