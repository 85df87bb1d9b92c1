"""Enter the organization's query scope for requests whose path names one.

Membership is checked later, in the view (`OrganizationAPIView`, `organization_page`);
this only decides which tenant's rows are queryable at all. Requests naming no
organization (or an unknown one) run with tenant tables locked. The Django admin is
staff-only and spans organizations by design, so it runs unscoped.
"""

import re

from django_scopes import scope, scopes_disabled

from apps.accounts.models import Organization

ADMIN_PATH = "/admin/"
ORGANIZATION_PATH = re.compile(r"^/(?:api/v1/)?orgs/(?P<slug>[-\w]+)/")


def organization_id_from_path(path: str) -> int | None:
    match = ORGANIZATION_PATH.match(path)
    if match is None:
        return None
    return Organization.objects.filter(slug=match["slug"]).values_list("id", flat=True).first()


class OrganizationScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(ADMIN_PATH):
            with scopes_disabled():
                return self.get_response(request)
        organization_id = organization_id_from_path(request.path_info)
        if organization_id is None:
            return self.get_response(request)
        with scope(organization=organization_id):
            return self.get_response(request)
