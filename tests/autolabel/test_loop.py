"""The automated-labeling loop: initial batch, training, threshold, auto-labels, ranking,
and every way it refuses or stops."""

import numpy as np
import pytest

from apps.autolabel import services
from apps.autolabel.models import AutolabelRound, AutolabelSettings
from apps.projects.models import Project
from apps.tasks import quality
from apps.tasks import services as task_services
from apps.tasks.models import Assignment, Task
from tests.autolabel.helpers import (
    autolabel_project,
    digits_project,
    enable,
    label_by_people,
    text_truth,
)
from tests.work import text_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_datasets(settings):
    settings.AUTOLABEL_MIN_ITEMS = 150


def run_round(project) -> AutolabelRound:
    return services.autolabel_round_run(project_id=project.pk)


def auto_labeled(project):
    return Task.objects.filter(project=project).exclude(label_model_version="")


class RaisingLearner:
    version = "raises-1"

    def fit(self, inputs, labels, classes):
        raise RuntimeError("out of memory")


class GarbageLearner:
    version = "garbage-1"

    def fit(self, inputs, labels, classes):
        self.classes = classes

    def predict_proba(self, inputs):
        return np.full((len(inputs), self.classes + 1), np.nan)


class CoinLearner:
    """Confident and wrong half the time: can never reach a target."""

    version = "coin-1"

    def fit(self, inputs, labels, classes):
        self.classes = classes

    def predict_proba(self, inputs):
        rows = np.zeros((len(inputs), self.classes))
        rows[np.arange(len(inputs)), np.arange(len(inputs)) % 2] = 1.0
        return rows


def test_enabling_is_refused_below_the_minimum_dataset_size(owner, settings):
    settings.AUTOLABEL_MIN_ITEMS = 1250
    project, _ = autolabel_project(owner, items=200)

    with pytest.raises(services.AutolabelRefused) as refused:
        enable(project, owner)

    assert refused.value.details == {
        "dataset": [
            "The dataset has 200 items; automated labeling needs at least 1250 (fewer leave "
            "too few human labels to train and validate a model)."
        ]
    }
    assert not AutolabelSettings.objects.filter(project=project).exists()


def test_enabling_is_refused_for_a_multi_label_project(owner):
    project, _ = text_project(
        owner, items=160, task_type="text_classification_multilabel", answers_per_item=1
    )

    with pytest.raises(services.AutolabelRefused) as refused:
        enable(project, owner)

    assert list(refused.value.details) == ["task_type"]
    assert not AutolabelSettings.objects.filter(project=project).exists()


def test_the_first_round_sends_a_random_initial_batch_to_people_first(owner):
    project, workers = autolabel_project(owner)
    enable(project, owner)

    first = run_round(project)

    assert (first.number, first.outcome, first.items_ranked) == (1, "waiting", 100)
    assert first.reason == "People have labeled 0 of the initial 100 items."
    settings_row = AutolabelSettings.objects.get(project=project)
    assert len(settings_row.validation_task_ids) == 40
    ranked = set(
        Task.objects.filter(project=project, queue_rank__isnull=False).values_list("pk", flat=True)
    )
    assert len(ranked) == 100 and set(settings_row.validation_task_ids) <= ranked
    assignment = task_services.assignment_next(
        worker=workers[0], workteam_ids=[project.workteam_id]
    )
    assert assignment.task_id in ranked
    assert assignment.task.queue_rank == 1


