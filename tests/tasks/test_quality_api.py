"""Worker quality: the requester's views (per project, per organization) and the worker's."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.tasks import quality
from apps.tasks import services as task_services
from apps.workforces.selectors import anonymized_worker_id
from tests.tenancy import assert_other_organization_gets_404
from tests.work import answer, text_project

pytestmark = pytest.mark.django_db


def work(project, worker, body):
    assignment = task_services.assignment_next(worker=worker, workteam_ids=[project.workteam_id])
    return task_services.assignment_submit(assignment=assignment, worker=worker, answer=body)


def labeled_project(owner):
    """2 items x 3 workers: the third worker disagrees once."""
    project, workers = text_project(owner, items=2, workers=3, answers_per_item=3)
    for labels in (["positive", "positive", "negative"], ["negative", "negative", "negative"]):
        for worker, label in zip(workers, labels, strict=True):
            work(project, worker, answer(label))
    quality.project_reestimate(project=project)
    return project, workers


def test_requester_sees_each_workers_quality_by_anonymized_id(owner, owner_client):
    project, workers = labeled_project(owner)
    url = reverse("project-worker-quality", args=[owner.organization.slug, project.pk])

    rows = owner_client.get(url).json()["results"]

    by_id = {row["worker_id"]: row for row in rows}
    third = by_id[anonymized_worker_id(user=workers[2], organization=owner.organization)]
    first = by_id[anonymized_worker_id(user=workers[0], organization=owner.organization)]
    assert (third["answers"], third["consolidated_answers"], third["agreement"]) == (2, 2, 0.5)
    assert (first["answers"], first["agreement"]) == (2, 1.0)
    assert first["accuracy"] > third["accuracy"]
    assert set(first["confusion"]) == {"positive", "negative"}
    assert set(rows[0]) == {  # no user id, name or email
        "worker_id",
        "answers",
        "consolidated_answers",
        "agreement",
        "accuracy",
        "confusion",
        "updated_at",
    }
    assert_other_organization_gets_404(url)


def test_organization_view_weights_projects_by_answers(owner, owner_client):
    project, workers = labeled_project(owner)
    url = reverse("organization-worker-quality", args=[owner.organization.slug])

    rows = owner_client.get(url).json()["results"]

    third = next(
        row
        for row in rows
        if row["worker_id"]
        == anonymized_worker_id(user=workers[2], organization=owner.organization)
    )
    assert (third["projects"], third["answers"], third["agreement"]) == (1, 2, 0.5)
    assert len(rows) == 3
    assert_other_organization_gets_404(url)


def test_a_worker_sees_only_their_own_quality(owner):
    project, workers = labeled_project(owner)
    client = APIClient()
    client.force_login(workers[2])

    rows = client.get(reverse("work-quality")).json()["results"]

    assert [(r["project"], r["answers"], r["agreement"]) for r in rows] == [
        ({"id": project.pk, "name": project.name}, 2, 0.5)
    ]
