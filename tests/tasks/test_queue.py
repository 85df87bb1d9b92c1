from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.projects.models import Project
from apps.tasks.models import Assignment, Task
from tests.work import answer, text_project
from tests.workforces.helpers import worker_of

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def next_task(client, **data):
    return client.post(reverse("work-next"), data, format="json")


def submit(client, assignment_id, body):
    return client.post(
        reverse("work-submit", args=[assignment_id]), {"answer": body}, format="json"
    )


def test_next_claims_the_oldest_task_with_a_deadline(owner):
    project, (worker, _) = text_project(owner, items=3, task_time_limit_seconds=120)

    response = next_task(client_for(worker))

    assert response.status_code == 201
    body = response.json()
    first_task = Task.objects.filter(project=project).order_by("pk").first()
    assignment = Assignment.objects.get(pk=body["id"])
    assert assignment.task == first_task and assignment.worker == worker
    assert body["input"]["source"] == "text number 0"
    assert body["project"]["labels"][0]["label"] == "positive"
    assert 115 <= (assignment.deadline - timezone.now()).total_seconds() <= 120
    assert Task.objects.get(pk=first_task.pk).live_assignments == 1


def test_one_worker_per_answer_needed_then_the_next_task(owner):
    project, (first, second) = text_project(owner, items=2, workers=2, answers_per_item=2)
    third = worker_of(owner.organization)
    from apps.workforces import services as workforce_services

    workforce_services.workteam_member_add(workteam=project.workteam, user=third, actor=owner.user)

    a = next_task(client_for(first)).json()
    b = next_task(client_for(second)).json()
    c = next_task(client_for(third)).json()

    task_of = {row.pk: row.task_id for row in Assignment.objects.all()}
    assert task_of[a["id"]] == task_of[b["id"]] != task_of[c["id"]]


def test_at_the_concurrency_limit_next_resumes_the_held_assignment(owner):
    _, (worker, _) = text_project(owner, items=3)
    client = client_for(worker)

    first = next_task(client).json()
    again = next_task(client)

    assert again.status_code == 201 and again.json()["id"] == first["id"]
    assert Assignment.objects.count() == 1


def test_no_work_is_204(owner):
    _, (worker, _) = text_project(owner, items=1)
    client = client_for(worker)
    assignment = next_task(client).json()
    submit(client, assignment["id"], answer())

    assert next_task(client).status_code == 204


def test_a_worker_on_no_team_gets_no_work(owner):
    text_project(owner, items=1)
    stranger = worker_of(owner.organization)

    assert next_task(client_for(stranger)).status_code == 204
    assert not Assignment.objects.exists()


def test_next_for_a_project_the_worker_is_not_on_is_404(owner):
    project, _ = text_project(owner, items=1)
    stranger = worker_of(owner.organization)

    response = next_task(client_for(stranger), project_id=project.id)

    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_submit_stores_the_answer_and_completes_the_project(owner):
    project, (worker, _) = text_project(owner, items=1)
    client = client_for(worker)
    assignment = next_task(client).json()

    response = submit(client, assignment["id"], answer("negative"))

    assert response.status_code == 200
    stored = Assignment.objects.get(pk=assignment["id"])
    assert stored.status == Assignment.Status.SUBMITTED
    assert stored.answer == answer("negative")
    task = Task.objects.get(project=project)
    assert (task.status, task.answers_received, task.live_assignments) == ("answered", 1, 0)
    assert Project.objects.get(pk=project.pk).status == Project.Status.COMPLETED


