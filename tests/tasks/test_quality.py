"""Consolidation wired to the queue: label + confidence on the last answer, re-estimation."""

import pytest
from django.core.cache import cache

from apps.datasets.models import Item
from apps.tasks import quality
from apps.tasks import services as task_services
from apps.tasks.consolidation import categorical
from apps.tasks.models import Task, WorkerQuality
from apps.tasks.quality import control
from apps.tasks.selectors import project_quality
from tests.factories import MembershipFactory
from tests.work import answer, text_project

pytestmark = pytest.mark.django_db


def work(project, worker, body):
    assignment = task_services.assignment_next(worker=worker, workteam_ids=[project.workteam_id])
    return task_services.assignment_submit(assignment=assignment, worker=worker, answer=body)


def test_the_last_answer_writes_label_and_confidence_in_the_submit(
    owner, django_capture_on_commit_callbacks
):
    project, workers = text_project(owner, items=1, workers=3, answers_per_item=3)
    task = Task.objects.get(project=project)
    with django_capture_on_commit_callbacks(execute=False):
        work(project, workers[0], answer("negative"))
        work(project, workers[1], answer("positive"))
    task.refresh_from_db()
    assert (task.consolidated_label, task.confidence) == (None, None)

    with django_capture_on_commit_callbacks(execute=False):
        work(project, workers[2], answer("negative"))
    task.refresh_from_db()
    # 2 of 3 at the default accuracy 0.7: posterior 0.7 for "negative".
    assert task.consolidated_label == {"label": "negative"}
    assert task.confidence == pytest.approx(0.7)
    assert task.consolidated_at is not None


