"""Quality control on the queue: gold items, scoring and auto-pause, dynamic overlap, and
the project's quality settings."""

import logging
import random

from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.errors import Conflict, DomainError, NotFound
from apps.core.services import audit_record
from apps.projects.models import Project
from apps.tasks.models import Assignment, GoldItem, ProjectQuality, Task, WorkerQuality
from apps.tasks.quality.consolidate import _agrees, answer_value
from apps.tasks.quality.reestimate import project_reestimate_schedule
from apps.tasks.validation import validate_answer

logger = logging.getLogger(__name__)


def projects_for_worker(projects: QuerySet[Project], *, worker) -> QuerySet[Project]:
    """The queue's projects without those the worker is paused from, annotated with the
    quality settings the claim needs (`gold_rate`, `overlap_on`): no query of its own."""
    paused = WorkerQuality.objects.filter(project_id=OuterRef("pk"), worker=worker, paused=True)
    settings = ProjectQuality.objects.filter(project_id=OuterRef("pk"))
    return projects.exclude(Exists(paused)).annotate(
        gold_rate=Coalesce(Subquery(settings.values("gold_rate")[:1]), Value(0.0)),
        overlap_on=Exists(
            settings.filter(
                overlap_confidence_below__isnull=False, overlap_max_answers__isnull=False
            )
        ),
        # Automated labeling ranked some open tasks: serve those first (apps.autolabel).
        ranked_on=Exists(
            Task.objects.filter(
                project_id=OuterRef("pk"), status=Task.Status.OPEN, queue_rank__isnull=False
            )
        ),
    )


def task_pick(claimable: QuerySet[Task], projects: list[Project]) -> Task | None:
    """The next task among `claimable` (one priority level): a gold task at the projects'
    gold rate (drawn per claim, so gold is indistinguishable from other work), else a task
    that dynamic overlap reopened, else the oldest normal task. Projects without gold or
    overlap cost the one query they always did."""
    gold_projects = [p.pk for p in projects if p.gold_rate and _draw() < p.gold_rate]
    if gold_projects:
        task = claimable.filter(project_id__in=gold_projects, is_gold=True).first()
        if task is not None:
            return task
    if any(p.overlap_on for p in projects):
        task = claimable.filter(needs_more=True, is_gold=False).first()
        if task is not None:
            return task
    ranked = [p.pk for p in projects if getattr(p, "ranked_on", False)]
    if ranked:  # the automated-labeling loop's most uncertain tasks first
        task = (
            claimable.filter(project_id__in=ranked, is_gold=False, queue_rank__isnull=False)
            .order_by("queue_rank", "pk")
            .first()
        )
        if task is not None:
            return task
    return claimable.filter(is_gold=False).first()


def _draw() -> float:
    return random.random()  # noqa: S311 - sampling, not security


# The accepted range of each quality setting (lowest, highest): the API and the page check
# by these. More than half the claims as gold would make the project mostly test questions.
SETTING_LIMITS = {
    "gold_rate": (0.0, 0.5),
    "gold_min_answers": (1, 1000),
    "gold_pause_below": (0.0, 1.0),
    "overlap_confidence_below": (0.0, 1.0),
    "overlap_max_answers": (1, 9),
}


def project_settings(*, project: Project) -> ProjectQuality:
    """The project's quality settings (defaults when never set: no gold, no extra answers)."""
    row = ProjectQuality.objects.filter(project=project).first()
    return row or ProjectQuality(organization_id=project.organization_id, project=project)


