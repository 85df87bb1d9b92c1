"""Gold (honeypot) items, auto-pause, dynamic overlap, and their settings API."""

import json

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from apps.datasets.models import Item
from apps.projects.models import Project
from apps.tasks import quality
from apps.tasks import services as task_services
from apps.tasks.models import GoldItem, ProjectQuality, Task, WorkerQuality
from tests.tenancy import assert_other_organization_gets_404
from tests.work import answer, text_project

pytestmark = pytest.mark.django_db


def claim(project, worker):
    return task_services.assignment_next(worker=worker, workteam_ids=[project.workteam_id])


def submit(worker, assignment, body):
    return task_services.assignment_submit(assignment=assignment, worker=worker, answer=body)


def items_of(project):
    return list(
        Task.objects.filter(project=project).order_by("pk").values_list("item_id", flat=True)
    )


def set_gold(owner_client, project, items):
    url = reverse("project-gold", args=[project.organization.slug, project.pk])
    return owner_client.post(url, {"items": items}, format="json")


def set_quality(owner_client, project, **settings):
    url = reverse("project-quality-settings", args=[project.organization.slug, project.pk])
    return owner_client.patch(url, settings, format="json")


def test_marking_gold_items_makes_their_tasks_gold(owner, owner_client):
    project, _ = text_project(owner, items=3)
    first = items_of(project)[0]

    response = set_gold(
        owner_client, project, [{"item_id": first, "answer": {"label": "positive"}}]
    )

    assert (response.status_code, response.json()) == (201, {"gold_items": 1})
    task = Task.objects.get(project=project, item_id=first)
    assert (task.is_gold, task.answers_needed, task.status) == (True, 32000, "open")
    listed = owner_client.get(reverse("project-gold", args=[owner.organization.slug, project.pk]))
    assert [(r["item_id"], r["answer"]) for r in listed.json()["results"]] == [
        (first, {"label": "positive"})
    ]


def test_gold_set_before_start_is_applied_when_tasks_are_created(owner, owner_client):
    project, _ = text_project(owner, items=2, start=False)
    item = Item.objects.filter(dataset=project.dataset).order_by("pk").first()
    response = set_gold(
        owner_client, project, [{"item_id": item.pk, "answer": {"label": "negative"}}]
    )
    assert response.status_code == 201
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_services.project_start(project=project, actor=owner.user)
    assert Task.objects.get(project=project, item=item).is_gold is True


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        (
            {"item_id": 999999, "answer": {"label": "positive"}},
            "items[0].item_id",
            "No item 999999",
        ),
        ({"item_id": None, "answer": {"label": "x"}}, "items", "null"),
        ({"answer": {"label": "positive"}}, "items", "required"),
    ],
)
def test_bad_gold_items_are_400_and_change_nothing(owner, owner_client, entry, field, message):
    project, _ = text_project(owner, items=1)
    response = set_gold(owner_client, project, [entry])
    assert response.status_code == 400
    assert message in json.dumps(response.json()["details"])
    assert field.split("[")[0] in json.dumps(response.json()["details"])
    assert not GoldItem.objects.exists()
    assert not Task.objects.filter(is_gold=True).exists()


def test_a_gold_answer_outside_the_categories_is_400_naming_it(owner, owner_client):
    project, _ = text_project(owner, items=2)
    first, second = items_of(project)
    response = set_gold(
        owner_client,
        project,
        [
            {"item_id": first, "answer": {"label": "positive"}},
            {"item_id": second, "answer": {"label": "bogus"}},
        ],
    )
    assert response.status_code == 400
    assert response.json()["details"] == {
        "items[1].answer": ["Unknown label 'bogus'; expected one of: positive, negative."]
    }
    assert not GoldItem.objects.exists()


def test_gold_endpoints_of_another_organization_are_404(owner):
    project, _ = text_project(owner, items=1)
    slug = owner.organization.slug
    assert_other_organization_gets_404(reverse("project-gold", args=[slug, project.pk]))
    assert_other_organization_gets_404(
        reverse("project-gold", args=[slug, project.pk]),
        method="post",
        data={"items": [{"item_id": items_of(project)[0], "answer": {"label": "positive"}}]},
        unchanged=[GoldItem.objects.all()],
    )
    url = reverse("project-quality-settings", args=[slug, project.pk])
    assert_other_organization_gets_404(url)
    assert_other_organization_gets_404(
        url, method="patch", data={"gold_rate": 0.2}, unchanged=[ProjectQuality.objects.all()]
    )


