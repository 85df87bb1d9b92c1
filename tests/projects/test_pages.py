import re

import pytest
from django.test import TestCase
from django.urls import reverse

from apps.projects.models import Project
from apps.tasks.models import Assignment, Task
from tests.factories import MembershipFactory
from tests.work import dataset_of_texts, text_project
from tests.workforces.helpers import private_team, worker_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_page(client, owner):
    client.force_login(owner.user)
    return client


def form_data(dataset, team, **overrides) -> dict:
    return {
        "name": "sentiment",
        "dataset": dataset.id,
        "task_type": "text_classification",
        "label_attribute_name": "sentiment",
        "labels": "positive: praise\nnegative",
        "workteam": team.id,
        "answers_per_item": 1,
        "task_time_limit_seconds": 300,
        "task_availability_lifetime_seconds": 86400,
        "max_concurrent_tasks_per_worker": 1,
        "priority": 0,
        **overrides,
    }


def test_new_project_form_creates_a_draft_and_the_page_previews_it(owner_page, owner):
    dataset = dataset_of_texts(owner, ["first review", "second"])
    team = private_team(owner)

    created = owner_page.post(
        reverse("project_new", args=[owner.organization.slug]), form_data(dataset, team)
    )
    project = Project.objects.get()
    page = owner_page.get(created.url)

    assert created.status_code == 302
    assert project.labels == [
        {"label": "positive", "description": "praise"},
        {"label": "negative", "description": ""},
    ]
    html = page.content.decode()
    assert page.status_code == 200 and "Draft" in html
    frame_url = re.search(r'src="(/task-frame/[^"]+)"', html).group(1)
    frame = owner_page.get(frame_url)
    assert "first review" in frame.content.decode()
    assert "sandbox allow-scripts allow-forms" in frame["Content-Security-Policy"]


def test_new_project_form_with_bad_input_is_400_and_writes_nothing(owner_page, owner):
    dataset = dataset_of_texts(owner, ["x"])
    team = private_team(owner)

    response = owner_page.post(
        reverse("project_new", args=[owner.organization.slug]),
        form_data(dataset, team, label_attribute_name="bad-metadata"),
    )

    assert response.status_code == 400
    assert "not ending in" in response.content.decode()
    assert not Project.objects.exists()


def test_edit_a_draft_then_start_and_stop_from_the_page(owner_page, owner):
    project, _ = text_project(owner, items=2, start=False)
    slug = owner.organization.slug

    edited = owner_page.post(
        reverse("project_edit", args=[slug, project.id]),
        form_data(project.dataset, project.workteam, answers_per_item=2),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = owner_page.post(reverse("project_start_page", args=[slug, project.id]))
    stopped = owner_page.post(reverse("project_stop_page", args=[slug, project.id]))

    assert edited.status_code == started.status_code == stopped.status_code == 302
    project.refresh_from_db()
    assert project.answers_per_item == 2
    assert project.status == Project.Status.STOPPED
    assert Task.objects.filter(project=project, status="withdrawn").count() == 2


def test_starting_twice_from_the_page_shows_why(owner_page, owner):
    project, _ = text_project(owner, items=1)

    response = owner_page.post(
        reverse("project_start_page", args=[owner.organization.slug, project.id]), follow=True
    )

    assert "The project is in progress." in response.content.decode()


def test_project_pages_of_another_organization_are_404(client, owner):
    project, _ = text_project(owner, items=1)
    client.force_login(MembershipFactory().user)
    slug = owner.organization.slug

    for url in [
        reverse("project_list", args=[slug]),
        reverse("project_new", args=[slug]),
        reverse("project_page", args=[slug, project.id]),
        reverse("project_edit", args=[slug, project.id]),
    ]:
        assert client.get(url).status_code == 404
    assert client.post(reverse("project_stop_page", args=[slug, project.id])).status_code == 404
    assert Project.objects.get().status == Project.Status.IN_PROGRESS


def test_workers_cannot_open_project_pages(client, owner):
    project, (worker, _) = text_project(owner, items=1)
    client.force_login(worker)

    assert (
        client.get(reverse("project_page", args=[owner.organization.slug, project.id])).status_code
        == 403
    )


def test_my_tasks_lists_available_projects_and_start_opens_a_task(client, owner):
    project, (worker, _) = text_project(owner, items=2)
    client.force_login(worker)

    page = client.get(reverse("work_tasks"))
    started = client.post(reverse("work_start"), {"project_id": project.id})

    assert project.name in page.content.decode()
    assignment = Assignment.objects.get()
    assert started.status_code == 302 and started.url == reverse(
        "work_assignment", args=[assignment.id]
    )
    labeling = client.get(started.url)
    assert labeling.status_code == 200
    assert 'data-testid="countdown"' in labeling.content.decode()


def test_another_workers_assignment_page_is_404(client, owner):
    project, (first, second) = text_project(owner, items=1)
    client.force_login(first)
    client.post(reverse("work_start"), {"project_id": project.id})
    assignment = Assignment.objects.get()

    client.force_login(second)

    assert client.get(reverse("work_assignment", args=[assignment.id])).status_code == 404


def test_work_pages_are_refused_outside_the_workforce_ip_ranges(client, owner):
    from apps.workforces import services as workforce_services

    project, (worker, _) = text_project(owner, items=1)
    workforce_services.workforce_update_source_cidrs(
        workforce=project.workteam.workforce, cidrs=["203.0.113.0/24"], actor=owner.user
    )
    client.force_login(worker)

    response = client.post(reverse("work_start"), {"project_id": project.id})

    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_start_with_no_work_says_so(client, owner):
    project, (worker, other) = text_project(owner, items=1)
    client.force_login(worker)
    client.post(reverse("work_start"), {"project_id": project.id})  # holds the only task
    client.force_login(other)

    response = client.post(reverse("work_start"), {"project_id": project.id}, follow=True)

    assert response.redirect_chain == [(reverse("work_tasks"), 302)]
    assert "No tasks are waiting for you right now." in response.content.decode()
    assert Assignment.objects.count() == 1


def test_start_for_a_project_of_another_team_is_404(client, owner):
    project, _ = text_project(owner, items=1)
    client.force_login(worker_of(owner.organization))

    assert client.post(reverse("work_start"), {"project_id": project.id}).status_code == 404
    assert not Assignment.objects.exists()


def test_new_custom_project_form_takes_hooks_and_refuses_internal_urls(owner_page, owner, settings):
    settings.ANNOTATION_HOOK_CALLABLES = ["tests.tasks.hook_functions.post_majority"]
    dataset = dataset_of_texts(owner, ["x"])
    team = private_team(owner)
    custom = {"task_type": "custom", "ui_template": "<crowd-form></crowd-form>"}

    refused = owner_page.post(
        reverse("project_new", args=[owner.organization.slug]),
        form_data(dataset, team, pre_annotation_hook="http://10.0.0.5/hook", **custom),
    )
    assert refused.status_code == 400
    assert "internal or reserved network address" in refused.content.decode()
    assert not Project.objects.exists()

    created = owner_page.post(
        reverse("project_new", args=[owner.organization.slug]),
        form_data(
            dataset, team, post_annotation_hook="tests.tasks.hook_functions.post_majority", **custom
        ),
    )
    assert created.status_code == 302
    project = Project.objects.get()
    assert (project.pre_annotation_hook, project.post_annotation_hook) == (
        "",
        "tests.tasks.hook_functions.post_majority",
    )
    assert project.hook_secret_encrypted == ""  # only URL hooks are signed
