import pytest
from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

from apps.projects.models import Project
from apps.tasks.models import Assignment, Task
from tests.factories import MembershipFactory
from tests.tenancy import assert_other_organization_gets_404
from tests.work import LABELS, answer, dataset_of_texts, text_project
from tests.workforces.helpers import private_team, public_team, worker_of

pytestmark = pytest.mark.django_db


def projects_url(organization) -> str:
    return reverse("project-list", kwargs={"org_slug": organization.slug})


def project_url(project, name: str = "project-detail") -> str:
    return reverse(name, kwargs={"org_slug": project.organization.slug, "project_id": project.id})


@pytest.fixture
def setup(owner):
    team = private_team(owner, members=[worker_of(owner.organization)])
    dataset = dataset_of_texts(owner, ["good", "bad", "fine"])
    return {"dataset_id": dataset.id, "workteam_id": team.id}


def payload(setup, **overrides) -> dict:
    return {
        "name": "sentiment",
        "task_type": "text_classification",
        "label_attribute_name": "sentiment",
        "labels": LABELS,
        **setup,
        **overrides,
    }


def test_create_a_project(owner_client, owner, setup):
    response = owner_client.post(projects_url(owner.organization), payload(setup), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["answers_per_item"], body["task_time_limit_seconds"]) == (
        "draft",
        3,
        300,
    )
    assert body["labels"] == LABELS


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "no spaces allowed"}, "name"),
        ({"label_attribute_name": "sentiment-metadata"}, "label_attribute_name"),
        ({"label_attribute_name": "mask-ref"}, "label_attribute_name"),
        ({"labels": []}, "labels"),
        ({"labels": [{"label": "a"}, {"label": "a"}]}, "labels"),
        ({"labels": [{"label": "x" * 17}]}, "labels"),
        ({"answers_per_item": 10}, "answers_per_item"),
        ({"task_time_limit_seconds": 10}, "task_time_limit_seconds"),
        ({"task_type": "astrology"}, "task_type"),
        ({"dataset_id": 999999}, "dataset_id"),
    ],
)
def test_invalid_projects_name_the_field_and_write_nothing(
    owner_client, owner, setup, overrides, field
):
    response = owner_client.post(
        projects_url(owner.organization), payload(setup, **overrides), format="json"
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["details"]
    assert not Project.objects.exists()


def test_public_work_needs_a_price(owner_client, owner, setup):
    crowd = public_team(owner)

    response = owner_client.post(
        projects_url(owner.organization), payload(setup, workteam_id=crowd.id), format="json"
    )

    assert response.status_code == 400
    assert "price_per_task" in response.json()["details"]


def test_another_organizations_dataset_cannot_be_used(owner_client, owner, setup):
    other = MembershipFactory()
    foreign = dataset_of_texts(other, ["x"], name="theirs")

    response = owner_client.post(
        projects_url(owner.organization), payload(setup, dataset_id=foreign.id), format="json"
    )

    assert response.status_code == 400
    assert response.json()["details"] == {"dataset_id": ["No such dataset."]}
    assert not Project.objects.exists()


def test_duplicate_name_is_a_conflict(owner_client, owner, setup):
    owner_client.post(projects_url(owner.organization), payload(setup), format="json")

    response = owner_client.post(projects_url(owner.organization), payload(setup), format="json")

    assert response.status_code == 409
    assert Project.objects.count() == 1


def test_start_creates_one_task_per_item_and_progress_counts_them(owner_client, owner, setup):
    project_id = owner_client.post(
        projects_url(owner.organization), payload(setup), format="json"
    ).json()["id"]
    project = Project.objects.get(pk=project_id)

    with TestCase.captureOnCommitCallbacks(execute=True):
        started = owner_client.post(project_url(project, "project-start"))
    progress = owner_client.get(project_url(project, "project-progress"))

    assert started.status_code == 200
    assert Project.objects.get(pk=project_id).status == Project.Status.IN_PROGRESS
    assert Task.objects.filter(project=project).count() == 3
    assert progress.json() == {
        "status": "in_progress",
        "tasks": {
            "total": 3,
            "waiting": 3,
            "in_progress": 0,
            "answered": 0,
            "withdrawn": 0,
            "preparing": 0,
            "skipped": 0,
            "failed": 0,
        },
        "answers": 0,
    }


def test_starting_twice_is_a_conflict(owner_client, owner):
    project, _ = text_project(owner, items=1)

    response = owner_client.post(project_url(project, "project-start"))

    assert response.status_code == 409
    assert response.json()["code"] == "project_transition_refused"


def test_editing_a_started_project_is_refused(owner_client, owner):
    project, _ = text_project(owner, items=1)

    response = owner_client.patch(project_url(project), {"answers_per_item": 5}, format="json")

    assert response.status_code == 409
    assert Project.objects.get(pk=project.pk).answers_per_item == 1


def test_stop_withdraws_waiting_tasks_and_lets_held_work_finish(owner_client, owner):
    project, (worker, _) = text_project(owner, items=3)
    worker_client = APIClient()
    worker_client.force_login(worker)
    held = worker_client.post(reverse("work-next"), {}, format="json").json()

    stopped = owner_client.post(project_url(project, "project-stop"))
    assert stopped.json()["status"] == "stopping"
    assert Task.objects.filter(project=project, status="withdrawn").count() == 2

    submitted = worker_client.post(
        reverse("work-submit", args=[held["id"]]), {"answer": answer()}, format="json"
    )
    assert submitted.status_code == 200
    assert Project.objects.get(pk=project.pk).status == Project.Status.STOPPED


def test_stopping_condition_stops_the_project(owner):
    project, (worker, _) = text_project(owner, items=4, max_human_labeled_items=1)
    client = APIClient()
    client.force_login(worker)
    held = client.post(reverse("work-next"), {}, format="json").json()

    client.post(reverse("work-submit", args=[held["id"]]), {"answer": answer()}, format="json")

    assert Project.objects.get(pk=project.pk).status == Project.Status.STOPPED
    assert Task.objects.filter(project=project, status="withdrawn").count() == 3


def test_requester_sees_assignments_with_anonymized_workers(owner_client, owner):
    project, (worker, _) = text_project(owner, items=1)
    client = APIClient()
    client.force_login(worker)
    client.post(reverse("work-next"), {}, format="json")

    response = owner_client.get(project_url(project, "project-assignments"))

    row = response.json()["results"][0]
    assert row["status"] == "active"
    assert worker.email not in str(response.json())
    assert row["worker_id"] and row["worker_id"] != str(worker.id)


def test_project_endpoints_return_404_to_another_organization(owner, setup):
    project, _ = text_project(owner, items=1, team_name="second", dataset_name="second")

    assert_other_organization_gets_404(projects_url(owner.organization))
    assert_other_organization_gets_404(
        projects_url(owner.organization),
        method="post",
        data={"name": "x"},
        unchanged=[Project.objects.all()],
    )
    assert_other_organization_gets_404(project_url(project))
    assert_other_organization_gets_404(
        project_url(project),
        method="patch",
        data={"priority": 5},
        unchanged=[Project.objects.all()],
    )
    for name in ("project-start", "project-stop"):
        assert_other_organization_gets_404(
            project_url(project, name),
            method="post",
            unchanged=[Project.objects.all(), Task.objects.all()],
        )
    assert_other_organization_gets_404(project_url(project, "project-progress"))
    assert_other_organization_gets_404(project_url(project, "project-assignments"))
    assert not Assignment.objects.exists()


def test_starting_notifies_the_team_once(owner, django_capture_on_commit_callbacks):
    from django.core import mail

    from apps.tasks import services as task_services
    from apps.workforces.models import WorkNotice

    project, people = text_project(owner, items=2, workers=2)
    task_services.project_tasks_create(project=project)  # the job running a second time

    notices = WorkNotice.objects.filter(workteam=project.workteam)
    assert sorted(notices.values_list("user_id", flat=True)) == sorted(user.id for user in people)
    assert set(notices.values_list("count", flat=True)) == {2}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in people)


def test_the_periodic_sweep_finishes_a_stopping_project_whose_last_hold_expired(
    owner_client, owner
):
    from datetime import timedelta

    from django.utils import timezone

    from apps.tasks.jobs import assignments_expire

    project, (worker, _) = text_project(owner, items=2)
    client = APIClient()
    client.force_login(worker)
    client.post(reverse("work-next"), {}, format="json")
    owner_client.post(project_url(project, "project-stop"))
    Assignment.objects.update(deadline=timezone.now() - timedelta(seconds=1))

    assignments_expire.apply()

    assert Assignment.objects.get().status == Assignment.Status.EXPIRED
    assert Project.objects.get(pk=project.pk).status == Project.Status.STOPPED
    assert Task.objects.filter(project=project, status="withdrawn").count() == 2
