import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.workforces import services
from apps.workforces.models import VendorOffering, VendorRoute, VendorSubscription
from apps.workforces.selectors import workteams_for_worker
from tests.factories import MembershipFactory, OrganizationFactory
from tests.tenancy import assert_other_organization_gets_404
from tests.workforces.helpers import subscribed_vendor_team, vendor_with_team, worker_of

pytestmark = pytest.mark.django_db


def url(name: str, organization, **kwargs) -> str:
    return reverse(name, kwargs={"org_slug": organization.slug, **kwargs})


def subscriber_url(name: str, subscription) -> str:
    return url(name, subscription.vendor, subscription_id=subscription.pk)


def requested(owner, vendor_owner) -> VendorSubscription:
    return services.vendor_subscription_request(
        organization=owner.organization,
        vendor_slug=vendor_owner.organization.slug,
        actor=owner.user,
    )


def test_vendor_manager_publishes_an_offering(api_client):
    vendor = OrganizationFactory(is_vendor=True)
    manager = MembershipFactory(organization=vendor, role=Role.VENDOR_MANAGER)
    api_client.force_authenticate(manager.user)

    response = api_client.put(
        url("vendor-offering", vendor),
        {
            "title": "Medical imaging",
            "description": "Radiologist-reviewed boxes.",
            "task_types": ["bounding-box"],
            "languages": ["en", "de"],
            "price_terms": "USD 0.10 per box",
            "is_published": True,
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["vendor"] == {"name": vendor.name, "slug": vendor.slug}
    assert api_client.get(url("vendor-offering", vendor)).json()["languages"] == ["en", "de"]


def test_a_non_vendor_organization_cannot_publish(owner_client, owner):
    response = owner_client.put(
        url("vendor-offering", owner.organization),
        {"title": "x", "description": "y", "is_published": True},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "not_a_vendor"
    assert not VendorOffering.objects.exists()


def test_requester_browses_published_offerings_only(owner_client, owner):
    vendor_owner, _, _ = vendor_with_team("Published")
    draft = OrganizationFactory(is_vendor=True)
    services.vendor_offering_save(
        organization=draft, actor=owner.user, title="Draft", description="d", is_published=False
    )

    response = owner_client.get(url("vendor-offering-list", owner.organization))

    assert [row["title"] for row in response.json()["results"]] == ["Published labeling"]


@pytest.mark.parametrize("target", ["requester", "unknown", "draft", "self"])
def test_subscribing_to_a_non_vendor_is_refused_and_writes_nothing(owner_client, owner, target):
    other = MembershipFactory().organization  # an ordinary organization
    draft = OrganizationFactory(is_vendor=True)  # a vendor with no published offering
    owner.organization.is_vendor = True
    owner.organization.save()
    services.vendor_offering_save(
        organization=owner.organization,
        actor=owner.user,
        title="Mine",
        description="d",
        is_published=True,
    )
    slug = {
        "requester": other.slug,
        "unknown": "no-such-org",
        "draft": draft.slug,
        "self": owner.organization.slug,
    }[target]

    response = owner_client.post(
        url("vendor-subscription-list", owner.organization), {"vendor": slug}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["vendor"]
    assert not VendorSubscription.objects.exists()


def test_subscription_flow_request_accept_route(owner_client, owner, api_client):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    vendor = vendor_owner.organization

    created = owner_client.post(
        url("vendor-subscription-list", owner.organization),
        {"vendor": vendor.slug, "note": "20k images"},
        format="json",
    )
    duplicate = owner_client.post(
        url("vendor-subscription-list", owner.organization), {"vendor": vendor.slug}, format="json"
    )
    subscription = VendorSubscription.objects.get()
    api_client.force_authenticate(vendor_owner.user)
    listed = api_client.get(url("vendor-subscriber-list", vendor))
    accepted = api_client.post(subscriber_url("vendor-subscriber-accept", subscription))
    accepted_again = api_client.post(subscriber_url("vendor-subscriber-accept", subscription))
    routed = api_client.put(
        subscriber_url("vendor-subscriber-routes", subscription),
        {"team_ids": [vendor_team.pk]},
        format="json",
    )

    assert (created.status_code, created.json()["status"]) == (201, "requested")
    assert duplicate.status_code == 409
    assert listed.json()["results"][0]["requester"]["slug"] == owner.organization.slug
    assert accepted.json()["status"] == "active"
    assert accepted_again.status_code == 409
    assert routed.json()["team_ids"] == [vendor_team.pk]
    team = services.workteam_create(
        organization=owner.organization,
        name="vendor-work",
        kind="vendor",
        vendor_subscription_id=subscription.pk,
        actor=owner.user,
    )
    assert team in workteams_for_worker(user=vendor_worker)


def test_vendor_declines(owner, api_client):
    vendor_owner, _, _ = vendor_with_team()
    subscription = requested(owner, vendor_owner)
    api_client.force_authenticate(vendor_owner.user)

    response = api_client.post(subscriber_url("vendor-subscriber-decline", subscription))

    assert response.json()["status"] == "declined"


def test_routing_refuses_teams_that_are_not_the_vendors_own(owner, api_client):
    vendor_owner, _, _ = vendor_with_team("A")
    _, other_vendor_team, _ = vendor_with_team("B")
    subscription = requested(owner, vendor_owner)
    services.vendor_subscription_decide(
        subscription=subscription, accept=True, actor=vendor_owner.user
    )
    api_client.force_authenticate(vendor_owner.user)

    response = api_client.put(
        subscriber_url("vendor-subscriber-routes", subscription),
        {"team_ids": [other_vendor_team.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["team_ids"]
    assert not VendorRoute.objects.exists()


def test_routing_needs_an_accepted_subscription(owner, api_client):
    vendor_owner, vendor_team, _ = vendor_with_team()
    subscription = requested(owner, vendor_owner)
    api_client.force_authenticate(vendor_owner.user)

    response = api_client.put(
        subscriber_url("vendor-subscriber-routes", subscription),
        {"team_ids": [vendor_team.pk]},
        format="json",
    )

    assert response.status_code == 409
    assert not VendorRoute.objects.exists()


def test_requester_cancels_and_vendor_work_stops(owner_client, owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    team, subscription = subscribed_vendor_team(owner, vendor_owner, vendor_team)

    response = owner_client.delete(
        url("vendor-subscription-detail", owner.organization, subscription_id=subscription.pk)
    )

    assert response.json()["status"] == "cancelled"
    assert team not in workteams_for_worker(user=vendor_worker)


def test_vendor_worker_cannot_manage_the_vendor(api_client):
    vendor_owner, _, (vendor_worker,) = vendor_with_team()
    api_client.force_authenticate(vendor_worker)

    assert (
        api_client.get(url("vendor-subscriber-list", vendor_owner.organization)).status_code == 403
    )


def test_requester_cannot_act_on_the_vendors_side(owner_client, owner):
    vendor_owner, _, _ = vendor_with_team()
    subscription = requested(owner, vendor_owner)

    response = owner_client.post(subscriber_url("vendor-subscriber-accept", subscription))

    assert response.status_code == 404
    assert VendorSubscription.objects.get().status == "requested"


def test_another_vendor_cannot_see_or_decide_a_subscription(owner):
    vendor_owner, vendor_team, _ = vendor_with_team("A")
    other_vendor, _, _ = vendor_with_team("B")
    subscription = requested(owner, vendor_owner)
    foreign_url = url(
        "vendor-subscriber-accept", other_vendor.organization, subscription_id=subscription.pk
    )

    client = APIClient()
    client.force_authenticate(other_vendor.user)
    response = client.post(foreign_url)

    assert response.status_code == 404
    assert VendorSubscription.objects.get().status == "requested"


def test_vendor_endpoints_return_404_to_another_organization(owner):
    vendor_owner, vendor_team, _ = vendor_with_team()
    subscription = requested(owner, vendor_owner)
    vendor = vendor_owner.organization
    unchanged = [
        VendorSubscription.objects.all(),
        VendorRoute.objects.all(),
        VendorOffering.objects.all(),
    ]

    assert_other_organization_gets_404(url("vendor-offering", vendor))
    assert_other_organization_gets_404(
        url("vendor-offering", vendor),
        method="put",
        data={"title": "x", "description": "y"},
        unchanged=unchanged,
    )
    assert_other_organization_gets_404(url("vendor-subscriber-list", vendor))
    assert_other_organization_gets_404(subscriber_url("vendor-subscriber-detail", subscription))
    for name in ("vendor-subscriber-accept", "vendor-subscriber-decline"):
        assert_other_organization_gets_404(
            subscriber_url(name, subscription), method="post", unchanged=unchanged
        )
    assert_other_organization_gets_404(
        subscriber_url("vendor-subscriber-routes", subscription),
        method="put",
        data={"team_ids": [vendor_team.pk]},
        unchanged=unchanged,
    )
    assert_other_organization_gets_404(url("vendor-offering-list", owner.organization))
    assert_other_organization_gets_404(url("vendor-subscription-list", owner.organization))
    assert_other_organization_gets_404(
        url("vendor-subscription-list", owner.organization),
        method="post",
        data={"vendor": vendor.slug},
        unchanged=unchanged,
    )
    detail = url("vendor-subscription-detail", owner.organization, subscription_id=subscription.pk)
    assert_other_organization_gets_404(detail)
    assert_other_organization_gets_404(detail, method="delete", unchanged=unchanged)


def test_vendor_manager_runs_its_own_teams(api_client):
    vendor_owner, vendor_team, _ = vendor_with_team()
    manager = MembershipFactory(organization=vendor_owner.organization, role=Role.VENDOR_MANAGER)
    new_worker = worker_of(vendor_owner.organization)
    api_client.force_authenticate(manager.user)

    response = api_client.post(
        reverse(
            "workteam-member-list",
            kwargs={"org_slug": vendor_owner.organization.slug, "workteam_id": vendor_team.pk},
        ),
        {"user_id": new_worker.pk},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["user"]["email"] == new_worker.email
