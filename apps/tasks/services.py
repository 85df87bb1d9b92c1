"""The work: project lifecycle (which creates and withdraws Tasks) and the work queue.

Locking, in one order everywhere: an Assignment row before its Task row; the queue claims
Tasks with SKIP LOCKED so concurrent workers never wait on each other's rows. Counters on
Task change only together with the Assignment rows they count, inside one transaction.
"""

import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.core.errors import Conflict, DomainError, NotFound
from apps.core.jobs import enqueue_on_commit
from apps.core.services import audit_record
from apps.datasets import services as dataset_services
from apps.datasets.manifest import encode_lines
from apps.datasets.models import Dataset, Item, ManifestImport
from apps.payouts import services as payout_services
from apps.projects.models import Project
from apps.tasks import jobs, quality
from apps.tasks.models import Assignment, ProjectRoute, Task
from apps.tasks.selectors import projects_routed_to
from apps.tasks.validation import validate_answer
from apps.workforces.models import VendorRoute, VendorSubscription
from apps.workforces.services import workteam_notify_new_work

TASK_BATCH = 5000  # rows per INSERT while creating a project's tasks
EXPIRY_BATCH = 200  # overdue assignments freed per queue request


class ProjectTransitionRefused(Conflict):
    code = "project_transition_refused"
    message = "The project cannot do that in its current state."


class AssignmentNotActive(Conflict):
    code = "assignment_not_active"
    message = "This assignment was already ended (released, declined, expired or withdrawn)."


class AssignmentExpired(Conflict):
    code = "assignment_expired"
    message = "The time limit for this task has passed; the task went back to the queue."


class AlreadySubmitted(Conflict):
    code = "already_submitted"
    message = "This assignment was already submitted with a different answer."


# Apps above tasks follow answered tasks without tasks importing them: a human loop
# (apps.reviews) completes when its task has its answers. Listeners register once in their
# AppConfig.ready() and are called inside the transaction that stored the last answer,
# with the task's project (already loaded: a listener for some projects only costs nothing
# for the others).
_task_answered_listeners: list[Callable[[Task, Project], None]] = []


def task_answered_listen(listener: Callable[[Task, Project], None]) -> None:
    if listener not in _task_answered_listeners:
        _task_answered_listeners.append(listener)


# Project lifecycle


def _transition(project: Project, *, allowed_from: set[str], to: str, **changes) -> Project:
    """Conditional UPDATE: of two concurrent callers only one moves the project."""
    now = timezone.now()
    if to in (Project.Status.STOPPED, Project.Status.COMPLETED, Project.Status.FAILED):
        changes["ended_at"] = now
    moved = Project.objects.filter(pk=project.pk, status__in=allowed_from).update(
        status=to, updated_at=now, **changes
    )
    if not moved:
        project.refresh_from_db()
        raise ProjectTransitionRefused(
            status=[f"The project is {project.get_status_display().lower()}."]
        )
    project.refresh_from_db()
    return project


@transaction.atomic
def project_start(*, project: Project, actor: User) -> Project:
    """Draft -> starting; a job creates one Task per Item, then moves it to in progress."""
    if not Item.objects.filter(
        organization_id=project.organization_id, dataset_id=project.dataset_id
    ).exists():
        raise DomainError(
            "The dataset has no items yet.", dataset=["The dataset has no items yet."]
        )
    now = timezone.now()
    project = _transition(
        project,
        allowed_from={Project.Status.DRAFT},
        to=Project.Status.STARTING,
        started_at=now,
        available_until=now + timedelta(seconds=project.task_availability_lifetime_seconds),
    )
    # Paid work reserves its maximum cost, or the start is refused (and rolled back).
    payout_services.project_escrow_reserve(project=project, actor=actor)
    audit_record(
        organization_id=project.organization_id,
        actor=actor,
        action="project.started",
        target=project,
    )
    enqueue_on_commit(
        jobs.project_tasks_create, organization_id=project.organization_id, project_id=project.id
    )
    return project


