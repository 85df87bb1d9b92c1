import re

from django_scopes import scope

from apps.workforces.access_cache import work_teams_cached

WORK_PATH = re.compile(r"^/(?:api/v1/)?work/")


class WorkerScopeMiddleware:
    """A worker's own pages and API span the organizations whose teams they work in:
    enter exactly that scope (an empty list sees nothing, never everything).

    The teams are looked up once per request (through the access cache) and kept as
    `request.work_teams`, for the views that need them (the queue, the IP rules of a
    team's workforce)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not WORK_PATH.match(request.path_info) or not request.user.is_authenticated:
            return self.get_response(request)
        request.work_teams = work_teams_cached(user=request.user)
        organization_ids = sorted({team.organization_id for team in request.work_teams})
        with scope(organization=organization_ids):
            return self.get_response(request)