def test_a_round_auto_labels_confident_items_and_ranks_the_rest_for_people(owner):
    project, workers = autolabel_project(owner)
    enable(project, owner)
    run_round(project)
    people_did = label_by_people(project, workers, text_truth, 100)

    second = run_round(project)

    assert second.outcome == "auto_labeled"
    # each of the three fold models trains on the 60 and two thirds of the 40
    assert (second.training_size, second.validation_size) == (86, 40)
    labeled = auto_labeled(project)
    assert second.items_auto_labeled == labeled.count() > 80
    assert second.items_ranked == 100 - labeled.count()  # the uncertain rest, to people
    assert second.threshold is not None and second.accuracy_above_low >= 0.85
    assert (second.human_labeled_total, second.model_labeled_total) == (100, labeled.count())
    assert second.answers_saved == 3 * labeled.count()
    assert not labeled.filter(pk__in=people_did).exists()
    for task in labeled.select_related("item"):
        assert task.status == "answered"
        assert task.consolidated_label == {"label": text_truth(task.item)}
        assert task.label_model_version == "text-tfidf-logistic/tfidf-logistic-1/r2"
    assert not Assignment.objects.filter(task__in=labeled).exists()  # no human work, no pay
    # the model may be sure of every item left (how many depends on the random slice);
    # whatever it left is ranked for people (the first round's test checks the queue order)
    ranked = Task.objects.filter(project=project, queue_rank__isnull=False)
    assert ranked.count() == second.items_ranked
    assert not ranked.exclude(status="open").exists()
    entry = quality.project_output_labels(project=project)[labeled.first().item_id]
    assert entry.metadata["human-annotated"] == "no"
    assert entry.metadata["model-version"] == "text-tfidf-logistic/tfidf-logistic-1/r2"
    human_entry = quality.project_output_labels(project=project)[
        Task.objects.get(pk=people_did[0]).item_id
    ]
    assert human_entry.metadata["human-annotated"] == "yes"


def test_auto_labeled_tasks_are_never_offered_to_workers(owner):
    project, workers = autolabel_project(owner, items=260)
    enable(project, owner, batch_size=20)
    run_round(project)
    label_by_people(project, workers, text_truth, 100)
    run_round(project)
    labeled = set(auto_labeled(project).values_list("pk", flat=True))
    assert labeled  # something was auto-labeled, yet some stayed open (claimed ones)

    offered = set()
    for worker in workers:
        while True:
            assignment = task_services.assignment_next(
                worker=worker, workteam_ids=[project.workteam_id]
            )
            if assignment is None or assignment.task_id in offered:
                break
            offered.add(assignment.task_id)
            task_services.assignment_release(assignment=assignment, worker=worker)
            break

    assert not offered & labeled


def test_a_task_a_worker_holds_is_left_to_people(owner):
    project, workers = autolabel_project(owner)
    enable(project, owner)
    run_round(project)
    label_by_people(project, workers, text_truth, 100)
    held = task_services.assignment_next(worker=workers[0], workteam_ids=[project.workteam_id])

    run_round(project)

    task = Task.objects.get(pk=held.task_id)
    assert (task.status, task.label_model_version, task.live_assignments) == ("open", "", 1)
    task_services.assignment_submit(
        assignment=held, worker=workers[0], answer={"crowd-classifier": {"label": "positive"}}
    )
    assert Assignment.objects.get(pk=held.pk).status == "submitted"


def test_a_single_class_auto_labels_nothing_and_says_why(owner):
    project, workers = autolabel_project(owner, single_class=True)
    enable(project, owner)
    run_round(project)
    label_by_people(project, workers, text_truth, 100)

    second = run_round(project)

    assert second.outcome == "waiting"
    assert second.reason == (
        "Only one class (positive) among the 100 human labels to train on: a model needs at "
        "least two. Nothing auto-labeled."
    )
    assert not auto_labeled(project).exists()
    assert Task.objects.filter(project=project, status="open").count() == 100


def test_labels_changed_mid_run_stop_the_loop_and_keep_human_labels(owner):
    project, workers = autolabel_project(owner)
    enable(project, owner)
    run_round(project)
    label_by_people(project, workers, text_truth, 100)
    before = dict(
        Task.objects.filter(project=project, status="answered").values_list(
            "pk", "consolidated_label"
        )
    )
    Project.objects.filter(pk=project.pk).update(
        labels=[{"label": "positive"}, {"label": "negative"}, {"label": "neutral"}]
    )

    second = run_round(project)

    settings_row = AutolabelSettings.objects.get(project=project)
    assert (second.outcome, settings_row.state) == ("stopped", "stopped")
    assert settings_row.stop_reason.startswith(
        "The project's labels changed while automated labeling ran (from positive, negative "
        "to positive, negative, neutral)"
    )
    assert not auto_labeled(project).exists()
    after = dict(
        Task.objects.filter(project=project, status="answered").values_list(
            "pk", "consolidated_label"
        )
    )
    assert after == before
    assert run_round(project) is None  # a stopped loop runs no more rounds
    assert task_services.assignment_next(worker=workers[0], workteam_ids=[project.workteam_id])