def test_a_retried_submit_returns_the_same_result(owner):
    _, (worker, _) = text_project(owner, items=2)
    client = client_for(worker)
    assignment = next_task(client).json()

    first = submit(client, assignment["id"], answer())
    retry = submit(client, assignment["id"], answer())
    different = submit(client, assignment["id"], answer("negative"))

    assert first.status_code == retry.status_code == 200
    assert first.json() == retry.json()
    assert different.status_code == 409 and different.json()["code"] == "already_submitted"
    assert Task.objects.get(pk=Assignment.objects.get().task_id).answers_received == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"crowd-classifier": {"label": "meh"}}, "Unknown label 'meh'"),
        ({"crowd-classifier": {}}, 'Expected {"label": <category>}.'),
        ({"a": {"label": "positive"}, "b": {"label": "positive"}}, "exactly one labeled element"),
        (["positive"], "must be a JSON object"),
        ({"crowd-classifier": {"label": "x" * 1_100_000}}, "at most 1000000 are accepted"),
    ],
)
def test_invalid_answers_are_400_and_change_nothing(owner, body, message):
    _, (worker, _) = text_project(owner, items=1)
    client = client_for(worker)
    assignment = next_task(client).json()

    response = submit(client, assignment["id"], body)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"
    assert message in response.json()["message"]
    stored = Assignment.objects.get(pk=assignment["id"])
    assert (stored.status, stored.answer) == (Assignment.Status.ACTIVE, None)
    assert Task.objects.get().answers_received == 0


def test_submit_after_the_deadline_is_refused_and_the_task_returns(owner):
    _, (first, second) = text_project(owner, items=1)
    assignment = next_task(client_for(first)).json()
    Assignment.objects.filter(pk=assignment["id"]).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )

    late = submit(client_for(first), assignment["id"], answer())
    other = next_task(client_for(second))

    assert late.status_code == 409 and late.json()["code"] == "assignment_expired"
    assert other.status_code == 201  # expiry needed no periodic job
    assert Assignment.objects.get(pk=assignment["id"]).status == Assignment.Status.EXPIRED
    assert Task.objects.get().live_assignments == 1


def test_submitting_another_workers_assignment_is_404(owner):
    _, (first, second) = text_project(owner, items=1)
    assignment = next_task(client_for(first)).json()

    response = submit(client_for(second), assignment["id"], answer())

    assert response.status_code == 404
    assert Assignment.objects.get(pk=assignment["id"]).status == Assignment.Status.ACTIVE


def test_decline_gives_the_task_to_someone_else_never_back(owner):
    _, (first, second) = text_project(owner, items=1)
    assignment = next_task(client_for(first)).json()

    declined = client_for(first).post(reverse("work-decline", args=[assignment["id"]]))
    again = next_task(client_for(first))
    other = next_task(client_for(second))

    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert again.status_code == 204
    assert other.status_code == 201


def test_release_puts_the_task_back_for_anyone(owner):
    _, (worker, _) = text_project(owner, items=1)
    client = client_for(worker)
    assignment = next_task(client).json()

    released = client.post(reverse("work-release", args=[assignment["id"]]))
    again = next_task(client)

    assert released.status_code == 200 and released.json()["status"] == "released"
    assert again.status_code == 201 and again.json()["id"] != assignment["id"]


def test_release_of_a_submitted_assignment_is_409(owner):
    _, (worker, _) = text_project(owner, items=2)
    client = client_for(worker)
    assignment = next_task(client).json()
    submit(client, assignment["id"], answer())

    response = client.post(reverse("work-release", args=[assignment["id"]]))

    assert response.status_code == 409 and response.json()["code"] == "assignment_not_active"
    assert Assignment.objects.get(pk=assignment["id"]).status == Assignment.Status.SUBMITTED


def test_worker_lists_their_own_assignments_only(owner):
    _, (first, second) = text_project(owner, items=2)
    mine = next_task(client_for(first)).json()
    next_task(client_for(second))

    response = client_for(first).get(reverse("work-assignment-list"))

    assert [row["id"] for row in response.json()["results"]] == [mine["id"]]