def test_the_queue_mixes_gold_in_at_the_rate_and_it_looks_like_any_task(
    owner, owner_client, monkeypatch
):
    project, (worker, _) = text_project(owner, items=3)
    gold_item = items_of(project)[2]  # the newest: without gold mixing it would come last
    set_gold(owner_client, project, [{"item_id": gold_item, "answer": {"label": "positive"}}])
    assert set_quality(owner_client, project, gold_rate=0.2).status_code == 200

    monkeypatch.setattr(quality, "_draw", lambda: 0.5)  # above the rate: normal work
    normal = claim(project, worker)
    assert normal.task.item_id != gold_item
    submit(worker, normal, answer("positive"))
    monkeypatch.setattr(quality, "_draw", lambda: 0.1)  # below the rate: gold first
    gold = claim(project, worker)
    assert gold.task.item_id == gold_item

    from apps.tasks.api.serializers import WorkAssignmentOutput

    assert set(WorkAssignmentOutput(gold).data) == set(WorkAssignmentOutput(normal).data)


def test_wrong_gold_answers_pause_the_worker_after_the_minimum(owner, owner_client, monkeypatch):
    project, (worker, other) = text_project(owner, items=3)
    first, second, _ = items_of(project)
    set_gold(
        owner_client,
        project,
        [
            {"item_id": first, "answer": {"label": "positive"}},
            {"item_id": second, "answer": {"label": "positive"}},
        ],
    )
    set_quality(owner_client, project, gold_rate=0.5, gold_min_answers=2, gold_pause_below=0.75)
    monkeypatch.setattr(quality, "_draw", lambda: 0.0)

    submit(worker, claim(project, worker), answer("negative"))  # wrong, 1 gold answer: too few
    row = WorkerQuality.objects.get(project=project, worker=worker)
    assert (row.gold_answers, row.gold_correct, row.paused) == (1, 0, False)
    submit(worker, claim(project, worker), answer("positive"))  # right: 1 of 2 = 0.5 < 0.75
    row.refresh_from_db()
    assert (row.gold_answers, row.gold_correct, row.paused) == (2, 1, True)
    assert claim(project, worker) is None  # paused from the project
    assert claim(project, other) is not None  # others still work


def test_gold_is_never_output_nor_holds_up_completion(owner, owner_client, tmp_path, monkeypatch):
    project, (worker, _) = text_project(owner, items=2)
    gold_item, normal_item = items_of(project)
    set_gold(owner_client, project, [{"item_id": gold_item, "answer": {"label": "positive"}}])
    monkeypatch.setattr(quality, "_draw", lambda: 1.0)

    assignment = claim(project, worker)
    assert assignment.task.item_id == normal_item
    submit(worker, assignment, answer("negative"))

    assert Project.objects.get(pk=project.pk).status == Project.Status.COMPLETED
    out = tmp_path / "out.manifest"
    call_command("export_manifest", org=owner.organization.slug, project=project.pk, out=str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["sentiment-metadata"]["class-name"] for line in lines] == ["negative"]


def test_low_confidence_asks_for_one_more_answer_served_next(owner, owner_client):
    project, (a, b, c) = text_project(owner, items=2, workers=3, answers_per_item=2)
    set_quality(owner_client, project, overlap_confidence_below=0.8, overlap_max_answers=3)
    first, second = Task.objects.filter(project=project).order_by("pk")

    task_services.assignment_decline(assignment=claim(project, a), worker=a)
    submit(a, claim(project, a), answer("positive"))  # on the second task
    task_services.assignment_decline(assignment=claim(project, b), worker=b)
    submit(b, claim(project, b), answer("negative"))  # disagrees: confidence 0.5

    second.refresh_from_db()
    assert (second.status, second.answers_needed, second.needs_more) == ("open", 3, True)
    third = claim(project, c)
    assert third.task_id == second.pk  # served before the older first task
    submit(c, third, answer("negative"))
    second.refresh_from_db()
    # 2 of 3 negative: 0.7, still below 0.8, but the maximum of 3 answers is reached.
    assert (second.status, second.answers_needed, second.needs_more) == ("answered", 3, False)
    assert second.consolidated_label == {"label": "negative"}
    assert second.confidence == pytest.approx(0.7)


def test_confident_tasks_get_no_extra_answers(owner, owner_client):
    project, (a, b) = text_project(owner, items=1, workers=2, answers_per_item=2)
    set_quality(owner_client, project, overlap_confidence_below=0.8, overlap_max_answers=3)
    submit(a, claim(project, a), answer("positive"))
    submit(b, claim(project, b), answer("positive"))
    task = Task.objects.get(project=project)
    assert (task.status, task.answers_needed) == ("answered", 2)  # 0.845 >= 0.8


def test_quality_settings_are_validated(owner, owner_client):
    project, _ = text_project(owner, items=1)
    response = set_quality(owner_client, project, gold_rate=0.9, overlap_max_answers=0)
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"gold_rate", "overlap_max_answers"}
    assert not ProjectQuality.objects.exists()

    response = set_quality(owner_client, project, gold_rate=0.1, gold_pause_below=0.6)
    assert response.json() == {
        "gold_rate": 0.1,
        "gold_min_answers": 5,
        "gold_pause_below": 0.6,
        "overlap_confidence_below": None,
        "overlap_max_answers": None,
    }