@pytest.mark.parametrize(
    ("learner", "reason"),
    [
        (
            "RaisingLearner",
            "The model 'plug-in' failed (RuntimeError); automated labeling stopped. People "
            "carry on with every item.",
        ),
        (
            "GarbageLearner",
            "The model 'plug-in' returned shape (14, 3), expected (14, 2); automated labeling "
            "stopped. People carry on with every item.",
        ),
    ],
)
def test_a_failing_plug_in_stops_the_loop_with_its_reason(owner, settings, learner, reason):
    settings.AUTOLABEL_MODELS = {"plug-in": f"tests.autolabel.test_loop.{learner}"}
    project, workers = autolabel_project(owner)
    enable(project, owner, model_name="plug-in")
    run_round(project)
    label_by_people(project, workers, text_truth, 100)

    second = run_round(project)

    settings_row = AutolabelSettings.objects.get(project=project)
    assert (second.outcome, settings_row.state, settings_row.stop_reason) == (
        "stopped",
        "stopped",
        reason,
    )
    assert not auto_labeled(project).exists()
    assert Task.objects.filter(project=project, status="answered").count() == 100
    assert task_services.assignment_next(worker=workers[0], workteam_ids=[project.workteam_id])


def test_a_model_that_cannot_reach_the_target_auto_labels_nothing(owner, settings):
    settings.AUTOLABEL_MODELS = {"coin": "tests.autolabel.test_loop.CoinLearner"}
    project, workers = autolabel_project(owner)
    enable(project, owner, model_name="coin")
    run_round(project)
    label_by_people(project, workers, text_truth, 100)

    second = run_round(project)

    assert (second.outcome, second.items_auto_labeled, second.threshold) == (
        "below_target",
        0,
        None,
    )
    assert second.items_ranked == 100
    assert not auto_labeled(project).exists()
    assert AutolabelSettings.objects.get(project=project).state == "running"


def test_disabling_clears_the_ranking_and_keeps_auto_labels(owner):
    project, workers = autolabel_project(owner, items=260)
    enable(project, owner, batch_size=20)
    run_round(project)
    label_by_people(project, workers, text_truth, 100)
    run_round(project)
    labeled = auto_labeled(project).count()

    services.autolabel_configure(project=project, actor=owner.user, enabled=False)

    assert not Task.objects.filter(project=project, queue_rank__isnull=False).exists()
    assert auto_labeled(project).count() == labeled
    assert run_round(project) is None


def test_the_image_path_auto_labels_digits(owner):
    project, workers, truth = digits_project(owner, count=300)
    enable(project, owner)
    run_round(project)
    label_by_people(project, workers, lambda item: truth[item.source_ref], 100)

    second = run_round(project)

    assert second.outcome == "auto_labeled"
    assert second.items_auto_labeled == auto_labeled(project).count() >= 150
    for task in auto_labeled(project).select_related("item"):
        assert task.consolidated_label == {"label": truth[task.item.source_ref]}


def test_the_periodic_sweep_runs_a_round_once_people_labeled_a_batch(
    owner, django_capture_on_commit_callbacks
):
    from apps.autolabel import jobs

    project, workers = autolabel_project(owner)
    enable(project, owner, batch_size=50)
    run_round(project)
    assert jobs.autolabel_rounds_due() == 0  # the initial batch is ranked, nothing labeled
    label_by_people(project, workers, text_truth, 100)

    with django_capture_on_commit_callbacks(execute=True):
        due = jobs.autolabel_rounds_due()

    assert due == 1
    latest = AutolabelRound.objects.filter(project=project).order_by("-number").first()
    assert (latest.number, latest.outcome) == (2, "auto_labeled")
