"""Figures must equal counts computed independently from the rows (exact numbers)."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.reporting import services
from apps.reporting.models import ProjectHourlyAnswers, WorkerProjectStats
from apps.reporting.selectors import activity_events, project_dashboard
from apps.tasks import services as task_services
from apps.tasks.models import Assignment, Task
from tests.work import answer, text_project

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def take(project, worker):
    return task_services.assignment_next(worker=worker, workteam_ids=[project.workteam_id])


def submit(project, worker):
    assignment = take(project, worker)
    return task_services.assignment_submit(assignment=assignment, worker=worker, answer=answer())


def timed(assignment, *, taken: datetime, seconds: float) -> None:
    """Pin when an answer was taken and how long it took (setup, not a service)."""
    done = taken + timedelta(seconds=seconds)
    Assignment.objects.filter(pk=assignment.pk).update(
        created_at=taken, submitted_at=done, ended_at=done
    )


def test_task_and_assignment_counts_match_the_rows(owner):
    project, (ann, bob, cyd) = text_project(owner, items=4, workers=3, answers_per_item=2)
    submit(project, ann)
    submit(project, ann)
    task_services.assignment_decline(assignment=take(project, ann), worker=ann)
    submit(project, bob)
    task_services.assignment_release(assignment=take(project, bob), worker=bob)
    take(project, cyd)  # held

    stats = services.project_stats_refresh(project=project)

    tasks = Task.objects.filter(project=project)
    assert stats.tasks_total == 4
    assert stats.tasks_labeled == tasks.filter(status="answered").count() == 1
    assert stats.tasks_in_progress == tasks.filter(status="open", live_assignments=1).count() == 1
    assert stats.tasks_waiting == 2
    assert stats.tasks_withdrawn == 0
    assert stats.answers_remaining == 8 - 3
    assert stats.assignments_accepted == Assignment.objects.filter(project=project).count() == 6
    assert (stats.answers_submitted, stats.assignments_declined) == (3, 1)
    assert (stats.assignments_released, stats.assignments_expired) == (1, 0)
    by_worker = {
        row.worker_id: (
            row.answers_submitted,
            row.assignments_declined,
            row.assignments_released,
        )
        for row in WorkerProjectStats.objects.filter(project=project)
    }
    assert by_worker == {ann.pk: (2, 1, 0), bob.pk: (1, 0, 1), cyd.pk: (0, 0, 0)}


def test_times_per_task_and_answers_per_hour(owner):
    project, (ann, bob) = text_project(owner, items=5, workers=2)
    plan = [(ann, 0, 10), (ann, 1, 30), (ann, 65, 100), (bob, 70, 20), (bob, 130, 40)]
    for worker, minute, seconds in plan:
        timed(submit(project, worker), taken=T0 + timedelta(minutes=minute), seconds=seconds)

    stats = services.project_stats_refresh(project=project)

    # 10, 20, 30, 40, 100 s: the median is the 3rd, the 90th percentile the 5th (nearest rank)
    assert (stats.median_seconds, stats.p90_seconds) == (30.0, 100.0)
    workers = {
        row.worker_id: (row.median_seconds, row.p90_seconds)
        for row in WorkerProjectStats.objects.filter(project=project)
    }
    assert workers == {ann.pk: (30.0, 100.0), bob.pk: (20.0, 40.0)}
    hours = ProjectHourlyAnswers.objects.filter(project=project).order_by("hour")
    assert [(row.hour, row.answers) for row in hours] == [
        (T0, 2),
        (T0 + timedelta(hours=1), 2),
        (T0 + timedelta(hours=2), 1),
    ]


def test_refreshing_again_replaces_the_figures(owner):
    project, (ann, _) = text_project(owner, items=3)
    timed(submit(project, ann), taken=T0, seconds=5)
    services.project_stats_refresh(project=project)
    timed(submit(project, ann), taken=T0 + timedelta(hours=1), seconds=15)

    stats = services.project_stats_refresh(project=project)

    assert stats.answers_submitted == 2
    assert ProjectHourlyAnswers.objects.filter(project=project).count() == 2
    assert WorkerProjectStats.objects.get(project=project).answers_submitted == 2


def test_the_dashboard_fills_empty_hours_and_days_and_estimates_the_end(owner):
    project, (ann, _) = text_project(owner, items=10)
    now = T0 + timedelta(days=2, minutes=30)
    timed(submit(project, ann), taken=T0, seconds=5)  # two days ago
    for minutes in (0, 5, 10):  # this hour
        timed(submit(project, ann), taken=now - timedelta(minutes=minutes + 1), seconds=30)

    dashboard = project_dashboard(
        project=project, stats=services.project_stats_refresh(project=project), now=now
    )

    assert len(dashboard.hourly) == 48
    assert dashboard.hourly[-1] == (T0 + timedelta(days=2), 3)
    assert sum(answers for _, answers in dashboard.hourly) == 3
    assert [answers for _, answers in dashboard.daily] == [1, 0, 3]
    assert dashboard.answers_last_24_hours == 3
    assert dashboard.eta == timedelta(hours=6 * 24 / 3)  # 6 answers left at 3 a day
    assert dashboard.label_counters == {
        "TotalLabeled": 4,
        "HumanLabeled": 4,
        "MachineLabeled": 0,
        "FailedNonRetryableError": 0,
        "Unlabeled": 6,
    }


def test_a_project_without_answers_has_no_times_and_no_eta(owner):
    project, _ = text_project(owner, items=2)

    dashboard = project_dashboard(
        project=project, stats=services.project_stats_refresh(project=project)
    )

    assert (dashboard.stats.median_seconds, dashboard.stats.p90_seconds) == (None, None)
    assert dashboard.eta is None and dashboard.daily == []


def test_the_activity_log_merges_every_kind_newest_first(owner):
    project, (ann, bob) = text_project(owner, items=3, workers=2)
    first = submit(project, ann)
    timed(first, taken=T0, seconds=60)
    declined = take(project, bob)
    task_services.assignment_decline(assignment=declined, worker=bob)
    Assignment.objects.filter(pk=declined.pk).update(
        created_at=T0 + timedelta(seconds=30), ended_at=T0 + timedelta(seconds=90)
    )

    events = [(e.kind, e.at, e.worker_id) for e in activity_events(project=project)]

    assert events == [
        ("declined", T0 + timedelta(seconds=90), bob.pk),
        ("submitted", T0 + timedelta(seconds=60), ann.pk),
        ("accepted", T0 + timedelta(seconds=30), bob.pk),
        ("accepted", T0, ann.pk),
    ]
    only_bob = [e.kind for e in activity_events(project=project, worker_id=bob.pk)]
    assert only_bob == ["declined", "accepted"]
    accepted = [e.at for e in activity_events(project=project, kinds=["accepted"])]
    assert accepted == [T0 + timedelta(seconds=30), T0]
    page = list(activity_events(project=project, limit=3))
    rest = list(
        activity_events(project=project, before=(page[-1].at, page[-1].assignment_id), limit=3)
    )
    assert [e.kind for e in page + rest] == [kind for kind, _, _ in events]


def test_reviews_labels_confidence_and_quality_reach_the_figures(owner):
    from apps.reviews.services import assignment_approve, assignment_reject
    from apps.tasks import quality

    project, (ann, bob, cyd) = text_project(owner, items=3, workers=3, answers_per_item=2)
    answers = {}
    for worker, label in [(ann, "positive"), (bob, "positive"), (ann, "negative")]:
        assignment = take(project, worker)
        answers[worker, label] = task_services.assignment_submit(
            assignment=assignment, worker=worker, answer=answer(label)
        )
    submitted = task_services.assignment_submit(
        assignment=take(project, cyd), worker=cyd, answer=answer("negative")
    )
    assignment_approve(assignment=answers[ann, "positive"], actor=owner.user)
    assignment_reject(assignment=submitted, actor=owner.user, reason="Read it again.")
    quality.project_reestimate(project=project)

    stats = services.project_stats_refresh(project=project)

    labeled = Task.objects.filter(project=project, consolidated_label__isnull=False)
    expected = {}
    for task in labeled:
        expected[task.consolidated_label["label"]] = (
            expected.get(task.consolidated_label["label"], 0) + 1
        )
    assert stats.label_counts == expected and sum(expected.values()) == labeled.count()
    histogram = [0] * 10
    for task in labeled:
        histogram[min(int(task.confidence * 10), 9)] += 1
    assert stats.confidence_histogram == histogram and sum(histogram) == labeled.count() > 0
    assert (stats.answers_approved, stats.answers_rejected) == (1, 1)
    by_worker = {
        row.worker_id: (row.answers_approved, row.answers_rejected)
        for row in WorkerProjectStats.objects.filter(project=project)
    }
    assert by_worker == {ann.pk: (1, 0), bob.pk: (0, 0), cyd.pk: (0, 1)}
    kinds = [
        event.kind for event in activity_events(project=project, kinds=["approved", "rejected"])
    ]
    assert sorted(kinds) == ["approved", "rejected"]


def test_cost_escrow_and_earnings_come_from_the_ledger(owner):
    from decimal import Decimal

    from apps.payouts import services as payout_services
    from apps.reviews.services import assignment_approve
    from tests.payouts.helpers import public_project, submitted

    project = public_project(owner, items=2, price="0.50")
    first, second = submitted(project), submitted(project)
    assignment_approve(assignment=first, actor=owner.user)

    stats = services.project_stats_refresh(project=project)
    dashboard = project_dashboard(project=project, stats=stats)

    assert (stats.cost_work, stats.cost_fees) == (Decimal("0.50"), Decimal("0.10"))
    escrow = payout_services.account_escrow(project=project)
    escrow.refresh_from_db()
    assert dashboard.escrow == escrow.balance == Decimal("0.60")  # the second answer's share
    earned = {
        row.worker_id: row.earnings for row in WorkerProjectStats.objects.filter(project=project)
    }
    assert earned == {first.worker_id: Decimal("0.50"), second.worker_id: Decimal("0")}


def test_auto_labeled_and_failed_tasks_are_counted_apart_from_peoples_labels(owner):
    project, (ann, _) = text_project(owner, items=4)
    submit(project, ann)  # labeled by people
    tasks = list(Task.objects.filter(project=project, status="open").order_by("pk"))
    Task.objects.filter(pk=tasks[0].pk).update(  # as the automated-labeling loop does
        status="answered", label_model_version="text-tfidf-logistic@1"
    )
    Task.objects.filter(pk=tasks[1].pk).update(status="failed", failure_reason="hook timed out")

    stats = services.project_stats_refresh(project=project)

    assert (stats.tasks_labeled, stats.tasks_auto_labeled, stats.tasks_failed) == (1, 1, 1)
    assert stats.tasks_waiting == 1
    counters = project_dashboard(project=project, stats=stats).label_counters
    assert counters == {
        "TotalLabeled": 2,
        "HumanLabeled": 1,
        "MachineLabeled": 1,
        "FailedNonRetryableError": 1,
        "Unlabeled": 1,
    }
