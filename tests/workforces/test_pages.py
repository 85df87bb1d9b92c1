import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.workforces import services
from apps.workforces.models import (
    OidcConfig,
    Qualification,
    VendorSubscription,
    WorkerBlock,
    WorkerProfile,
    Workforce,
    Workteam,
    WorkteamMember,
)
from apps.workforces.selectors import anonymized_worker_id
from tests.factories import MembershipFactory, UserFactory
from tests.workforces.helpers import (
    private_team,
    public_worker,
    subscribed_vendor_team,
    vendor_with_team,
    worker_of,
)

pytestmark = pytest.mark.django_db


def org_url(name: str, organization, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": organization.slug, **kwargs})


@pytest.fixture
def owner_page(client, owner):
    client.force_login(owner.user)
    return client


def test_console_shows_teams_ranges_oidc_qualifications_blocks_and_vendors(owner_page, owner):
    private_team(owner, "annotators")
    vendor_with_team("Acme Vendor")

    response = owner_page.get(org_url("workforce_console", owner.organization))

    assert response.status_code == 200
    content = response.content.decode()
    for testid in ("teams", "ip-ranges", "oidc", "qualifications", "blocks", "vendors"):
        assert f'data-testid="{testid}"' in content
    assert "annotators" in content and "Acme Vendor labeling" in content


def test_nav_links_to_the_consoles(owner_page, owner):
    content = owner_page.get(org_url("organization", owner.organization)).content.decode()

    assert org_url("workforce_console", owner.organization) in content
    assert reverse("worker_console") in content
    assert reverse("marketplace") in content


def test_requester_sees_the_console_without_the_security_forms(client, owner):
    requester = MembershipFactory(organization=owner.organization, role=Role.REQUESTER)
    client.force_login(requester.user)

    response = client.get(org_url("workforce_console", owner.organization))

    assert response.status_code == 200
    assert org_url("workforce_source_cidrs", owner.organization).encode() not in response.content
    assert org_url("workteam_create", owner.organization).encode() in response.content


def test_worker_is_refused_the_console(client, owner):
    client.force_login(worker_of(owner.organization))

    assert client.get(org_url("workforce_console", owner.organization)).status_code == 403


def test_saving_ranges_through_the_page(owner_page, owner):
    response = owner_page.post(
        org_url("workforce_source_cidrs", owner.organization),
        {"source_cidrs": "203.0.113.0/24\n2001:db8::/32"},
    )

    assert response.status_code == 302
    assert Workforce.objects.get(organization=owner.organization).source_cidrs == [
        "203.0.113.0/24",
        "2001:db8::/32",
    ]


def test_invalid_ranges_rerender_with_400_and_change_nothing(owner_page, owner):
    response = owner_page.post(
        org_url("workforce_source_cidrs", owner.organization), {"source_cidrs": "10.0.0.0/99"}
    )

    assert response.status_code == 400
    assert b"is not a CIDR range" in response.content
    assert Workforce.objects.get(organization=owner.organization).source_cidrs == []


def test_oidc_page_refuses_an_internal_issuer(owner_page, owner):
    response = owner_page.post(
        org_url("workforce_oidc", owner.organization),
        {
            "issuer": "https://169.254.169.254/",
            "client_id": "c",
            "client_secret": "s",
            "scope": "openid",
            "groups_claim": "groups",
        },
    )

    assert response.status_code == 400
    assert b"internal" in response.content
    assert not OidcConfig.objects.exists()


def test_create_team_then_add_and_remove_a_member(owner_page, owner):
    worker = worker_of(owner.organization)

    created = owner_page.post(
        org_url("workteam_create", owner.organization), {"name": "night", "kind": "private"}
    )
    team = Workteam.objects.get(name="night")
    added = owner_page.post(
        org_url("workteam_member_add", owner.organization, workteam_id=team.pk),
        {"user_id": worker.pk},
    )
    page = owner_page.get(org_url("workteam_page", owner.organization, workteam_id=team.pk))
    member = WorkteamMember.objects.get()
    removed = owner_page.post(
        org_url(
            "workteam_member_remove", owner.organization, workteam_id=team.pk, member_id=member.pk
        )
    )

    assert (created.status_code, added.status_code, removed.status_code) == (302, 302, 302)
    assert worker.email.encode() in page.content
    assert (
        anonymized_worker_id(user=worker, organization=owner.organization).encode() in page.content
    )
    assert not WorkteamMember.objects.exists()


def test_bad_team_form_rerenders_with_400(owner_page, owner):
    response = owner_page.post(
        org_url("workteam_create", owner.organization),
        {
            "name": "ok",
            "kind": "private",
            "webhook_url": "http://127.0.0.1/",
            "webhook_secret": "x" * 16,
        },
    )

    assert response.status_code == 400
    assert not Workteam.objects.exists()


def test_qualification_block_and_subscription_forms(owner_page, owner):
    vendor_owner, _, _ = vendor_with_team()
    worker = public_worker()
    worker_id = services.worker_pseudonym_record(user=worker, organization=owner.organization)

    quals = owner_page.post(
        org_url("qualification_create", owner.organization),
        {"name": "Spanish", "pass_score": "0.8"},
    )
    block = owner_page.post(
        org_url("block_create", owner.organization), {"worker_id": worker_id, "reason": "spam"}
    )
    unknown = owner_page.post(
        org_url("block_create", owner.organization), {"worker_id": "WNOPE", "reason": "spam"}
    )
    subscribed = owner_page.post(
        org_url("vendor_subscribe", owner.organization),
        {"vendor": vendor_owner.organization.slug},
    )
    not_vendor = owner_page.post(
        org_url("vendor_subscribe", owner.organization),
        {"vendor": MembershipFactory().organization.slug},
    )

    assert (quals.status_code, block.status_code, subscribed.status_code) == (302, 302, 302)
    assert (unknown.status_code, not_vendor.status_code) == (400, 400)
    assert Qualification.objects.get().name == "Spanish"
    assert WorkerBlock.objects.get().user == worker
    assert VendorSubscription.objects.count() == 1


def test_requester_page_of_a_vendor_team_shows_ids_not_emails(owner_page, owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    team, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team)

    response = owner_page.get(org_url("workteam_page", owner.organization, workteam_id=team.pk))

    assert anonymized_worker_id(user=vendor_worker, organization=owner.organization).encode() in (
        response.content
    )
    assert vendor_worker.email.encode() not in response.content


def test_pages_of_another_organization_are_404(client, owner):
    team = private_team(owner)
    client.force_login(MembershipFactory().user)

    for url in (
        org_url("workforce_console", owner.organization),
        org_url("workteam_page", owner.organization, workteam_id=team.pk),
        org_url("vendor_console", owner.organization),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        org_url("workforce_source_cidrs", owner.organization), {"source_cidrs": "0.0.0.0/0"}
    )
    assert response.status_code == 404
    assert (
        client.post(org_url("workteam_delete", owner.organization, workteam_id=team.pk)).status_code
        == 404
    )
    assert Workteam.objects.filter(pk=team.pk).exists()


def test_foreign_team_id_under_my_organization_is_404(owner_page, owner):
    foreign = private_team(MembershipFactory(), "foreign")

    response = owner_page.get(org_url("workteam_page", owner.organization, workteam_id=foreign.pk))

    assert response.status_code == 404


def test_vendor_console_accept_and_route(client, owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    subscription = services.vendor_subscription_request(
        organization=owner.organization,
        vendor_slug=vendor_owner.organization.slug,
        actor=owner.user,
    )
    client.force_login(vendor_owner.user)
    vendor = vendor_owner.organization

    page = client.get(org_url("vendor_console", vendor))
    accepted = client.post(
        org_url("vendor_subscriber_decide", vendor, subscription_id=subscription.pk),
        {"decision": "accept"},
    )
    routed = client.post(
        org_url("vendor_subscriber_routes", vendor, subscription_id=subscription.pk),
        {"team_ids": [vendor_team.pk]},
    )

    assert page.status_code == 200
    assert owner.organization.name.encode() in page.content
    assert (accepted.status_code, routed.status_code) == (302, 302)
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert [route.team_id for route in subscription.routes.all()] == [vendor_team.pk]


def test_vendor_console_of_a_non_vendor_says_so(owner_page, owner):
    response = owner_page.get(org_url("vendor_console", owner.organization))

    assert b'data-testid="not-vendor"' in response.content


def test_worker_console_profile_and_teams(client, owner):
    worker = worker_of(owner.organization)
    team = private_team(owner, "night", members=[worker])
    client.force_login(worker)

    page = client.get(reverse("worker_console"))
    saved = client.post(reverse("worker_console"), {"display_name": "Ana", "is_public_crowd": "on"})

    assert page.status_code == 200
    assert reverse("worker_team", kwargs={"workteam_id": team.pk}).encode() in page.content
    assert saved.status_code == 302
    profile = WorkerProfile.objects.get(user=worker)
    assert (profile.display_name, profile.is_public_crowd) == ("Ana", True)


def test_worker_console_rejects_a_too_long_name_with_400(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("worker_console"), {"display_name": "x" * 81})

    assert response.status_code == 400
    assert WorkerProfile.objects.get(user=user).display_name == ""


def test_worker_team_page_of_someone_else_is_404(client, owner):
    team = private_team(owner, members=[worker_of(owner.organization)])
    client.force_login(worker_of(owner.organization))

    assert client.get(reverse("worker_team", kwargs={"workteam_id": team.pk})).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("worker_console"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_suspend_a_worker_from_the_admin(client, admin_user, owner):
    worker = worker_of(owner.organization)
    private_team(owner, members=[worker])
    profile = services.worker_profile_ensure(user=worker)
    client.force_login(admin_user)

    response = client.post(
        "/admin/workforces/workerprofile/",
        {"action": "suspend", "_selected_action": [profile.pk]},
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.status, profile.suspended_by) == ("suspended", admin_user)
    for model in ("workforce", "workteam", "vendorsubscription", "oidcconfig", "webhookdelivery"):
        assert client.get(f"/admin/workforces/{model}/").status_code == 200
