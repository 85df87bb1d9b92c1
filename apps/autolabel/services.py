"""Automated labeling: enable/disable, the loop's round, spot-checks.

A round (`autolabel_round_run`, run by the `autolabel.round` job) locks the project's
settings row for its whole run, so two rounds of one project never overlap. It trains on
every human label, scoring the validation slice out of fold (`scoring`), picks the threshold
on the slice with a lower confidence bound, auto-labels open tasks no one has answered or
holds (SKIP LOCKED: a task a worker is claiming right now stays human), ranks the most
uncertain rest for people, and records itself. Anything wrong with the input or the model
stops the loop with a reason; tasks stay open for people and nothing labeled is touched.
"""

import logging
import random
import time
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import Conflict, DomainError
from apps.core.jobs import enqueue_on_commit
from apps.core.services import audit_record
from apps.datasets.models import Item
from apps.payouts import services as payout_services
from apps.projects.models import Project
from apps.tasks import quality
from apps.tasks import services as task_services
from apps.tasks.models import Assignment, Task

from . import jobs, learners, scoring, stats
from .models import AutolabelRound, AutolabelSettings, SpotCheck

logger = logging.getLogger(__name__)
UPDATE_BATCH = 1000
# Verdicts before spot-checks may stop the loop: one wrong label in the first few would
# otherwise put a sound model's upper bound below the target.
MIN_SPOT_CHECKS = 10
ENDED = {Project.Status.STOPPED, Project.Status.COMPLETED, Project.Status.FAILED}


class AutolabelRefused(DomainError):
    code = "autolabel_refused"
    message = "Automated labeling cannot be enabled for this project."


class SpotCheckRefused(Conflict):
    code = "spot_check_refused"
    message = "This task was not labeled by the model, or was already checked."


def settings_of(*, project: Project) -> AutolabelSettings:
    row = AutolabelSettings.objects.filter(project=project).first()
    return row or AutolabelSettings(organization_id=project.organization_id, project=project)


def _refuse(field: str, message: str) -> AutolabelRefused:
    return AutolabelRefused.on_field(field, message)


@transaction.atomic
def autolabel_configure(
    *, project: Project, actor: User | None, enabled: bool, **changes
) -> AutolabelSettings:
    """Enable (refused with the reason when the project does not qualify) or disable the
    loop; `changes`: target_accuracy, model_name, initial_batch_size, batch_size,
    validation_share. Enabling a running project enqueues a round."""
    row = settings_of(project=project)
    if row.pk is None:
        row.save()
    row = AutolabelSettings.objects.select_for_update().get(pk=row.pk)
    for field, value in changes.items():
        setattr(row, field, value)
    if not 0.5 < row.target_accuracy < 1:
        raise _refuse("target_accuracy", "The target accuracy must be between 0.5 and 1.")
    if not 0 < row.validation_share < 1:
        raise _refuse("validation_share", "The validation share must be between 0 and 1.")
    if enabled:
        _check_eligible(project, row)
        row.state, row.stop_reason = AutolabelSettings.State.RUNNING, ""
        row.labels_snapshot = project.label_names
        row.enabled_by = actor if getattr(actor, "is_authenticated", False) else None
    else:
        row.state = AutolabelSettings.State.OFF
        Task.objects.filter(project=project, queue_rank__isnull=False).update(queue_rank=None)
    row.save()
    audit_record(
        organization_id=project.organization_id,
        actor=actor,
        action="autolabel.enabled" if enabled else "autolabel.disabled",
        target=project,
        target_accuracy=row.target_accuracy,
    )
    if enabled and project.status == Project.Status.IN_PROGRESS:
        enqueue_on_commit(
            jobs.autolabel_round, organization_id=project.organization_id, project_id=project.pk
        )
    return row


