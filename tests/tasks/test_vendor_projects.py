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