def project_tasks_create(*, project: Project) -> int:
    """Create the missing Tasks in batches, then open the project. Safe to run twice.

    Each batch commits on its own so a million items never sit in one transaction; a rerun
    after a crash skips the Items that already have a Task.
    """
    created = 0
    items = (
        Item.objects.filter(organization_id=project.organization_id, dataset_id=project.dataset_id)
        .exclude(Exists(Task.objects.filter(project_id=project.id, item_id=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    batch: list[int] = []
    for item_id in items.iterator(chunk_size=TASK_BATCH):
        batch.append(item_id)
        if len(batch) == TASK_BATCH:
            created += _tasks_insert(project, batch)
            batch = []
    if batch:
        created += _tasks_insert(project, batch)
    quality.gold_tasks_mark(project=project)
    with transaction.atomic():
        opened = Project.objects.filter(pk=project.pk, status=Project.Status.STARTING).update(
            status=Project.Status.IN_PROGRESS, updated_at=timezone.now()
        )
        if opened:  # once, however often the job runs
            total = Task.objects.filter(project_id=project.id).count()
            workteam_notify_new_work(
                workteam=project.workteam, project_name=project.name, count=total
            )
            if project.pre_annotation_hook:  # custom tasks: each task waits for its input
                enqueue_on_commit(
                    jobs.project_pre_annotate,
                    organization_id=project.organization_id,
                    project_id=project.id,
                )
    return created


def _tasks_insert(project: Project, item_ids: list[int]) -> int:
    tasks = [
        Task(
            organization_id=project.organization_id,
            project_id=project.id,
            item_id=item_id,
            answers_needed=project.answers_per_item,
            status=Task.Status.PREPARING if project.pre_annotation_hook else Task.Status.OPEN,
        )
        for item_id in item_ids
    ]
    with transaction.atomic():
        return len(Task.objects.bulk_create(tasks, ignore_conflicts=True))


@transaction.atomic
def project_stop(*, project: Project, actor: User) -> Project:
    """Withdraw unassigned tasks now; held ones may still be submitted until their deadline."""
    project = _transition(
        project,
        allowed_from={Project.Status.STARTING, Project.Status.IN_PROGRESS},
        to=Project.Status.STOPPING,
    )
    Task.objects.filter(project=project, status=Task.Status.OPEN, live_assignments=0).update(
        status=Task.Status.WITHDRAWN, updated_at=timezone.now()
    )
    _project_settle(project.pk)
    audit_record(
        organization_id=project.organization_id,
        actor=actor,
        action="project.stopped",
        target=project,
    )
    return project


def project_settle(*, project_id: int) -> None:
    """`_project_settle` for callers that close tasks outside the queue (the
    pre-annotation job, automated labeling)."""
    _project_settle(project_id)


def _project_settle(project_id: int) -> bool:
    """Finish a stopping project with no live work, or complete one with nothing left open
    (tasks still waiting for their pre-annotation hook count as open; gold tasks do not).
    True if the project ended now."""
    open_tasks = Task.objects.filter(
        project_id=project_id,
        status__in=[Task.Status.OPEN, Task.Status.PREPARING],
        is_gold=False,
    )
    if not open_tasks.exists():
        stopped = Project.objects.filter(pk=project_id, status=Project.Status.STOPPING).update(
            status=Project.Status.STOPPED, ended_at=timezone.now(), updated_at=timezone.now()
        )
        completed = Project.objects.filter(pk=project_id, status=Project.Status.IN_PROGRESS).update(
            status=Project.Status.COMPLETED, ended_at=timezone.now(), updated_at=timezone.now()
        )
        if stopped or completed:  # the project ended: give back the escrow it won't spend
            payout_services.project_escrow_release_unused(project_id=project_id)
            return True
    return False


def _stopping_condition_reached(project: Project) -> bool:
    if project.max_human_labeled_items is None and project.max_percentage_labeled is None:
        return False
    answered = Task.objects.filter(project=project, status=Task.Status.ANSWERED).count()
    if project.max_human_labeled_items is not None and answered >= project.max_human_labeled_items:
        return True
    if project.max_percentage_labeled is not None:
        total = Task.objects.filter(project=project, is_gold=False).count()
        return answered * 100 >= total * project.max_percentage_labeled
    return False


# The work queue


def tasks_claimable(*, worker: User, project_ids: list[int]) -> QuerySet[Task]:
    """Open tasks of `project_ids` with room for one more answer that `worker` has not
    answered, does not hold and did not decline, oldest first. Unlocked: the queue claims
    with SKIP LOCKED (`assignment_next`)."""
    mine = Assignment.objects.filter(
        task_id=OuterRef("pk"),
        worker=worker,
        status__in=[
            Assignment.Status.ACTIVE,
            Assignment.Status.SUBMITTED,
            Assignment.Status.DECLINED,
        ],
    )
    return (
        Task.objects.filter(status=Task.Status.OPEN, project_id__in=project_ids)
        .filter(answers_received__lt=F("answers_needed") - F("live_assignments"))
        .exclude(Exists(mine))
        .order_by("pk")
    )


def assignment_next(
    *, worker: User, workteam_ids: list[int], project_id: int | None = None
) -> Assignment | None:
    """Claim the next task for `worker` among projects of `workteam_ids`, or None.

    Higher project priority first, then the oldest task; never one the worker answered,
    holds or declined; never past a project's per-worker concurrency limit (at the limit,
    the oldest held assignment is returned, to resume). Each priority level is one indexed
    scan in task order that stops at the first row no one else has locked.
    """
    now = timezone.now()
    with transaction.atomic():
        assignments_expire_overdue(now=now)
        projects = quality.projects_for_worker(
            projects_routed_to(
                Project.objects.filter(
                    status=Project.Status.IN_PROGRESS,
                    workteam_id__in=workteam_ids,
                    available_until__gt=now,
                ),
                worker=worker,
            ),
            worker=worker,
        )
        if project_id is not None:
            projects = projects.filter(pk=project_id)
        projects = {project.pk: project for project in projects.order_by("-priority", "pk")}
        held = Assignment.objects.filter(
            worker=worker,
            status=Assignment.Status.ACTIVE,
            deadline__gt=now,
            project_id__in=projects,
        )
        held_counts = Counter(held.values_list("project_id", flat=True))
        by_priority: dict[int, list[int]] = {}
        for project in projects.values():
            if held_counts[project.pk] < project.max_concurrent_tasks_per_worker:
                by_priority.setdefault(project.priority, []).append(project.pk)
        for project_ids in by_priority.values():  # dicts keep insertion: highest first
            claimable = (
                tasks_claimable(worker=worker, project_ids=project_ids)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("item")
            )
            task = quality.task_pick(claimable, [projects[pk] for pk in project_ids])
            if task is not None:
                project = projects[task.project_id]
                Task.objects.filter(pk=task.pk).update(live_assignments=F("live_assignments") + 1)
                return Assignment.objects.create(
                    organization_id=task.organization_id,
                    task=task,
                    project=project,
                    worker=worker,
                    deadline=now + timedelta(seconds=project.task_time_limit_seconds),
                )
        return held.order_by("pk").select_related("task__item", "project").first()


def _lock_assignment(assignment: Assignment, worker: User) -> Assignment:
    """Lock the assignment row and re-read what can change while it is held (its state,
    and its project's status); the task, item and project the caller loaded are kept."""
    state = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(pk=assignment.pk, worker=worker)
        .values("status", "deadline", "answer", "project__status")
        .first()
    )
    if state is None:  # another worker's assignment looks like a missing one
        raise NotFound()
    assignment.status, assignment.deadline = state["status"], state["deadline"]
    assignment.answer, assignment.project.status = state["answer"], state["project__status"]
    return assignment


def _end_live(assignment: Assignment, *, status: str, now, **changes) -> None:
    """Move an active assignment to `status` and give its slot back to the task."""
    Assignment.objects.filter(pk=assignment.pk).update(
        status=status, ended_at=now, updated_at=now, **changes
    )
    Task.objects.filter(pk=assignment.task_id).update(
        live_assignments=F("live_assignments") - 1, updated_at=now
    )
    assignment.status, assignment.ended_at = status, now
    for field, value in changes.items():
        setattr(assignment, field, value)


def _after_slot_freed(task_id: int, project: Project) -> None:
    """A stopping project withdraws the task once no one holds it, then may finish."""
    if project.status == Project.Status.STOPPING:
        Task.objects.filter(pk=task_id, status=Task.Status.OPEN, live_assignments=0).update(
            status=Task.Status.WITHDRAWN, updated_at=timezone.now()
        )
        _project_settle(project.pk)


@transaction.atomic
def assignment_submit(*, assignment: Assignment, worker: User, answer: object) -> Assignment:
    """Store the worker's answer; a retry with the same answer returns the same result.

    `assignment` comes from `assignment_get_for_worker` (its task, item and project loaded).
    """
    assignment = _lock_assignment(assignment, worker)
    now = timezone.now()
    if assignment.status == Assignment.Status.SUBMITTED:
        if assignment.answer == answer:
            return assignment
        raise AlreadySubmitted()
    if assignment.status != Assignment.Status.ACTIVE:
        raise AssignmentNotActive(status=[assignment.get_status_display().lower()])
    if assignment.deadline <= now:
        raise AssignmentExpired()
    validate_answer(project=assignment.project, item=assignment.task.item, answer=answer)
    Assignment.objects.filter(pk=assignment.pk).update(
        status=Assignment.Status.SUBMITTED,
        answer=answer,
        submitted_at=now,
        ended_at=now,
        updated_at=now,
    )
    assignment.status, assignment.answer = Assignment.Status.SUBMITTED, answer
    assignment.submitted_at = assignment.ended_at = now
    counts = (
        Task.objects.select_for_update()
        .filter(pk=assignment.task_id)
        .values("answers_received", "answers_needed")
        .get()
    )
    answered = counts["answers_received"] + 1 >= counts["answers_needed"]
    Task.objects.filter(pk=assignment.task_id).update(
        live_assignments=F("live_assignments") - 1,
        answers_received=F("answers_received") + 1,
        status=Task.Status.ANSWERED if answered else Task.Status.OPEN,
        updated_at=now,
    )
    project = assignment.project
    if assignment.task.is_gold:
        quality.assignment_score_gold(assignment=assignment, answer=answer)
    elif project.post_annotation_hook:  # custom tasks: the requester's hook consolidates
        if answered:
            task_label(task_id=assignment.task_id, project=project)
    else:
        if answered:
            confidence = task_label(task_id=assignment.task_id, project=project)
            if quality.task_answers_extend(
                task_id=assignment.task_id,
                project=project,
                confidence=confidence,
                funding_key=f"overlap:{assignment.pk}",
            ):
                answered = False  # one more answer is needed: the queue serves it next
        quality.project_reestimate_schedule(project=project)
    if answered:
        task_answered_effects(task=assignment.task, project=project)
    else:
        _after_slot_freed(assignment.task_id, project)
    return assignment


def task_label(*, task_id: int, project: Project) -> float | None:
    """Label a task that has its last answer (caller's transaction): the project's
    post-annotation hook, as a job after the commit, or the built-in consolidation, now.
    Returns the confidence; None when the hook will tell, or nothing consolidates."""
    if project.post_annotation_hook:
        enqueue_on_commit(
            jobs.task_post_annotate, organization_id=project.organization_id, task_id=task_id
        )
        return None
    return quality.task_consolidate(task_id=task_id, project=project)


def task_answered_effects(*, task: Task, project: Project) -> None:
    """What follows a task's last answer (caller's transaction, label already written):
    the listeners, the project's stopping condition, completing the project."""
    for listener in _task_answered_listeners:
        listener(task, project)
    if project.status == Project.Status.IN_PROGRESS and _stopping_condition_reached(project):
        project_stop(project=project, actor=None)
    if not _project_settle(project.pk):
        # Two last answers committing together each see the other's task still open
        # (neither is committed yet): the check once this one is committed sees both.
        transaction.on_commit(partial(_project_settle, project.pk))


@transaction.atomic
def assignment_decline(*, assignment: Assignment, worker: User) -> Assignment:
    """Give the task to someone else; it is never offered to this worker again."""
    return _give_back(assignment, worker, Assignment.Status.DECLINED)


@transaction.atomic
def assignment_release(*, assignment: Assignment, worker: User) -> Assignment:
    """Put the task back in the queue (this worker may get it again later)."""
    return _give_back(assignment, worker, Assignment.Status.RELEASED)


def _give_back(assignment: Assignment, worker: User, status: str) -> Assignment:
    assignment = _lock_assignment(assignment, worker)
    if assignment.status != Assignment.Status.ACTIVE:
        raise AssignmentNotActive(status=[assignment.get_status_display().lower()])
    _end_live(assignment, status=status, now=timezone.now())
    _after_slot_freed(assignment.task_id, assignment.project)
    return assignment


def assignments_expire_overdue(*, now=None, limit: int = EXPIRY_BATCH) -> int:
    """Return overdue assignments' tasks to the queue; correct without any periodic job.

    The queue calls this inside its claim's transaction (no savepoint: one round trip
    less per claim); a periodic job only tidies up idle projects. SKIP LOCKED leaves
    alone an assignment that is being submitted right now.
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        overdue = list(
            Assignment.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Assignment.Status.ACTIVE, deadline__lte=now)
            .select_related("project")
            .order_by("pk")[:limit]
        )
        for assignment in overdue:
            _end_live(assignment, status=Assignment.Status.EXPIRED, now=now)
            _after_slot_freed(assignment.task_id, assignment.project)
    return len(overdue)


# Vendor routing per project


class ProjectNotRouted(NotFound):
    message = "No project of a subscriber runs on your workforce with this id."


@transaction.atomic
def project_routes_set(
    *, vendor: Organization, project_id: int, team_ids: list[int], actor: User
) -> list[ProjectRoute]:
    """A vendor names which of its teams work on one subscriber project (an empty list:
    every team routed to the subscription again). Only teams the vendor routed to that
    subscription qualify: its other teams' workers cannot reach the subscriber's work."""
    project = (
        Project.global_objects.select_for_update(of=("self",))
        .filter(
            pk=project_id,
            workteam__subscription__vendor=vendor,
            workteam__subscription__status=VendorSubscription.Status.ACTIVE,
        )
        .first()
    )
    if project is None:
        raise ProjectNotRouted()
    if not isinstance(team_ids, list | tuple) or not all(isinstance(i, int) for i in team_ids):
        raise DomainError.on_field("team_ids", "Give a list of team ids.")
    routed = set(
        VendorRoute.global_objects.filter(
            subscription_id=project.workteam.subscription_id
        ).values_list("team_id", flat=True)
    )
    unknown = sorted(set(team_ids) - routed)
    if unknown:
        raise DomainError.on_field(
            "team_ids",
            f"Team {unknown[0]} does not work for this subscriber: choose among the teams "
            "routed to the subscription.",
        )
    ProjectRoute.global_objects.filter(organization=vendor, project=project).delete()
    routes = ProjectRoute.global_objects.bulk_create(
        ProjectRoute(organization=vendor, project=project, team_id=team_id)
        for team_id in sorted(set(team_ids))
    )
    audit_record(
        organization_id=vendor.pk,
        actor=actor,
        action="project.vendor_teams_set",
        target=project,
        team_ids=sorted(set(team_ids)),
    )
    return routes


# Single tasks of running projects (human loops add and withdraw one task at a time)


def task_add(*, project: Project, item: Item, answers_needed: int) -> Task:
    """Put one more Task for `item` into `project`'s queue (call inside the caller's
    transaction). The team hears of it when the project had no open task before: one
    notice per burst of loops, not one per loop for every worker of a large team."""
    was_waiting = Task.objects.filter(project=project, status=Task.Status.OPEN).exists()
    task = Task.objects.create(
        organization_id=project.organization_id,
        project=project,
        item=item,
        answers_needed=answers_needed,
    )
    # Paid work reserves its answers' cost (refused with InsufficientFunds, nothing added).
    payout_services.project_escrow_reserve_more(
        project=project, answers=answers_needed, idempotency_key=f"task:{task.pk}"
    )
    if not was_waiting:
        workteam_notify_new_work(workteam=project.workteam, project_name=project.name, count=1)
    return task


def task_withdraw(*, task: Task) -> Task:
    """Take an unanswered task out of the queue now, ending the assignments held on it:
    a worker holding one is refused on submit (AssignmentNotActive) and nothing of theirs is
    stored. Locks the held assignments (then the task, the usual order). Call inside the
    caller's transaction. An answered task stays answered."""
    now = timezone.now()
    held = list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(task_id=task.pk, status=Assignment.Status.ACTIVE)
        .order_by("pk")
    )
    task = Task.objects.select_for_update().get(pk=task.pk)
    for assignment in held:
        _end_live(assignment, status=Assignment.Status.WITHDRAWN, now=now)
    Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
        status=Task.Status.WITHDRAWN, updated_at=now
    )
    task.refresh_from_db()
    return task


