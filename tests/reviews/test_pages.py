"""Requester pages: flows, loops with status and answers, task UI preview, review queue."""

import json

import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.reviews import services
from apps.tasks import services as task_services
from apps.tasks.models import Assignment
from tests.factories import MembershipFactory
from tests.work import answer, text_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_page(client, owner):
    client.force_login(owner.user)
    return client


def answered_loop(owner, flow, team, worker, capture):
    loop = services.human_loop_start(
        organization=owner.organization,
        actor=owner.user,
        flow=flow,
        name="loop-7",
        input_content=json.dumps({"text": "Quite good"}),
    ).loop
    assignment = task_services.assignment_next(worker=worker, workteam_ids=[team.pk])
    with capture(execute=True):
        task_services.assignment_submit(
            assignment=assignment, worker=worker, answer={"sentiment": {"label": "positive"}}
        )
    return loop


def test_flows_page_lists_flows_and_task_uis(owner_page, organization, flow, ui):
    page = owner_page.get(reverse("reviews:flows", args=[organization.slug]))

    assert page.status_code == 200
    assert "fd-sentiment" in page.content.decode()
    assert "sentiment-ui" in page.content.decode()


def test_flow_and_loop_pages_show_status_and_answers(
    owner_page, owner, organization, flow, team, workers, django_capture_on_commit_callbacks
):
    answered_loop(owner, flow, team, workers[0], django_capture_on_commit_callbacks)

    flow_page = owner_page.get(reverse("reviews:flow", args=[organization.slug, flow.name]))
    loop_page = owner_page.get(reverse("reviews:loop", args=[organization.slug, "loop-7"]))

    assert "loop-7" in flow_page.content.decode()
    body = loop_page.content.decode()
    assert 'data-testid="loop-status">Completed' in body
    assert "Quite good" in body
    assert "&quot;label&quot;: &quot;positive&quot;" in body


def test_the_loop_page_stops_a_loop(owner_page, owner, organization, flow):
    loop = services.human_loop_start(
        organization=organization,
        actor=owner.user,
        flow=flow,
        name="loop-8",
        input_content="{}",
    ).loop

    response = owner_page.post(reverse("reviews:loop_stop", args=[organization.slug, loop.name]))

    assert response.status_code == 302
    loop.refresh_from_db()
    assert loop.status == "Stopped"


def test_the_task_ui_page_previews_in_the_sandboxed_frame_or_names_the_problem(
    owner_page, organization, ui
):
    url = reverse("reviews:task_ui", args=[organization.slug, ui.name])

    good = owner_page.get(url, {"input": '{"text": "Hello"}'})
    bad = owner_page.get(url, {"input": "[1]"})

    assert 'data-task-frame title="Worker UI preview"' in good.content.decode()
    assert "The sample input must be a JSON object." in bad.content.decode()


def test_pages_are_404_to_another_organization(client, organization, flow, ui):
    outsider = MembershipFactory()
    client.force_login(outsider.user)

    for name, args in [
        ("reviews:flows", []),
        ("reviews:flow", [flow.name]),
        ("reviews:task_ui", [ui.name]),
    ]:
        assert client.get(reverse(name, args=[organization.slug, *args])).status_code == 404


def test_a_reviewer_rejects_and_approves_on_the_queue_page(client, owner):
    project, people = text_project(owner, items=2, workers=1)
    first, second = (
        task_services.assignment_submit(
            assignment=task_services.assignment_next(
                worker=people[0], workteam_ids=[project.workteam_id]
            ),
            worker=people[0],
            answer=answer("negative"),
        )
        for _ in range(2)
    )
    reviewer = MembershipFactory(organization=owner.organization, role=Role.REVIEWER)
    client.force_login(reviewer.user)
    slug = owner.organization.slug
    act = reverse("reviews:act", args=[slug, project.pk])

    page = client.get(reverse("reviews:queue", args=[slug, project.pk]))
    no_reason = client.post(act, {"action": "reject", "assignment_id": first.pk})
    client.post(act, {"action": "reject", "assignment_id": first.pk, "reason": "Wrong"})
    client.post(act, {"action": "bulk_approve", "assignment_ids": [second.pk]})

    assert page.status_code == 200
    assert f'data-testid="review-row-{first.pk}"' in page.content.decode()
    assert no_reason.status_code == 302
    assert dict(Assignment.objects.values_list("pk", "review_status")) == {
        first.pk: "rejected",
        second.pk: "approved",
    }
    assert Assignment.objects.get(pk=first.pk).reviewed_by == reviewer.user


def test_a_worker_member_cannot_open_the_review_queue(client, owner):
    project, _ = text_project(owner, items=1, workers=1)
    member = MembershipFactory(organization=owner.organization, role=Role.WORKER)
    client.force_login(member.user)

    page = client.get(reverse("reviews:queue", args=[owner.organization.slug, project.pk]))

    assert page.status_code == 403


@pytest.mark.parametrize(("given", "stored"), [("600", 600), ("", 3 * 24 * 3600)])
def test_the_project_form_sets_the_auto_approval_delay(owner_page, owner, given, stored):
    from apps.projects.models import Project
    from tests.projects.test_pages import form_data
    from tests.work import dataset_of_texts
    from tests.workforces.helpers import private_team

    data = form_data(
        dataset_of_texts(owner, ["a text"]),
        private_team(owner),
        auto_approval_delay_seconds=given,
    )

    response = owner_page.post(reverse("project_new", args=[owner.organization.slug]), data)

    assert response.status_code == 302
    assert Project.objects.get().auto_approval_delay_seconds == stored
