import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts import services as account_services
from apps.accounts.models import Role
from apps.workforces import services
from apps.workforces.models import WorkerProfile
from tests.factories import MembershipFactory, UserFactory, api_credential
from tests.workforces.helpers import private_team, public_team, public_worker, worker_of

pytestmark = pytest.mark.django_db

OFFICE = ["203.0.113.0/24", "2001:db8:77::/48"]


def team_url(team) -> str:
    return reverse("work-team-detail", kwargs={"workteam_id": team.pk})


def page_url(team) -> str:
    return reverse("worker_team", kwargs={"workteam_id": team.pk})


@pytest.fixture
def restricted(owner):
    """A private team behind the office ranges, and an invited worker in it."""
    invitation = account_services.invitation_create(
        organization=owner.organization,
        email="invited@example.com",
        role=Role.WORKER,
        actor=owner.user,
        actor_role=Role.OWNER,
    )
    membership = account_services.invitation_accept_with_signup(
        invitation=invitation, password="a-long-enough-passphrase"
    )
    team = private_team(owner, members=[membership.user])
    services.workforce_update_source_cidrs(workforce=team.workforce, cidrs=OFFICE, actor=owner.user)
    return team, membership.user


def test_profile_is_created_on_first_read_and_opt_in_joins_the_crowd(api_client, owner):
    user = UserFactory()
    crowd = public_team(owner)
    api_client.force_authenticate(user)

    first = api_client.get(reverse("work-profile"))
    patched = api_client.patch(
        reverse("work-profile"), {"display_name": "Ana", "is_public_crowd": True}, format="json"
    )
    teams = api_client.get(reverse("work-team-list"))

    assert first.json() == {
        "email": user.email,
        "display_name": "",
        "status": "active",
        "is_public_crowd": False,
        "suspended_reason": "",
    }
    assert (patched.json()["display_name"], patched.json()["is_public_crowd"]) == ("Ana", True)
    assert [row["id"] for row in teams.json()["results"]] == [crowd.pk]


def test_too_long_display_name_is_refused(api_client):
    user = UserFactory()
    api_client.force_authenticate(user)

    response = api_client.patch(reverse("work-profile"), {"display_name": "x" * 81}, format="json")

    assert response.status_code == 400
    assert not WorkerProfile.objects.filter(user=user, display_name__startswith="x").exists()


def test_worker_lists_teams_across_organizations(api_client, owner):
    other_owner = MembershipFactory()
    worker = worker_of(owner.organization)
    worker_of(other_owner.organization, user=worker)
    mine_a = private_team(owner, "a", members=[worker])
    mine_b = private_team(other_owner, "b", members=[worker])
    private_team(owner, "not-mine")
    api_client.force_authenticate(worker)

    response = api_client.get(reverse("work-team-list"))

    rows = {row["id"]: row["organization"]["slug"] for row in response.json()["results"]}
    assert rows == {mine_a.pk: owner.organization.slug, mine_b.pk: other_owner.organization.slug}


def test_team_of_someone_else_is_404(api_client, owner):
    team = private_team(owner, members=[worker_of(owner.organization)])
    api_client.force_authenticate(worker_of(owner.organization))

    assert api_client.get(team_url(team)).status_code == 404


def test_api_credentials_cannot_use_worker_endpoints(owner):
    _, bearer = api_credential(owner)
    client = APIClient(HTTP_AUTHORIZATION=bearer)

    assert client.get(reverse("work-team-list")).status_code == 403


@pytest.mark.parametrize(
    ("remote_addr", "status"),
    [
        ("203.0.113.50", 200),
        ("2001:db8:77:1::9", 200),
        ("198.51.100.9", 403),
        ("2001:db8:78::1", 403),
    ],
)
def test_invited_member_is_served_only_from_the_allowed_ranges(
    api_client, restricted, remote_addr, status
):
    team, worker = restricted
    api_client.force_authenticate(worker)

    response = api_client.get(team_url(team), REMOTE_ADDR=remote_addr)

    assert response.status_code == status
    if status == 403:
        assert response.json()["code"] == "ip_not_allowed"
        assert response.json()["details"] == {
            "address": [f"Your address {remote_addr} is not allowed."]
        }


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_X_FORWARDED_FOR": "203.0.113.50"},
        {"HTTP_FORWARDED": "for=203.0.113.50"},
        {"HTTP_X_REAL_IP": "203.0.113.50"},
        {"HTTP_TRUE_CLIENT_IP": "203.0.113.50"},
    ],
)
def test_spoofed_forwarding_headers_do_not_open_the_range(api_client, restricted, header):
    team, worker = restricted
    api_client.force_authenticate(worker)

    response = api_client.get(team_url(team), REMOTE_ADDR="198.51.100.9", **header)

    assert response.status_code == 403


def test_a_trusted_proxy_passes_the_client_address_on(api_client, restricted, settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    team, worker = restricted
    api_client.force_authenticate(worker)

    inside = api_client.get(
        team_url(team), REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.50"
    )
    outside = api_client.get(
        team_url(team), REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    spoofed_prefix = api_client.get(
        team_url(team),
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.50, 198.51.100.9",
    )

    assert (inside.status_code, outside.status_code, spoofed_prefix.status_code) == (200, 403, 403)


def test_worker_page_outside_the_range_is_a_clear_403_page(client, restricted):
    team, worker = restricted
    client.force_login(worker)

    refused = client.get(page_url(team), REMOTE_ADDR="198.51.100.9")
    allowed = client.get(page_url(team), REMOTE_ADDR="203.0.113.50")

    assert refused.status_code == 403
    assert b'data-testid="ip-refused"' in refused.content
    assert b"198.51.100.9" in refused.content
    assert allowed.status_code == 200


def test_worker_page_refusal_is_json_for_json_clients(client, restricted):
    team, worker = restricted
    client.force_login(worker)

    response = client.get(
        page_url(team), REMOTE_ADDR="198.51.100.9", HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "ip_not_allowed"


def test_public_teams_are_never_ip_restricted(api_client, owner):
    team = public_team(owner)
    worker = public_worker()
    api_client.force_authenticate(worker)

    assert api_client.get(team_url(team), REMOTE_ADDR="198.51.100.9").status_code == 200


def test_worker_team_list_query_count_is_constant(api_client, owner, django_assert_num_queries):
    worker = worker_of(owner.organization)
    for index in range(5):
        private_team(owner, f"t{index}", members=[worker])
    api_client.force_authenticate(worker)

    # session user is forced; profile, then one page of teams with organization and workforce
    with django_assert_num_queries(2):
        response = api_client.get(reverse("work-team-list"))

    assert len(response.json()["results"]) == 5