# A project's output as a new dataset (chaining)


def dataset_create_from_project(
    *,
    organization: Organization,
    actor: User,
    name: str,
    project: Project,
    filter_attribute: str = "",
    filter_value: object = None,
) -> tuple[Dataset, ManifestImport]:
    """Chaining (Ground Truth's chained jobs): a new dataset made of `project`'s output
    manifest, labels included, optionally only the lines whose `filter_attribute` label
    equals `filter_value` (e.g. the project's label attribute == 0 for its first class).

    The output is written to a temporary file first (constant memory), then imported by
    the usual job, so every line is validated and nothing is half-written."""
    if project.organization_id != organization.id:
        raise NotFound()
    work = Path(settings.DATASETS_WORK_ROOT) / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=work) as upload:
        for chunk in encode_lines(quality.project_output_lines(project=project)):
            upload.write(chunk)
        upload.seek(0)
        with transaction.atomic():
            dataset = dataset_services.dataset_create(
                organization=organization,
                actor=actor,
                name=name,
                storage=project.dataset.storage,
                description=f"Output of project {project.name}",
            )
            manifest_import = dataset_services.manifest_import_start(
                dataset=dataset,
                actor=actor,
                source=ManifestImport.Source.UPLOAD,
                upload=upload,
                filter_attribute=filter_attribute,
                filter_value=filter_value,
            )
    return dataset, manifest_import