def task_answers_extend(
    *, task_id: int, project: Project, confidence: float | None, funding_key: str
) -> bool:
    """Dynamic overlap, in the submit's transaction: ask one more answer of a task whose
    confidence is below the project's threshold, up to its maximum. True if reopened.

    Paid work reserves the extra answer's cost first (`funding_key` makes it once); when
    the requester's balance cannot cover it, the task keeps the answers it has."""
    from apps.payouts import services as payout_services  # payouts builds on tasks

    if confidence is None:
        return False
    settings = project_settings(project=project)
    if settings.overlap_confidence_below is None or settings.overlap_max_answers is None:
        return False
    if confidence >= settings.overlap_confidence_below:
        return False
    try:
        with transaction.atomic():  # a savepoint: the extra answer and its money, or neither
            extended = Task.objects.filter(
                pk=task_id, answers_needed__lt=settings.overlap_max_answers
            ).update(
                answers_needed=F("answers_needed") + 1,
                status=Task.Status.OPEN,
                needs_more=True,
                updated_at=timezone.now(),
            )
            if extended:
                payout_services.project_escrow_reserve_more(
                    project=project, answers=1, idempotency_key=funding_key
                )
    except payout_services.InsufficientFunds:
        logger.warning("Project %s cannot fund an extra answer for task %s.", project.pk, task_id)
        return False
    return bool(extended)


def assignment_score_gold(*, assignment: Assignment, answer: object) -> bool:
    """Score a gold task's answer against the known one (submit's transaction); pause the
    worker from the project when their gold accuracy falls below the threshold after the
    minimum number of gold answers. Returns whether the answer was right."""
    project = assignment.project
    gold = GoldItem.objects.filter(project=project, item_id=assignment.task.item_id).first()
    if gold is None:
        return False
    try:
        correct = _agrees(project, answer_value(answer, project), gold.answer)
    except (ValueError, TypeError, KeyError, AttributeError):
        correct = False
    WorkerQuality.objects.get_or_create(
        project=project,
        worker_id=assignment.worker_id,
        defaults={"organization_id": project.organization_id},
    )
    row = WorkerQuality.objects.select_for_update().filter(
        project=project, worker_id=assignment.worker_id
    )
    row.update(gold_answers=F("gold_answers") + 1, gold_correct=F("gold_correct") + int(correct))
    counts = row.values("gold_answers", "gold_correct", "paused").get()
    settings = project_settings(project=project)
    if (
        settings.gold_pause_below is not None
        and not counts["paused"]
        and counts["gold_answers"] >= settings.gold_min_answers
        and counts["gold_correct"] / counts["gold_answers"] < settings.gold_pause_below
    ):
        row.update(paused=True, paused_at=timezone.now())
        audit_record(
            organization_id=project.organization_id,
            actor=None,
            action="worker.paused_by_gold",
            target=project,
            worker_id=assignment.worker_id,
            gold_answers=counts["gold_answers"],
            gold_correct=counts["gold_correct"],
        )
    return correct


class WorkerNotPaused(Conflict):
    code = "worker_not_paused"
    message = "This worker is not paused from the project."


def worker_resume(*, project: Project, worker, actor) -> WorkerQuality:
    """The requester lets a paused worker back into the project. Their gold score starts
    afresh, or the next gold answer would pause them again at once."""
    with transaction.atomic():
        resumed = WorkerQuality.objects.filter(project=project, worker=worker, paused=True).update(
            paused=False, paused_at=None, gold_answers=0, gold_correct=0
        )
        if not resumed:
            raise WorkerNotPaused()
        audit_record(
            organization_id=project.organization_id,
            actor=actor,
            action="worker.resumed",
            target=project,
            worker_id=worker.pk,
        )
    return WorkerQuality.objects.select_related("worker").get(project=project, worker=worker)


class GoldItemInvalid(DomainError):
    code = "gold_item_invalid"
    message = "A gold item is not valid for this project."