def test_worker_api_is_refused_outside_the_workforce_ip_ranges(owner):
    from apps.workforces import services as workforce_services

    project, (worker, _) = text_project(owner, items=2)
    client = client_for(worker)
    assignment = next_task(client).json()
    workforce_services.workforce_update_source_cidrs(
        workforce=project.workteam.workforce, cidrs=["2001:db8::/32"], actor=owner.user
    )

    refused = [
        next_task(client),
        client.get(reverse("work-assignment-detail", args=[assignment["id"]])),
        submit(client, assignment["id"], answer()),
        client.post(reverse("work-release", args=[assignment["id"]])),
    ]

    assert [response.status_code for response in refused] == [403, 403, 403, 403]
    assert {response.json()["code"] for response in refused} == {"ip_not_allowed"}
    assert Assignment.objects.get(pk=assignment["id"]).status == Assignment.Status.ACTIVE


def test_worker_api_from_an_allowed_address_works(owner):
    from apps.workforces import services as workforce_services

    project, (worker, _) = text_project(owner, items=1)
    workforce_services.workforce_update_source_cidrs(
        workforce=project.workteam.workforce, cidrs=["127.0.0.0/8"], actor=owner.user
    )

    assert next_task(client_for(worker)).status_code == 201


def ner_answer(*entities) -> dict:
    return {
        "crowd-entity-annotation": {
            "entities": [
                {"label": label, "startOffset": start, "endOffset": end}
                for label, start, end in entities
            ]
        }
    }


@pytest.mark.parametrize(
    ("entities", "message"),
    [
        ((("person", 5, 40),), "outside the text (0-13)"),
        ((("person", -1, 3),), "outside the text"),
        ((("person", 4, 4),), "outside the text"),
        ((("person", 0, 4), ("place", 2, 6)), "Entities #1 and #2 overlap."),
        ((("alien", 0, 4),), "Unknown label 'alien'"),
        ((("person", "0", 4),), "integer startOffset and endOffset"),
    ],
)
def test_invalid_entity_spans_are_400_and_change_nothing(owner, entities, message):
    _, (worker, _) = text_project(
        owner,
        items=1,
        task_type="named_entity_recognition",
        label_attribute_name="entities",
        labels=[{"label": "person"}, {"label": "place"}],
    )
    client = client_for(worker)
    assignment = next_task(client).json()

    response = submit(client, assignment["id"], ner_answer(*entities))

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert Assignment.objects.get(pk=assignment["id"]).answer is None


def test_valid_entity_spans_are_stored(owner):
    _, (worker, _) = text_project(
        owner,
        items=1,
        task_type="named_entity_recognition",
        label_attribute_name="entities",
        labels=[{"label": "person"}, {"label": "place"}],
    )
    client = client_for(worker)
    assignment = next_task(client).json()
    body = ner_answer(("person", 0, 4), ("place", 5, 11))

    assert submit(client, assignment["id"], body).status_code == 200
    assert Assignment.objects.get(pk=assignment["id"]).answer == body


@pytest.mark.parametrize(
    ("labels", "status", "message"),
    [
        (["positive", "negative"], 200, ""),
        (["positive", "positive"], 400, "A label appears twice."),
        (["positive", "bogus"], 400, "Unknown label 'bogus'"),
        ("positive", 400, 'Expected {"labels": [<category>, ...]}.'),
    ],
)
def test_multilabel_answers_are_checked(owner, labels, status, message):
    _, (worker, _) = text_project(owner, items=1, task_type="text_classification_multilabel")
    client = client_for(worker)
    assignment = next_task(client).json()

    response = submit(
        client, assignment["id"], {"crowd-classifier-multi-select": {"labels": labels}}
    )

    assert response.status_code == status
    if message:
        assert message in response.json()["message"]


def test_work_api_takes_people_not_api_credentials(owner):
    from tests.factories import api_credential

    text_project(owner, items=1)
    _, bearer = api_credential(owner)

    response = APIClient(HTTP_AUTHORIZATION=bearer).post(reverse("work-next"), {}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
    assert not Assignment.objects.exists()
