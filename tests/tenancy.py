"""The cross-tenant check every organization endpoint gets."""

from django.db.models import QuerySet
from rest_framework.test import APIClient

from apps.accounts.models import Role
from tests.factories import MembershipFactory, api_credential


def _snapshot(querysets: list[QuerySet]) -> list[list[dict]]:
    return [list(queryset.order_by("pk").values()) for queryset in querysets]


def assert_other_organization_gets_404(
    url: str, *, method: str = "get", data: dict | None = None, unchanged: list[QuerySet] = ()
) -> None:
    """An owner of another organization, by session and by API credential, gets 404 at `url`
    (exactly as for a missing resource), and the rows in `unchanged` stay as they were."""
    outsider = MembershipFactory(role=Role.OWNER)
    _, bearer = api_credential(outsider)
    before = _snapshot(unchanged)

    session_client = APIClient()
    session_client.force_authenticate(outsider.user)
    token_client = APIClient(HTTP_AUTHORIZATION=bearer)
    for client in (session_client, token_client):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (client, response.content)
        assert response.json() == {"code": "not_found", "message": "Not found.", "details": {}}

    assert _snapshot(unchanged) == before
