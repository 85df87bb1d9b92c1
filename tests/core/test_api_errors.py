import pytest

pytestmark = pytest.mark.django_db


def test_unknown_api_url_is_json_404(client):
    response = client.get("/api/v1/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "details": {}}


def test_unknown_page_url_is_html_404(client):
    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_unexpected_errors_are_a_generic_500_without_internals(owner_client, owner, monkeypatch):
    from apps.accounts import selectors

    def explode(**kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(selectors, "membership_list", explode)

    response = owner_client.get(f"/api/v1/orgs/{owner.organization.slug}/members/")

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Internal server error.",
        "details": {},
    }
    assert b"secret internal detail" not in response.content


def test_throttles_identify_clients_by_socket_address_not_forwarding_headers(rf, settings):
    from django.conf import settings as django_settings

    from apps.core.api.throttling import AnonRateThrottle, UserRateThrottle

    request = rf.get("/api/v1/me/", HTTP_X_FORWARDED_FOR="198.51.100.7", REMOTE_ADDR="203.0.113.5")

    assert AnonRateThrottle().get_ident(request) == "203.0.113.5"
    assert UserRateThrottle().get_ident(request) == "203.0.113.5"
    throttles = django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    assert throttles == [
        "apps.core.api.throttling.AnonRateThrottle",
        "apps.core.api.throttling.UserRateThrottle",
    ]