def _check_eligible(project: Project, row: AutolabelSettings) -> None:
    if project.task_type not in learners.SUPPORTED_TYPES:
        raise _refuse(
            "task_type",
            "Automated labeling works for single-label text and image classification; "
            f"this project is {project.get_task_type_display().lower()}.",
        )
    if len(project.label_names) < 2:
        raise _refuse("labels", "Automated labeling needs at least two labels.")
    if project.status in ENDED:
        raise _refuse("project", f"The project is {project.get_status_display().lower()}.")
    minimum = settings.AUTOLABEL_MIN_ITEMS
    items = Item.objects.filter(
        organization_id=project.organization_id, dataset_id=project.dataset_id
    ).count()
    if items < minimum:
        raise _refuse(
            "dataset",
            f"The dataset has {items} items; automated labeling needs at least {minimum} "
            "(fewer leave too few human labels to train and validate a model).",
        )
    name = row.model_name or learners.default_name(project.task_type)
    if name not in learners.registered():
        raise _refuse("model_name", f"No model named {name!r} is registered.")
    if row.initial_batch_size < 100 or row.batch_size < 10:
        raise _refuse(
            "batch_size", "The initial batch needs at least 100 items and a batch at least 10."
        )


def _stop(row: AutolabelSettings, reason: str) -> None:
    row.state, row.stop_reason = AutolabelSettings.State.STOPPED, reason
    row.save(update_fields=["state", "stop_reason", "updated_at"])


def _human_labels(project: Project) -> list[tuple[int, int, str, float]]:
    """(task, item, label, confidence) of every task people labeled."""
    names = set(project.label_names)
    rows = (
        Task.objects.filter(
            project=project,
            is_gold=False,
            status=Task.Status.ANSWERED,
            label_model_version="",
            consolidated_label__isnull=False,
        )
        .order_by("pk")
        .values_list("pk", "item_id", "consolidated_label", "confidence")
    )
    labeled = []
    for task_id, item_id, label, confidence in rows.iterator(chunk_size=5000):
        name = label.get("label") if isinstance(label, dict) else None
        if name in names:
            labeled.append((task_id, item_id, name, 1.0 if confidence is None else confidence))
    return labeled