def gold_items_set(*, project: Project, actor, items: list[dict]) -> int:
    """Mark items of the project's dataset as gold with their known answers (one
    transaction: all or nothing). `items`: [{"item_id": int, "answer": <answer value>}]."""
    from apps.datasets.models import Item  # the datasets app does not import tasks

    wanted = [entry["item_id"] for entry in items]
    found = {
        item.pk: item
        for item in Item.objects.filter(
            organization_id=project.organization_id, dataset_id=project.dataset_id, pk__in=wanted
        )
    }
    for number, entry in enumerate(items):
        item = found.get(entry["item_id"])
        if item is None:
            raise GoldItemInvalid.on_field(
                f"items[{number}].item_id", f"No item {entry['item_id']} in the project's dataset."
            )
        try:
            validate_answer(project=project, item=item, answer={"gold": entry["answer"]})
        except DomainError as error:
            details = error.details.get("answer", [error.message])
            raise GoldItemInvalid.on_field(f"items[{number}].answer", details[0]) from None
    with transaction.atomic():
        for entry in items:
            GoldItem.objects.update_or_create(
                project=project,
                item_id=entry["item_id"],
                defaults={"organization_id": project.organization_id, "answer": entry["answer"]},
            )
        gold_tasks_mark(project=project)
        audit_record(
            organization_id=project.organization_id,
            actor=actor,
            action="project.gold_items_set",
            target=project,
        )
    return len(items)


class GoldItemNotFound(NotFound):
    message = "This item is not a gold item of the project."


@transaction.atomic
def gold_item_unset(*, project: Project, actor, item_id: int) -> None:
    """Unmark a gold item: its task becomes an ordinary one again. The answers it got as a
    test question stay (and stay scored in the workers' gold figures); they now count
    towards the project's answers per item, so a task that already has enough (and no
    answer in progress) is answered and consolidated at once, like the submit that completes
    a task; the others go back to the queue for the rest. `GoldItemNotFound` (404) when the
    item is not gold here."""
    from apps.tasks import services as task_services  # services imports this package

    if not GoldItem.objects.filter(project=project, item_id=item_id).delete()[0]:
        raise GoldItemNotFound()
    task = Task.objects.select_for_update().filter(project=project, item_id=item_id).first()
    if task is not None and task.is_gold:
        # Answers being given now still count: their submits finish the task.
        needed = max(project.answers_per_item, task.answers_received + task.live_assignments)
        answered = task.answers_received >= needed
        ends_open = task.status == Task.Status.OPEN  # not withdrawn by a stopping project
        Task.objects.filter(pk=task.pk).update(
            is_gold=False,
            answers_needed=needed,
            status=Task.Status.ANSWERED if answered and ends_open else task.status,
            updated_at=timezone.now(),
        )
        if answered and ends_open:
            task_services.task_label(task_id=task.pk, project=project)
            task_services.task_answered_effects(task=task, project=project)
        project_reestimate_schedule(project=project)
    audit_record(
        organization_id=project.organization_id,
        actor=actor,
        action="project.gold_item_unset",
        target=project,
        item_id=item_id,
    )


GOLD_ANSWERS_NEEDED = 32000  # a gold task is never "answered": every worker may take it


def gold_tasks_mark(*, project: Project) -> int:
    """Turn the tasks of gold items into gold tasks (run when gold is set, and after the
    project's tasks are created): open, no consolidated label, never complete."""
    gold = GoldItem.objects.filter(project=project).values("item_id")
    return Task.objects.filter(project=project, item_id__in=gold, is_gold=False).update(
        is_gold=True,
        status=Task.Status.OPEN,
        answers_needed=GOLD_ANSWERS_NEEDED,
        consolidated_label=None,
        confidence=None,
        consolidated_at=None,
        updated_at=timezone.now(),
    )


def project_settings_update(*, project: Project, actor, **changes) -> ProjectQuality:
    """Change the project's quality-control settings (validated by the caller's serializer)."""
    with transaction.atomic():
        settings, _ = ProjectQuality.objects.select_for_update().get_or_create(
            project=project, defaults={"organization_id": project.organization_id}
        )
        for field, value in changes.items():
            setattr(settings, field, value)
        settings.save()
        audit_record(
            organization_id=project.organization_id,
            actor=actor,
            action="project.quality_settings_changed",
            target=project,
        )
    return settings
