"""The queue under real concurrency on PostgreSQL: each thread has its own connection."""

import threading
from collections import Counter

import pytest
from django.db import connection, transaction
from django_scopes import scopes_disabled

from apps.projects.models import Project
from apps.tasks import services
from apps.tasks.models import Assignment, Task
from tests.work import answer, text_project
from tests.workforces.helpers import worker_of

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(function, *args):
    """Run `function` in a thread with its own connection and scopes off, as test setup."""
    result = {}

    def run():
        try:
            with scopes_disabled():
                result["value"] = function(*args)
        except Exception as error:  # noqa: BLE001 - re-raised in the caller
            result["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def _first_candidate_while_another_holds_one(owner, *, lock: bool):
    project, (first, second) = text_project(owner, items=2, workers=2)
    project_ids = [project.pk]
    holding, release = threading.Event(), threading.Event()

    def claim_and_hold(worker):
        with transaction.atomic():
            queryset = services.tasks_claimable(worker=worker, project_ids=project_ids)
            if lock:
                queryset = queryset.select_for_update(skip_locked=True, of=("self",))
            task = queryset.first()
            holding.set()
            release.wait(10)
            return task.pk

    thread, held = in_thread(claim_and_hold, first)
    assert holding.wait(10)
    with transaction.atomic():
        queryset = services.tasks_claimable(worker=second, project_ids=project_ids)
        if lock:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        other = queryset.first().pk
    release.set()
    thread.join(10)
    return held["value"], other


def test_control_without_the_lock_two_workers_see_the_same_task(owner):
    held, other = _first_candidate_while_another_holds_one(owner, lock=False)

    assert held == other  # the race the lock exists for


def test_with_skip_locked_the_second_worker_gets_another_task(owner):
    held, other = _first_candidate_while_another_holds_one(owner, lock=True)

    assert held != other


def test_sixteen_workers_answer_everything_once_with_no_duplicates(owner):
    project, people = text_project(owner, items=40, workers=16, answers_per_item=3)
    team_ids = [project.workteam_id]
    errors = []

    def work(worker):
        done = 0
        for _ in range(200):  # bounded: 40 tasks x 3 answers spread over 16 workers
            assignment = services.assignment_next(worker=worker, workteam_ids=team_ids)
            if assignment is None:
                return done
            services.assignment_submit(assignment=assignment, worker=worker, answer=answer())
            done += 1
        return done

    threads = [in_thread(work, worker) for worker in people]
    for thread, result in threads:
        thread.join(60)
        if "error" in result:
            errors.append(result["error"])

    assert errors == []
    submitted = Assignment.objects.filter(project=project, status=Assignment.Status.SUBMITTED)
    per_task = Counter(submitted.values_list("task_id", flat=True))
    pairs = Counter(submitted.values_list("task_id", "worker_id"))
    assert submitted.count() == 40 * 3  # no lost answers
    assert set(per_task.values()) == {3}  # never more answers than needed
    assert max(pairs.values()) == 1  # no worker answered a task twice
    assert sum(result["value"] for _, result in threads) == 120
    assert not Task.objects.filter(project=project).exclude(status=Task.Status.ANSWERED).exists()
    assert Project.objects.get(pk=project.pk).status == Project.Status.COMPLETED


def test_a_worker_outside_the_team_gets_nothing(owner):
    project, _ = text_project(owner, items=1)
    outsider = worker_of(owner.organization)

    assert services.assignment_next(worker=outsider, workteam_ids=[]) is None
    assert Assignment.objects.count() == 0