def _answer_agreement(project: Project, task_ids: list[int]):
    """Per task (in `task_ids` order): agreeing answer pairs, answer pairs; and the usual
    number of answers per task."""
    answers: dict[int, list[object]] = {task_id: [] for task_id in task_ids}
    rows = Assignment.objects.filter(
        project=project, task_id__in=task_ids, status=Assignment.Status.SUBMITTED
    ).values_list("task_id", "answer")
    for task_id, answer in rows.iterator(chunk_size=5000):
        value = quality.answer_value(answer, project)
        answers[task_id].append(value.get("label") if isinstance(value, dict) else None)
    agreeing, pairs = [], []
    for task_id in task_ids:
        labels = answers[task_id]
        agreeing.append(
            sum(labels.count(label) * (labels.count(label) - 1) for label in set(labels)) / 2
        )
        pairs.append(len(labels) * (len(labels) - 1) / 2)
    counts = sorted(len(labels) for labels in answers.values()) or [1]
    return np.array(agreeing), np.array(pairs), counts[len(counts) // 2]


def _pool(project: Project, validation: set[int]) -> list[tuple[int, int]]:
    """(task, item) of open tasks no one answered nor holds, outside the validation slice."""
    rows = (
        Task.objects.filter(
            project=project,
            is_gold=False,
            status=Task.Status.OPEN,
            answers_received=0,
            live_assignments=0,
        )
        .order_by("pk")
        .values_list("pk", "item_id")
    )
    return [row for row in rows.iterator(chunk_size=5000) if row[0] not in validation]


def _inputs(project: Project, item_ids: list[int]) -> list:
    items = Item.objects.filter(organization_id=project.organization_id, pk__in=item_ids)
    if project.task_type in learners.IMAGE_TYPES:
        items = items.select_related("dataset__storage__organization")
    by_id = {item.pk: item for item in items.iterator(chunk_size=2000)}
    return [learners.item_input(by_id[item_id], project.task_type) for item_id in item_ids]


def _rank(project: Project, row: AutolabelSettings, ordered: list[int], randoms: list[int]) -> int:
    """Rank the next batch for people: `randoms` (new validation items) and the first of
    `ordered` (most uncertain first), interleaved; every other rank is cleared."""
    Task.objects.filter(project=project, queue_rank__isnull=False).update(queue_rank=None)
    batch = list(randoms) + [t for t in ordered if t not in set(randoms)]
    batch = batch[: max(row.batch_size, len(randoms))]
    for start in range(0, len(batch), UPDATE_BATCH):
        Task.objects.bulk_update(
            [
                Task(pk=task_id, queue_rank=start + offset + 1)
                for offset, task_id in enumerate(batch[start : start + UPDATE_BATCH])
            ],
            ["queue_rank"],
        )
    row.validation_task_ids = sorted(set(row.validation_task_ids) | set(randoms))
    return len(batch)


def _record(project: Project, row: AutolabelSettings, number: int, **figures) -> AutolabelRound:
    human = Task.objects.filter(
        project=project, is_gold=False, status=Task.Status.ANSWERED, label_model_version=""
    ).count()
    model = Task.objects.filter(project=project, is_gold=False).exclude(label_model_version="")
    figures.setdefault("human_labeled_total", human)
    figures.setdefault("model_labeled_total", model.count())
    row.save()
    return AutolabelRound.objects.create(
        organization_id=project.organization_id, project=project, number=number, **figures
    )


def autolabel_round_run(*, project_id: int, seed: int | None = None) -> AutolabelRound | None:
    """One round of the loop; None when the loop is not running or the project is not in
    progress. Safe to run twice (the second round finds less to do)."""
    started = time.monotonic()
    with transaction.atomic():
        row = AutolabelSettings.objects.select_for_update().filter(project_id=project_id).first()
        if row is None or row.state != AutolabelSettings.State.RUNNING:
            return None
        project = Project.objects.get(pk=project_id)
        if project.status != Project.Status.IN_PROGRESS:
            return None
        last = AutolabelRound.objects.filter(project=project).order_by("-number").first()
        number = last.number + 1 if last else 1
        rng = random.Random(seed if seed is not None else f"{project.pk}:{number}")
        round_ = _round(project, row, number, rng)
        round_.seconds = time.monotonic() - started
        round_.save(update_fields=["seconds"])
        if round_.items_auto_labeled:
            task_services.project_settle(project_id=project.pk)
        return round_


def _round(project: Project, row: AutolabelSettings, number: int, rng) -> AutolabelRound:
    def stopped(reason: str, **figures) -> AutolabelRound:
        _stop(row, reason)
        return _record(
            project, row, number, outcome=AutolabelRound.Outcome.STOPPED, reason=reason, **figures
        )

    def waiting(reason: str, **figures) -> AutolabelRound:
        return _record(
            project, row, number, outcome=AutolabelRound.Outcome.WAITING, reason=reason, **figures
        )

    names = project.label_names
    if names != row.labels_snapshot:
        return stopped(
            f"The project's labels changed while automated labeling ran (from "
            f"{', '.join(row.labels_snapshot)} to {', '.join(names)}); models trained on "
            "the old labels cannot be trusted. People carry on; enable it again to restart."
        )
    validation = set(row.validation_task_ids)
    human = _human_labels(project)
    row.human_labeled_at_last_round = len(human)
    pool = _pool(project, validation)
    if len(human) < row.initial_batch_size:
        randoms = []
        if not validation:  # the first round: people label a random initial batch
            chosen = rng.sample(pool, min(row.initial_batch_size, len(pool)))
            ordered = [task_id for task_id, _ in chosen]
            held_out = round(len(ordered) * row.validation_share)
            randoms, ordered = ordered[:held_out], ordered[held_out:]
            row.batch_size, initial_batch = row.initial_batch_size, row.batch_size
            ranked = _rank(project, row, ordered, randoms)
            row.batch_size = initial_batch
        else:
            ranked = 0
        return waiting(
            f"People have labeled {len(human)} of the initial {row.initial_batch_size} items.",
            items_ranked=ranked,
        )
    train = [h for h in human if h[0] not in validation]
    held = [h for h in human if h[0] in validation]
    classes = sorted({h[2] for h in human})
    size = scoring.training_size(len(train), len(held))
    figures = {"training_size": size, "validation_size": len(held)}
    if len(classes) < 2:
        return waiting(
            f"Only one class ({classes[0] if classes else 'none'}) among the {len(human)} "
            "human labels to train on: a model needs at least two. Nothing auto-labeled.",
            **figures,
        )
    if len(held) < stats.MIN_ABOVE:
        return waiting(
            f"Only {len(held)} validation labels; at least {stats.MIN_ABOVE} are needed.",
            **figures,
        )
    name = row.model_name or learners.default_name(project.task_type)
    index = {label: number for number, label in enumerate(names)}
    try:
        version = f"{name}/{getattr(learners.learner_new(name), 'version', '?')}/r{number}"[:100]
        held_probabilities, pool_probabilities = scoring.cross_fit(
            lambda: learners.learner_new(name),
            (_inputs(project, [h[1] for h in train]), [index[h[2]] for h in train]),
            (_inputs(project, [h[1] for h in held]), [index[h[2]] for h in held]),
            _inputs(project, [p[1] for p in pool]),
            len(names),
            seed=rng.randrange(2**32),
        )
    except scoring.BadOutput as error:
        return stopped(
            f"The model {name!r} {error.args[0]}; automated labeling stopped. People carry on "
            "with every item.",
            **figures,
        )
    except Exception as error:  # a plug-in may fail any way; the loop must survive it
        logger.exception("automated labeling model %s failed on project %s", name, project.pk)
        return stopped(
            f"The model {name!r} failed ({type(error).__name__}); automated labeling stopped. "
            "People carry on with every item.",
            **figures,
        )
    agrees = held_probabilities.argmax(axis=1) == np.array([index[h[2]] for h in held])
    agreeing_pairs, pairs, answers = _answer_agreement(project, [h[0] for h in held])
    p = stats.worker_accuracy(float(agreeing_pairs.sum()), float(pairs.sum()), len(names))
    q = stats.plurality_accuracy(p, answers, len(names)) if answers > 1 else p
    figures["validation_accuracy"] = stats.noise_corrected(float(agrees.mean()), q, len(names))
    figures["model_version"] = version
    chosen = stats.choose_threshold(
        held_probabilities.max(axis=1),
        agrees,
        agreeing_pairs,
        pairs,
        answers=answers,
        classes=len(names),
        target=row.target_accuracy,
    )
    figures.update(
        threshold=chosen.value,
        validation_above=chosen.above,
        accuracy_above=chosen.accuracy,
        accuracy_above_low=chosen.low,
        accuracy_above_high=chosen.high,
    )
    confidence = pool_probabilities.max(axis=1) if len(pool) else np.zeros(0)
    labeled: set[int] = set()
    if chosen.value is not None:
        above = [i for i in range(len(pool)) if confidence[i] >= chosen.value]
        labeled = _auto_label(
            project,
            [
                (pool[i][0], names[int(pool_probabilities[i].argmax())], confidence[i])
                for i in above
            ],
            version,
        )
    order = np.argsort(confidence, kind="stable")  # least confident first
    rest = [pool[i][0] for i in order if pool[i][0] not in labeled]
    randoms = rng.sample(rest, min(len(rest), round(row.batch_size * row.validation_share)))
    ranked = _rank(project, row, rest, randoms)
    saved = len(labeled) * project.answers_per_item
    cost = None
    if payout_services.project_is_paid(project):
        price, fee = payout_services.cost_per_answer(project)
        cost = (price + fee) * saved
    if chosen.value is None:
        return _record(
            project,
            row,
            number,
            outcome=AutolabelRound.Outcome.BELOW_TARGET,
            reason=(
                f"No confidence threshold reaches {row.target_accuracy:.0%} with 95% "
                "confidence on the validation slice; nothing auto-labeled, people label "
                "the most uncertain items next."
            ),
            items_ranked=ranked,
            **figures,
        )
    return _record(
        project,
        row,
        number,
        outcome=AutolabelRound.Outcome.AUTO_LABELED,
        items_auto_labeled=len(labeled),
        items_ranked=ranked,
        answers_saved=saved,
        cost_saved=cost if cost is None else Decimal(cost),
        **figures,
    )


def _auto_label(project: Project, labels: list[tuple[int, str, float]], version: str) -> set[int]:
    """Close the tasks with the model's labels, except those a worker claimed meanwhile."""
    now = timezone.now()
    done: set[int] = set()
    for start in range(0, len(labels), UPDATE_BATCH):
        batch = {
            task_id: (label, conf) for task_id, label, conf in labels[start : start + UPDATE_BATCH]
        }
        free = list(
            Task.objects.select_for_update(skip_locked=True)
            .filter(
                pk__in=list(batch),
                status=Task.Status.OPEN,
                answers_received=0,
                live_assignments=0,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Task.objects.bulk_update(
            [
                Task(
                    pk=task_id,
                    status=Task.Status.ANSWERED,
                    consolidated_label={"label": batch[task_id][0]},
                    confidence=float(batch[task_id][1]),
                    consolidated_at=now,
                    label_model_version=version,
                    queue_rank=None,
                    updated_at=now,
                )
                for task_id in free
            ],
            [
                "status",
                "consolidated_label",
                "confidence",
                "consolidated_at",
                "label_model_version",
                "queue_rank",
                "updated_at",
            ],
        )
        done.update(free)
    return done


@transaction.atomic
def spot_check_record(
    *, project: Project, task_id: int, actor: User, is_correct: bool, corrected_label: str = ""
) -> SpotCheck:
    """A reviewer's verdict on an auto-labeled task. A wrong label is replaced by the
    reviewer's (then counted as human-labeled). When the spot-checks show, with 95%
    confidence, accuracy below the target (after MIN_SPOT_CHECKS verdicts), the loop stops
    with that reason."""
    task = (
        Task.objects.select_for_update()
        .filter(project=project, pk=task_id)
        .exclude(label_model_version="")
        .first()
    )
    if task is None or SpotCheck.objects.filter(task_id=task_id).exists():
        raise SpotCheckRefused()
    if not is_correct and corrected_label and corrected_label not in project.label_names:
        raise DomainError.on_field(
            "corrected_label",
            f"Unknown label {corrected_label!r}; expected one of: "
            f"{', '.join(project.label_names)}.",
        )
    check = SpotCheck.objects.create(
        organization_id=project.organization_id,
        project=project,
        task=task,
        model_version=task.label_model_version,
        is_correct=is_correct,
        corrected_label="" if is_correct else corrected_label,
        reviewer=actor,
    )
    if not is_correct and corrected_label:
        Task.objects.filter(pk=task.pk).update(
            consolidated_label={"label": corrected_label},
            confidence=1.0,
            consolidated_at=timezone.now(),
            label_model_version="",
        )
    audit_record(
        organization_id=project.organization_id,
        actor=actor,
        action="autolabel.spot_checked",
        target=task,
        is_correct=is_correct,
    )
    checks = SpotCheck.objects.filter(project=project)
    total, right = checks.count(), checks.filter(is_correct=True).count()
    row = settings_of(project=project)
    _, high = stats.wilson(right, total)
    running = row.pk and row.state == AutolabelSettings.State.RUNNING
    if running and total >= MIN_SPOT_CHECKS and high < row.target_accuracy:
        _stop(
            row,
            f"Spot-checks found {right} of {total} auto-labels right: even the upper 95% bound "
            f"({high:.1%}) is below the target {row.target_accuracy:.0%}. Automated labeling "
            "stopped; people carry on.",
        )
    return check
