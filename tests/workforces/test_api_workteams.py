import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.core.crypto import decrypt
from apps.workforces import services
from apps.workforces.models import Workteam, WorkteamMember, WorkteamRequirement
from apps.workforces.selectors import anonymized_worker_id
from tests.factories import MembershipFactory
from tests.tenancy import assert_other_organization_gets_404
from tests.workforces.helpers import (
    private_team,
    public_team,
    subscribed_vendor_team,
    vendor_with_team,
    worker_of,
)

pytestmark = pytest.mark.django_db


def teams_url(organization) -> str:
    return reverse("workteam-list", kwargs={"org_slug": organization.slug})


def team_url(team) -> str:
    return reverse(
        "workteam-detail", kwargs={"org_slug": team.organization.slug, "workteam_id": team.pk}
    )


def members_url(team) -> str:
    return reverse(
        "workteam-member-list",
        kwargs={"org_slug": team.organization.slug, "workteam_id": team.pk},
    )


def member_url(member) -> str:
    return reverse(
        "workteam-member-detail",
        kwargs={
            "org_slug": member.workteam.organization.slug,
            "workteam_id": member.workteam_id,
            "member_id": member.pk,
        },
    )


def test_create_private_team_with_groups_and_qualifications(owner_client, owner):
    spanish = services.qualification_create(
        organization=owner.organization, name="Spanish", actor=owner.user
    )

    response = owner_client.post(
        teams_url(owner.organization),
        {
            "name": "es-annotators",
            "kind": "private",
            "description": "Spanish speakers",
            "oidc_groups": ["labelers-es", "labelers-es"],
            "qualification_ids": [spanish.pk],
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["kind"], body["workforce"]) == (
        "es-annotators",
        "private",
        "default",
    )
    assert body["oidc_groups"] == ["labelers-es"]
    assert body["required_qualifications"] == [{"id": spanish.pk, "name": "Spanish"}]
    assert body["has_webhook_secret"] is False


def test_create_public_team_uses_the_platform_crowd(owner_client, owner):
    response = owner_client.post(
        teams_url(owner.organization), {"name": "crowd", "kind": "public"}, format="json"
    )

    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["workforce"]) == ("public", "public-crowd")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "-bad", "kind": "private"}, "name"),
        ({"name": "has space", "kind": "private"}, "name"),
        ({"name": "x" * 64, "kind": "private"}, "name"),
        ({"name": "ok", "kind": "public", "oidc_groups": ["g"]}, "oidc_groups"),
        (
            {"name": "ok", "kind": "private", "oidc_groups": [f"g{n}" for n in range(11)]},
            "oidc_groups",
        ),
        ({"name": "ok", "kind": "private", "qualification_ids": [999999]}, "qualification_ids"),
        ({"name": "ok", "kind": "vendor"}, "vendor_subscription_id"),
        (
            {"name": "ok", "kind": "vendor", "vendor_subscription_id": 999999},
            "vendor_subscription_id",
        ),
        (
            {
                "name": "ok",
                "kind": "private",
                "webhook_url": "http://127.0.0.1:9/hook",
                "webhook_secret": "0123456789abcdef",
            },
            "webhook_url",
        ),
        (
            {
                "name": "ok",
                "kind": "private",
                "webhook_url": "http://169.254.169.254/latest/meta-data",
                "webhook_secret": "0123456789abcdef",
            },
            "webhook_url",
        ),
        (
            {
                "name": "ok",
                "kind": "private",
                "webhook_url": "http://[::ffff:127.0.0.1]/",
                "webhook_secret": "0123456789abcdef",
            },
            "webhook_url",
        ),
        (
            {"name": "ok", "kind": "private", "webhook_url": "https://93.184.216.34/hook"},
            "webhook_secret",
        ),
        (
            {
                "name": "ok",
                "kind": "private",
                "webhook_url": "https://93.184.216.34/hook",
                "webhook_secret": "short",
            },
            "webhook_secret",
        ),
    ],
)
def test_bad_team_input_is_refused_and_nothing_is_written(owner_client, owner, payload, field):
    response = owner_client.post(teams_url(owner.organization), payload, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json()["details"]
    assert not Workteam.objects.exists()


def test_team_names_are_unique_per_organization(owner_client, owner):
    private_team(owner, "annotators")
    private_team(MembershipFactory(), "annotators")  # another organization may reuse it

    response = owner_client.post(
        teams_url(owner.organization), {"name": "annotators", "kind": "public"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"
    assert Workteam.objects.filter(organization=owner.organization).count() == 1


def test_vendor_team_needs_an_active_subscription(owner_client, owner):
    vendor_owner, _, _ = vendor_with_team()
    subscription = services.vendor_subscription_request(
        organization=owner.organization,
        vendor_slug=vendor_owner.organization.slug,
        actor=owner.user,
    )

    response = owner_client.post(
        teams_url(owner.organization),
        {"name": "v", "kind": "vendor", "vendor_subscription_id": subscription.pk},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "subscription_not_active"
    assert not Workteam.objects.filter(organization=owner.organization).exists()


def test_webhook_is_stored_with_its_secret_encrypted(owner_client, owner):
    response = owner_client.post(
        teams_url(owner.organization),
        {
            "name": "hooked",
            "kind": "private",
            "webhook_url": "https://93.184.216.34/hook",
            "webhook_secret": "0123456789abcdef",
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["has_webhook_secret"] is True
    assert "0123456789abcdef" not in response.content.decode()
    team = Workteam.objects.get(name="hooked")
    assert decrypt(team.webhook_secret_encrypted) == "0123456789abcdef"


def test_list_detail_update_and_delete(owner_client, owner):
    team = private_team(owner, "a")
    public_team(owner, "b")

    listed = owner_client.get(teams_url(owner.organization))
    updated = owner_client.patch(
        team_url(team), {"description": "night shift", "oidc_groups": ["ops"]}, format="json"
    )
    deleted = owner_client.delete(team_url(team))

    assert [row["name"] for row in listed.json()["results"]] == ["b", "a"]
    assert (updated.json()["description"], updated.json()["oidc_groups"]) == (
        "night shift",
        ["ops"],
    )
    assert deleted.status_code == 204
    assert list(Workteam.objects.values_list("name", flat=True)) == ["b"]


def test_update_refuses_a_loopback_webhook_and_keeps_the_old_one(owner_client, owner):
    team = private_team(
        owner, webhook_url="https://93.184.216.34/hook", webhook_secret="0123456789abcdef"
    )

    response = owner_client.patch(
        team_url(team), {"webhook_url": "http://localhost:8000/"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "url_not_allowed"
    team.refresh_from_db()
    assert team.webhook_url == "https://93.184.216.34/hook"


def test_team_list_query_count_is_constant(owner_client, owner, django_assert_num_queries):
    qualification = services.qualification_create(
        organization=owner.organization, name="q", actor=owner.user
    )
    for index in range(5):
        private_team(owner, f"t{index}", qualification_ids=[qualification.pk])

    # organization (middleware), membership, page of teams, their qualifications
    with django_assert_num_queries(4):
        response = owner_client.get(teams_url(owner.organization))

    assert len(response.json()["results"]) == 5


def test_members_of_a_private_team_are_shown_with_email_and_worker_id(owner_client, owner):
    worker = worker_of(owner.organization)
    team = private_team(owner)

    added = owner_client.post(members_url(team), {"user_id": worker.pk}, format="json")
    listed = owner_client.get(members_url(team))

    assert added.status_code == 201
    row = listed.json()["results"][0]
    assert row["user"]["email"] == worker.email
    assert row["worker_id"] == anonymized_worker_id(user=worker, organization=owner.organization)
    assert row["source"] == "manual"


def test_only_workers_of_the_organization_can_be_added(owner_client, owner):
    outsider = MembershipFactory().user
    reviewer = MembershipFactory(organization=owner.organization, role=Role.REVIEWER).user
    team = private_team(owner)

    not_member = owner_client.post(members_url(team), {"user_id": outsider.pk}, format="json")
    not_worker = owner_client.post(members_url(team), {"user_id": reviewer.pk}, format="json")

    assert (not_member.status_code, list(not_member.json()["details"])) == (400, ["user_id"])
    assert (not_worker.status_code, list(not_worker.json()["details"])) == (400, ["user_id"])
    assert not WorkteamMember.objects.exists()


def test_adding_a_member_twice_is_a_conflict(owner_client, owner):
    worker = worker_of(owner.organization)
    team = private_team(owner, members=[worker])

    response = owner_client.post(members_url(team), {"user_id": worker.pk}, format="json")

    assert response.status_code == 409
    assert WorkteamMember.objects.count() == 1


def test_remove_member(owner_client, owner):
    private_team(owner, members=[worker_of(owner.organization)])
    member = WorkteamMember.objects.get()

    assert owner_client.delete(member_url(member)).status_code == 204
    assert not WorkteamMember.objects.exists()


def test_requester_sees_vendor_workers_by_anonymized_id_only(owner_client, owner):
    vendor_owner, vendor_team, vendor_workers = vendor_with_team(workers=2)
    team, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team)

    response = owner_client.get(members_url(team))

    assert response.status_code == 200
    expected = sorted(
        anonymized_worker_id(user=user, organization=owner.organization) for user in vendor_workers
    )
    assert sorted(row["worker_id"] for row in response.json()["results"]) == expected
    content = response.content.decode()
    for user in vendor_workers:
        assert user.email not in content and user.name not in content
    assert set(response.json()["results"][0]) == {"worker_id"}


def test_vendor_team_detail_names_the_vendor_and_no_people(owner_client, owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team("Acme Vendor")
    team, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team)

    response = owner_client.get(team_url(team))

    assert response.json()["vendor"] == {
        "name": "Acme Vendor",
        "slug": vendor_owner.organization.slug,
    }
    assert vendor_worker.email not in response.content.decode()


def test_public_team_has_no_member_list(owner_client, owner):
    team = public_team(owner)

    assert owner_client.get(members_url(team)).status_code == 400


def test_worker_and_reviewer_roles_cannot_list_teams(api_client, owner):
    private_team(owner)
    for role in (Role.WORKER, Role.REVIEWER):
        member = MembershipFactory(organization=owner.organization, role=role)
        api_client.force_authenticate(member.user)
        assert api_client.get(teams_url(owner.organization)).status_code == 403


def test_requester_can_create_teams(api_client, owner):
    requester = MembershipFactory(organization=owner.organization, role=Role.REQUESTER)
    api_client.force_authenticate(requester.user)

    response = api_client.post(
        teams_url(owner.organization), {"name": "mine", "kind": "public"}, format="json"
    )

    assert response.status_code == 201


def test_every_team_endpoint_returns_404_to_another_organization(owner):
    team = private_team(owner, members=[worker_of(owner.organization)])
    member = WorkteamMember.objects.get()
    unchanged = [
        Workteam.objects.all(),
        WorkteamMember.objects.all(),
        WorkteamRequirement.objects.all(),
    ]

    assert_other_organization_gets_404(teams_url(owner.organization))
    assert_other_organization_gets_404(
        teams_url(owner.organization),
        method="post",
        data={"name": "x", "kind": "private"},
        unchanged=unchanged,
    )
    assert_other_organization_gets_404(team_url(team))
    assert_other_organization_gets_404(
        team_url(team), method="patch", data={"description": "x"}, unchanged=unchanged
    )
    assert_other_organization_gets_404(team_url(team), method="delete", unchanged=unchanged)
    assert_other_organization_gets_404(members_url(team))
    assert_other_organization_gets_404(
        members_url(team), method="post", data={"user_id": member.user_id}, unchanged=unchanged
    )
    assert_other_organization_gets_404(member_url(member), method="delete", unchanged=unchanged)


def test_another_organizations_team_id_in_my_url_is_404(owner_client, owner):
    foreign = private_team(MembershipFactory(), "foreign")
    url = reverse(
        "workteam-detail", kwargs={"org_slug": owner.organization.slug, "workteam_id": foreign.pk}
    )

    assert owner_client.get(url).status_code == 404
    assert owner_client.delete(url).status_code == 404
    assert Workteam.objects.filter(pk=foreign.pk).exists()
