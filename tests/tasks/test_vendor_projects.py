from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from tests.factories import MembershipFactory
from tests.work import text_project
from tests.workforces.helpers import subscribed_vendor_team, vendor_with_team

pytestmark = pytest.mark.django_db


def test_vendor_managers_see_the_projects_routed_to_them_and_their_workers_can_work(client, owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    team, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team)
    project, _ = text_project(
        owner, items=2, workers=0, workteam=team, price_per_task=Decimal("0.05")
    )
    text_project(MembershipFactory(), items=1, name="someone-elses")  # not routed to this vendor
    manager = MembershipFactory(organization=vendor_owner.organization, role=Role.VENDOR_MANAGER)
    client.force_login(manager.user)

    page = client.get(reverse("vendor_projects", args=[vendor_owner.organization.slug]))

    assert page.status_code == 200
    assert [(p.organization, p.name, p.waiting) for p in page.context["projects"]] == [
        (owner.organization, project.name, 2)
    ]
    client.force_login(vendor_worker)
    assert client.post(reverse("work_start"), {"project_id": project.id}).status_code == 302


def test_routed_projects_are_for_the_vendors_managers_only(client, owner):
    vendor_owner, _, (vendor_worker,) = vendor_with_team()
    url = reverse("vendor_projects", args=[vendor_owner.organization.slug])

    client.force_login(vendor_worker)
    assert client.get(url).status_code == 403
    client.force_login(owner.user)
    assert client.get(url).status_code == 404


def two_routed_teams(owner):
    """A vendor with two teams (one worker each) routed to the requester's subscription, and
    a started project on the requester's vendor workteam."""
    from apps.workforces import services as workforce_services
    from tests.workforces.helpers import worker_of

    vendor_owner, team_a, (worker_a,) = vendor_with_team()
    team_b = workforce_services.workteam_create(
        organization=vendor_owner.organization,
        name="team-b",
        kind="vendor",
        actor=vendor_owner.user,
    )
    worker_b = worker_of(vendor_owner.organization)
    workforce_services.workteam_member_add(workteam=team_b, user=worker_b, actor=vendor_owner.user)
    work, subscription = subscribed_vendor_team(owner, vendor_owner, team_a)
    workforce_services.vendor_routes_set(
        subscription=subscription, team_ids=[team_a.pk, team_b.pk], actor=vendor_owner.user
    )
    project, _ = text_project(
        owner, items=3, workers=0, workteam=work, price_per_task=Decimal("0.05")
    )
    return vendor_owner, project, (team_a, worker_a), (team_b, worker_b)


def next_for(worker, project):
    from apps.tasks import services

    return services.assignment_next(worker=worker, workteam_ids=[project.workteam_id])


def test_a_vendor_narrows_one_project_to_some_of_its_teams(owner):
    from apps.tasks import services

    vendor_owner, project, (team_a, worker_a), (_, worker_b) = two_routed_teams(owner)
    held = next_for(worker_b, project)  # both teams work on it at first

    services.project_routes_set(
        vendor=vendor_owner.organization,
        project_id=project.id,
        team_ids=[team_a.pk],
        actor=vendor_owner.user,
    )

    assert next_for(worker_a, project).project_id == project.id
    assert next_for(worker_b, project) is None
    submitted = services.assignment_submit(  # what team B already holds, it may finish
        assignment=held, worker=worker_b, answer={"crowd-classifier": {"label": "positive"}}
    )
    assert submitted.status == "submitted"
    services.project_routes_set(
        vendor=vendor_owner.organization,
        project_id=project.id,
        team_ids=[],
        actor=vendor_owner.user,
    )
    assert next_for(worker_b, project) is not None  # none named: every routed team again


def test_the_vendor_page_and_api_set_a_projects_teams(client, owner, api_client):
    vendor_owner, project, (team_a, _), (team_b, worker_b) = two_routed_teams(owner)
    manager = MembershipFactory(organization=vendor_owner.organization, role=Role.VENDOR_MANAGER)
    slug = vendor_owner.organization.slug
    client.force_login(manager.user)

    page = client.post(
        reverse("vendor_projects", args=[slug]), {"project_id": project.id, "team_ids": [team_b.pk]}
    )
    listed = client.get(reverse("vendor_projects", args=[slug])).context["projects"]
    api_client.force_authenticate(manager.user)
    response = api_client.put(
        reverse("vendor-project-teams", args=[slug, project.id]),
        {"team_ids": [team_a.pk]},
        format="json",
    )

    assert page.status_code == 302
    assert listed[0].teams == {
        "choices": [(team_b.pk, "team-b"), (team_a.pk, "vendor-team")],
        "chosen": {team_b.pk},
    }
    assert response.json() == {"project_id": project.id, "team_ids": [team_a.pk]}
    client.force_login(worker_b)
    assert [p.id for p in client.get(reverse("work_tasks")).context["projects"]] == []


@pytest.mark.parametrize(
    ("team_ids", "message"),
    [
        ("other-team", "does not work for this subscriber"),
        (["x"], "A valid integer is required."),
    ],
)
def test_teams_not_routed_to_the_subscription_are_refused(owner, api_client, team_ids, message):
    from apps.tasks.models import ProjectRoute
    from apps.workforces import services as workforce_services

    vendor_owner, project, _, _ = two_routed_teams(owner)
    unrouted = workforce_services.workteam_create(
        organization=vendor_owner.organization, name="bench", kind="vendor", actor=vendor_owner.user
    )
    api_client.force_authenticate(vendor_owner.user)

    response = api_client.put(
        reverse("vendor-project-teams", args=[vendor_owner.organization.slug, project.id]),
        {"team_ids": [unrouted.pk] if team_ids == "other-team" else team_ids},
        format="json",
    )

    assert response.status_code == 400
    assert message in str(response.json()["details"]["team_ids"])
    assert not ProjectRoute.objects.exists()


def test_a_project_not_routed_to_the_vendor_is_a_404(owner, api_client):
    from tests.tenancy import assert_other_organization_gets_404

    vendor_owner, project, (team_a, _), _ = two_routed_teams(owner)
    other_vendor, _, _ = vendor_with_team("Other vendor")
    api_client.force_authenticate(other_vendor.user)

    response = api_client.put(
        reverse("vendor-project-teams", args=[other_vendor.organization.slug, project.id]),
        {"team_ids": []},
        format="json",
    )

    assert response.status_code == 404
    assert_other_organization_gets_404(
        reverse("vendor-project-teams", args=[vendor_owner.organization.slug, project.id]),
        method="put",
        data={"team_ids": [team_a.pk]},
    )
