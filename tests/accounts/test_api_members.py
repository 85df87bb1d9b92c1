import pytest
from django.urls import reverse

from apps.accounts.models import ApiCredential, Membership, Organization, Role
from apps.core.models import AuditEvent
from tests.factories import MembershipFactory, api_credential
from tests.tenancy import assert_other_organization_gets_404

pytestmark = pytest.mark.django_db


def members_url(organization) -> str:
    return reverse("membership-list", kwargs={"org_slug": organization.slug})


def member_url(membership) -> str:
    return reverse(
        "membership-detail",
        kwargs={"org_slug": membership.organization.slug, "membership_id": membership.id},
    )


def test_member_list_shows_members_with_roles(owner_client, owner):
    worker = MembershipFactory(organization=owner.organization, role=Role.WORKER)

    response = owner_client.get(members_url(owner.organization))

    assert response.status_code == 200
    rows = {row["user"]["email"]: row["role"] for row in response.json()["results"]}
    assert rows == {owner.user.email: "owner", worker.user.email: "worker"}


def test_member_list_query_count_is_constant(owner_client, owner, django_assert_num_queries):
    MembershipFactory.create_batch(5, organization=owner.organization, role=Role.WORKER)

    # organization lookup (middleware), membership check, page of members
    with django_assert_num_queries(3):
        response = owner_client.get(members_url(owner.organization))

    assert len(response.json()["results"]) == 6


def test_member_list_and_detail_return_404_to_another_organization(owner):
    member = MembershipFactory(organization=owner.organization, role=Role.WORKER)

    assert_other_organization_gets_404(members_url(owner.organization))
    assert_other_organization_gets_404(member_url(member))
    assert_other_organization_gets_404(
        member_url(member),
        method="patch",
        data={"role": "admin"},
        unchanged=[Membership.objects.all()],
    )
    assert_other_organization_gets_404(
        member_url(member), method="delete", unchanged=[Membership.objects.all()]
    )


def test_unknown_organization_and_non_member_look_the_same(api_client):
    outsider = MembershipFactory()
    other = MembershipFactory()
    api_client.force_authenticate(outsider.user)

    missing = api_client.get("/api/v1/orgs/no-such-org/members/")
    foreign = api_client.get(members_url(other.organization))

    assert missing.status_code == foreign.status_code == 404
    assert missing.json() == foreign.json()


def test_anonymous_request_gets_401_in_the_error_format(api_client, owner):
    response = api_client.get(members_url(owner.organization))

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_role_change_by_admin(api_client, owner):
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
    worker = MembershipFactory(organization=owner.organization, role=Role.WORKER)
    api_client.force_authenticate(admin.user)

    response = api_client.patch(member_url(worker), {"role": "reviewer"}, format="json")

    assert response.status_code == 200
    assert response.json()["role"] == "reviewer"
    worker.refresh_from_db()
    assert worker.role == Role.REVIEWER
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert (event.actor, event.data) == (admin.user, {"previous": "worker", "role": "reviewer"})


def test_admin_cannot_grant_owner(api_client, owner):
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
    worker = MembershipFactory(organization=owner.organization, role=Role.WORKER)
    api_client.force_authenticate(admin.user)

    response = api_client.patch(member_url(worker), {"role": "owner"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "role_not_grantable"
    worker.refresh_from_db()
    assert worker.role == Role.WORKER


def test_unknown_role_is_rejected_naming_the_field(owner_client, owner):
    worker = MembershipFactory(organization=owner.organization, role=Role.WORKER)

    response = owner_client.patch(member_url(worker), {"role": "emperor"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["details"] == {"role": ['"emperor" is not a valid choice.']}
    worker.refresh_from_db()
    assert worker.role == Role.WORKER


def test_last_owner_cannot_be_demoted_or_removed(owner_client, owner):
    demote = owner_client.patch(member_url(owner), {"role": "admin"}, format="json")
    remove = owner_client.delete(member_url(owner))

    assert (demote.status_code, demote.json()["code"]) == (409, "last_owner")
    assert (remove.status_code, remove.json()["code"]) == (409, "last_owner")
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_an_owner_can_step_down_when_another_owner_remains(owner_client, owner):
    MembershipFactory(organization=owner.organization, role=Role.OWNER)

    response = owner_client.patch(member_url(owner), {"role": "admin"}, format="json")

    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.role == Role.ADMIN


def test_removing_a_member_revokes_their_credentials(owner_client, owner):
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
    credential, _ = api_credential(admin)

    response = owner_client.delete(member_url(admin))

    assert response.status_code == 204
    assert not Membership.objects.filter(pk=admin.pk).exists()
    assert ApiCredential.objects.get(pk=credential.pk).revoked_at is not None


@pytest.mark.parametrize("role", [Role.WORKER, Role.REQUESTER, Role.REVIEWER])
def test_roles_without_members_manage_cannot_change_roles(api_client, owner, role):
    member = MembershipFactory(organization=owner.organization, role=role)
    api_client.force_authenticate(member.user)

    response = api_client.patch(member_url(owner), {"role": "worker"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_worker_cannot_list_members(api_client, owner):
    worker = MembershipFactory(organization=owner.organization, role=Role.WORKER)
    api_client.force_authenticate(worker.user)

    assert api_client.get(members_url(owner.organization)).status_code == 403


def test_me_lists_memberships(owner_client, owner):
    other = MembershipFactory(user=owner.user, role=Role.WORKER)

    response = owner_client.get(reverse("me"))

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == owner.user.email
    assert {(m["organization"]["slug"], m["role"]) for m in body["memberships"]} == {
        (owner.organization.slug, "owner"),
        (other.organization.slug, "worker"),
    }


def test_organization_create_makes_the_caller_owner(api_client):
    user = MembershipFactory().user
    api_client.force_authenticate(user)

    response = api_client.post(reverse("organization-create"), {"name": "Cats Inc"}, format="json")

    assert response.status_code == 201
    assert response.json()["slug"] == "cats-inc"
    assert len(response.json()["account_id"]) == 12
    assert Membership.objects.get(organization__slug="cats-inc").user == user


def test_organization_create_rejects_a_taken_slug(owner_client, owner):
    response = owner_client.post(
        reverse("organization-create"),
        {"name": "Again", "slug": owner.organization.slug},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"
    assert response.json()["details"] == {
        "slug": [f"The short name {owner.organization.slug!r} is taken."]
    }


def test_organization_detail_returns_404_to_another_organization(owner_client, owner):
    assert (
        owner_client.get(reverse("organization-detail", args=[owner.organization.slug])).status_code
        == 200
    )
    assert_other_organization_gets_404(
        reverse("organization-detail", args=[owner.organization.slug])
    )


def test_the_platform_organizations_slug_is_reserved(owner_client, settings):
    response = owner_client.post(
        reverse("organization-create"),
        {"name": "Platform", "slug": settings.PLATFORM_ORGANIZATION_SLUG},
        format="json",
    )

    assert response.status_code == 409
    assert not Organization.objects.filter(slug=settings.PLATFORM_ORGANIZATION_SLUG).exists()
