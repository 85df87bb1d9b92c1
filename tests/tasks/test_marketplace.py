from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory
from tests.work import dataset_of_texts, text_project
from tests.workforces.helpers import public_team, public_worker

pytestmark = pytest.mark.django_db


def public_project(owner, name: str, price: str, items: int = 2):
    team = public_team(owner, name=f"crowd-{name}")
    dataset = dataset_of_texts(owner, [f"{name} {n}" for n in range(items)], name=f"data-{name}")
    project, _ = text_project(
        owner, workers=0, name=name, workteam=team, dataset=dataset, price_per_task=Decimal(price)
    )
    return project


def test_marketplace_lists_public_projects_of_every_organization_best_paid_first(client):
    cheap = public_project(MembershipFactory(), "cheap", "0.02")
    rich = public_project(MembershipFactory(), "rich", "0.10", items=3)
    text_project(MembershipFactory(), items=1, name="private-work")  # a private team's: not listed
    client.force_login(public_worker())

    response = client.get(reverse("marketplace"), {"sort": "best_paid"})

    assert response.status_code == 200
    rows = [(project.name, project.waiting) for project in response.context["projects"]]
    assert rows == [(rich.name, 3), (cheap.name, 2)]
    assert b'data-testid="not-opted-in"' not in response.content


def test_marketplace_filters_by_minimum_price_and_search(client):
    public_project(MembershipFactory(), "cheap", "0.02")
    public_project(MembershipFactory(), "rich", "0.10")
    client.force_login(public_worker())

    by_price = client.get(reverse("marketplace"), {"min_price": "0.05"})
    by_search = client.get(reverse("marketplace"), {"q": "chea"})

    assert [p.name for p in by_price.context["projects"]] == ["rich"]
    assert [p.name for p in by_search.context["projects"]] == ["cheap"]


def test_marketplace_rejects_bad_filters_with_400(client):
    client.force_login(public_worker())

    response = client.get(reverse("marketplace"), {"min_price": "-1", "sort": "weird"})

    assert response.status_code == 400
    assert b"greater than or equal to 0" in response.content


def test_a_public_worker_starts_a_marketplace_project(client):
    project = public_project(MembershipFactory(), "rich", "0.10")
    client.force_login(public_worker())

    response = client.post(reverse("work_start"), {"project_id": project.id})

    assert response.status_code == 302 and "/work/assignments/" in response.url


def test_marketplace_invites_people_outside_the_crowd_to_opt_in(client):
    public_project(MembershipFactory(), "rich", "0.10")
    client.force_login(UserFactory())

    response = client.get(reverse("marketplace"))

    assert b'data-testid="not-opted-in"' in response.content
    assert b'data-testid="filters"' in response.content