def test_reestimation_runs_after_commit_once_per_burst(owner, django_capture_on_commit_callbacks):
    project, workers = text_project(owner, items=2, workers=3, answers_per_item=3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        work(project, workers[0], answer("positive"))
        work(project, workers[1], answer("positive"))
    assert len(callbacks) == 1  # debounced: one job queued for the two submits
    # ...to run once the 30 s window (plus a 2 s margin) has closed
    assert callbacks[0].keywords["countdown"] == 32

    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        work(project, workers[2], answer("negative"))
        for worker in workers:
            work(project, worker, answer("negative"))
    tasks = list(Task.objects.filter(project=project).order_by("pk"))
    assert [t.consolidated_label for t in tasks] == [{"label": "positive"}, {"label": "negative"}]
    assert all(0.5 < t.confidence <= 1 for t in tasks)
    rows = {
        q.worker_id: (q.answers, q.consolidated_answers, q.agreement)
        for q in WorkerQuality.objects.filter(project=project)
    }
    assert rows == {
        workers[0].pk: (2, 2, 1.0),
        workers[1].pk: (2, 2, 1.0),
        workers[2].pk: (2, 2, 0.5),
    }


def test_reestimation_uses_dawid_skene_and_stores_worker_confusion(owner):
    project, workers = text_project(owner, items=4, workers=3, answers_per_item=3)
    labels = {0: "positive", 1: "negative", 2: "positive", 3: "negative"}
    tasks = list(Task.objects.filter(project=project).order_by("pk"))
    for number in range(4):
        work(project, workers[0], answer(labels[number]))
        work(project, workers[1], answer(labels[number]))
        work(project, workers[2], answer("positive"))  # always positive
    assert quality.project_reestimate(project=project) == 4
    by_task = {t.pk: t.consolidated_label["label"] for t in Task.objects.filter(project=project)}
    assert [by_task[t.pk] for t in tasks] == [labels[n] for n in range(4)]
    spammer = WorkerQuality.objects.get(project=project, worker=workers[2])
    good = WorkerQuality.objects.get(project=project, worker=workers[0])
    assert (spammer.agreement, good.agreement) == (0.5, 1.0)
    assert good.accuracy > spammer.accuracy
    assert set(spammer.confusion) == {"positive", "negative"}
    assert spammer.confusion["negative"]["positive"] > 0.5


def test_multilabel_and_ner_projects_are_consolidated_on_the_last_answer(owner):
    project, workers = text_project(
        owner, items=1, workers=3, answers_per_item=3, task_type="text_classification_multilabel"
    )
    for worker, labels in zip(
        workers, [["positive", "negative"], ["positive"], ["positive"]], strict=True
    ):
        work(project, worker, {"crowd-classifier-multi-select": {"labels": labels}})
    task = Task.objects.get(project=project)
    assert task.consolidated_label["labels"] == ["positive"]
    assert task.confidence == pytest.approx(0.7)

    ner, people = text_project(
        owner,
        items=1,
        workers=2,
        answers_per_item=2,
        name="people",
        dataset_name="texts",
        team_name="ner-team",
        task_type="named_entity_recognition",
        label_attribute_name="entities",
        labels=[{"label": "person"}, {"label": "place"}],
    )
    entity = {"label": "person", "startOffset": 0, "endOffset": 4}
    for person in people:
        work(ner, person, {"crowd-entity-annotation": {"entities": [entity]}})
    task = Task.objects.get(project=ner)
    assert task.consolidated_label == {"entities": [{**entity, "confidence": 1.0}]}
    assert task.confidence == 1.0


def test_export_manifest_of_a_project_carries_the_consolidated_labels(owner, tmp_path):
    import json

    from django.core.management import CommandError, call_command

    project, workers = text_project(owner, items=2, workers=1, answers_per_item=1)
    work(project, workers[0], answer("negative"))
    out = tmp_path / "output.manifest"
    call_command("export_manifest", org=owner.organization.slug, project=project.pk, out=str(out))
    first, second = (json.loads(line) for line in out.read_text().splitlines())
    task = Task.objects.get(project=project, consolidated_label__isnull=False)
    assert first == {
        "source": "text number 0",
        "sentiment": 1,
        "sentiment-metadata": {
            "class-name": "negative",
            "confidence": 0.7,
            "type": "groundtruth/text-classification",
            "job-name": "labeling-job/sentiment",
            "human-annotated": "yes",
            "creation-date": task.consolidated_at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        },
    }
    assert second == {"source": "text number 1"}  # not labeled yet: copied unchanged

    other = MembershipFactory().organization  # another organization's id does not exist
    with pytest.raises(CommandError, match=f"No project '{project.pk}' in {other.slug}"):
        call_command("export_manifest", org=other.slug, project=project.pk, out=str(out))


def test_gold_the_crowd_got_wrong_calibrates_the_projects_confidences_down(owner, monkeypatch):
    project, workers = text_project(owner, items=3, workers=3, answers_per_item=3)
    gold = Item.objects.get(dataset=project.dataset, line_number=1)
    quality.gold_items_set(
        project=project,
        actor=owner.user,
        items=[{"item_id": gold.pk, "answer": {"label": "negative"}}],
    )
    quality.project_settings_update(project=project, actor=owner.user, gold_rate=0.5)
    monkeypatch.setattr(control, "_draw", lambda: 0.1)  # gold first
    for worker in workers:
        for _ in range(3):  # the gold item, then the two others: always "positive"
            work(project, worker, answer("positive"))
    monkeypatch.setattr(categorical, "calibration_scale", lambda logs, truth: 1.0)
    quality.project_reestimate(project=project)
    uncalibrated = list(
        Task.objects.filter(project=project, is_gold=False).values_list("confidence", flat=True)
    )
    monkeypatch.undo()

    quality.project_reestimate(project=project)

    figures = project_quality(project=project)
    assert (figures["calibrated_on_gold"], figures["calibration_scale"] < 1.0) == (1, True)
    tasks = Task.objects.filter(project=project, is_gold=False)
    assert [t.consolidated_label for t in tasks] == [{"label": "positive"}] * 2
    assert max(t.confidence for t in tasks) < min(uncalibrated)
