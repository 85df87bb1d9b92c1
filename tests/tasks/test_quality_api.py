"""Worker quality: the requester's views (per project, per organization) and the worker's."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.tasks import quality
from apps.tasks import services as task_services
from apps.workforces.selectors import anonymized_worker_id
from tests.factories import MembershipFactory
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
        "gold_answers",
        "gold_correct",
        "paused",
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
    assert "gold_answers" not in rows[0]  # would tell which tasks were test questions


def test_project_agreement_metrics(owner, owner_client):
    project, _ = labeled_project(owner)
    url = reverse("project-quality", args=[owner.organization.slug, project.pk])

    figures = owner_client.get(url).json()

    # counts: item 1 = (2 positive, 1 negative), item 2 = (0, 3). Fleiss: observed
    # (1/3 + 1) / 2 = 2/3, chance (1/3)^2 + (2/3)^2 = 5/9 -> 0.25. Alpha: coincidences
    # PP 1, PN 1, NP 1, NN 3 -> 1 - 5 * 2 / (2 * 2 * 4) = 0.375.
    assert {k: v for k, v in figures.items() if k != "updated_at"} == {
        "answers": 6,
        "consolidated": 2,
        "mean_confidence": figures["mean_confidence"],
        "fleiss_kappa": 0.25,
        "krippendorff_alpha": 0.375,
        "span_f1": None,
        "mean_box_iou": None,
        "calibrated_on_gold": 0,  # no gold: confidences as estimated
        "calibration_scale": 1.0,
    }
    assert 0.5 < figures["mean_confidence"] <= 1
    assert figures["updated_at"] is not None
    assert_other_organization_gets_404(url)


def test_project_quality_before_any_answer_is_empty(owner, owner_client):
    project, _ = text_project(owner, items=1)
    url = reverse("project-quality", args=[owner.organization.slug, project.pk])
    assert owner_client.get(url).json() == {
        "answers": None,
        "consolidated": None,
        "mean_confidence": None,
        "fleiss_kappa": None,
        "krippendorff_alpha": None,
        "span_f1": None,
        "mean_box_iou": None,
        "calibrated_on_gold": None,
        "calibration_scale": None,
        "updated_at": None,
    }


def test_the_project_page_shows_quality(owner, client):
    project, workers = labeled_project(owner)
    client.force_login(owner.user)

    page = client.get(reverse("project_page", args=[owner.organization.slug, project.pk]))

    html = page.content.decode()
    assert "Fleiss' kappa</dt><dd>0.25</dd>" in html
    assert "Krippendorff's alpha</dt><dd>0.375</dd>" in html
    for worker in workers:
        assert anonymized_worker_id(user=worker, organization=owner.organization) in html
    assert "<td>2</td>\n            <td>50%</td>" in html


def test_bounding_box_answers_are_consolidated_and_exported(owner, tmp_path):
    import json

    from django.core.management import call_command

    from apps.tasks.models import Task

    project, workers = text_project(
        owner,
        items=1,
        workers=3,
        answers_per_item=3,
        task_type="bounding_box",
        label_attribute_name="boxes",
        labels=[{"label": "dog"}, {"label": "cat"}],
    )
    for left in (100, 104, 102):
        body = {
            "annotatedResult": {
                "boundingBoxes": [
                    {"label": "dog", "left": left, "top": 10, "width": 50, "height": 40}
                ],
                "inputImageProperties": {"width": 640, "height": 480},
            }
        }
        work(project, workers[[100, 104, 102].index(left)], body)
    task = Task.objects.get(project=project)
    box = task.consolidated_label["boundingBoxes"][0]
    assert (box["label"], box["left"], box["top"], box["width"], box["height"]) == (
        "dog",
        102.0,
        10.0,
        50.0,
        40.0,
    )
    out = tmp_path / "out.manifest"
    call_command("export_manifest", org=owner.organization.slug, project=project.pk, out=str(out))
    line = json.loads(out.read_text())
    assert line["boxes"] == {
        "image_size": [{"width": 640, "height": 480, "depth": 3}],
        "annotations": [{"class_id": 0, "left": 102, "top": 10, "width": 50, "height": 40}],
    }
    assert line["boxes-metadata"]["type"] == "groundtruth/object-detection"
    assert line["boxes-metadata"]["class-map"] == {"0": "dog", "1": "cat"}


def test_answers_of_the_wrong_shape_never_reach_the_consolidation(owner):
    """The submit refuses them (apps.tasks.validation), so a box consolidator never sees
    a box without numbers; the task keeps waiting for a valid answer."""
    from apps.core.errors import DomainError
    from apps.tasks.models import Assignment, Task

    project, workers = text_project(
        owner,
        items=1,
        workers=1,
        task_type="bounding_box",
        label_attribute_name="boxes",
        labels=[{"label": "dog"}],
    )
    bad = {
        "annotatedResult": {
            "boundingBoxes": [{"label": "dog", "left": "x", "top": 0, "width": 5, "height": 5}],
            "inputImageProperties": {"width": 100, "height": 80},
        }
    }

    with pytest.raises(DomainError, match="Box #1 left must be a finite number"):
        work(project, workers[0], bad)

    task = Task.objects.get(project=project)
    assert (task.status, task.answers_received, task.consolidated_label) == ("open", 0, None)
    assert not Assignment.objects.filter(task=task, status="submitted").exists()


def test_custom_tasks_take_the_majority_of_json_answers(owner, tmp_path):
    import json

    from django.core.management import call_command

    from apps.tasks.models import Task

    project, workers = text_project(
        owner,
        items=1,
        workers=3,
        answers_per_item=3,
        task_type="custom",
        label_attribute_name="result",
        labels=[],
    )
    same = {"speaker": {"name": "Ada"}, "ok": {"on": True}}
    for worker, body in zip(
        workers, [same, {"ok": {"on": True}, "speaker": {"name": "Ada"}}, {"x": 1}], strict=True
    ):
        work(project, worker, body)
    task = Task.objects.get(project=project)
    assert task.consolidated_label == same  # key order does not matter
    # 2 votes against 1 at the default accuracy 0.7, two distinct answers: posterior 0.7
    assert task.confidence == pytest.approx(0.7)
    out = tmp_path / "out.manifest"
    call_command("export_manifest", org=owner.organization.slug, project=project.pk, out=str(out))
    line = json.loads(out.read_text())
    assert line["result"] == same
    assert line["result-metadata"]["type"] == "groundTruth/custom"


def test_a_worker_sees_their_quality_on_my_tasks(owner, client):
    project, workers = labeled_project(owner)
    client.force_login(workers[2])
    html = client.get(reverse("work_tasks")).content.decode()
    assert "My quality" in html
    assert f"<tr><td>{project.name}</td><td>2</td>\n        <td>50%</td>" in html


def test_worker_responses_export_names_workers_by_anonymized_id(owner, tmp_path):
    import json

    from django.core.management import CommandError, call_command

    from apps.tasks.models import Assignment

    project, workers = labeled_project(owner)
    out = tmp_path / "responses.jsonl"
    call_command(
        "export_worker_responses", org=owner.organization.slug, project=project.pk, out=str(out)
    )
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 2
    first = lines[0]["answers"]
    assert [a["workerId"] for a in first] == [
        anonymized_worker_id(user=w, organization=owner.organization) for w in workers
    ]
    assert [a["answerContent"] for a in first] == [
        answer("positive"),
        answer("positive"),
        answer("negative"),
    ]
    stored = Assignment.objects.filter(worker=workers[0]).order_by("pk").first()
    assert (
        first[0]["submissionTime"]
        == stored.submitted_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    )
    assert first[0]["timeSpentInSeconds"] >= 0
    other = MembershipFactory().organization
    with pytest.raises(CommandError, match=f"No project {project.pk} in {other.slug}"):
        call_command("export_worker_responses", org=other.slug, project=project.pk, out=str(out))
