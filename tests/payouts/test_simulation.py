"""A randomized simulation (hypothesis) of thousands of money operations, valid or not:
afterwards the reconciliation report balances, and every escrow still covers the answers
awaiting approval. Refused operations (DomainError) must have written nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.errors import DomainError
from apps.payouts import services
from apps.payouts.models import Account, Payout
from apps.payouts.selectors import reconciliation_report
from apps.projects.models import Project
from apps.tasks import services as task_services
from apps.tasks.models import Assignment
from tests.factories import MembershipFactory
from tests.payouts.helpers import public_project
from tests.work import answer
from tests.workforces.helpers import public_worker

pytestmark = pytest.mark.django_db

# Weighted by repetition: answering and approving dominate, as in real work.
KINDS = ["submit"] * 4 + ["approve"] * 3 + ["fund", "start", "reject", "bonus", "bonus"]
KINDS += ["stop", "payout", "payout", "settle", "batch"]
# Mostly valid amounts, some invalid ones (negative, zero, sub-cent, not a number).
AMOUNTS = ["0.01", "0.50", "1.00", "2.35", "7.10", "25.00", "-1", "0", "0.001", "x"]
operations = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, 60),  # which project, worker, assignment or payout (modulo)
    st.integers(0, 60),
    st.sampled_from(AMOUNTS),
    st.sampled_from(["k1", "k2", "k3", "fresh"]),  # retries of a few keys, or a new one
)


def _world():
    owners = [MembershipFactory(), MembershipFactory()]
    projects = [
        public_project(
            owners[n % 2],
            items=12,
            answers=1 + n % 2,
            price=["0.05", "0.10", "1.25"][n % 3],
            name=f"sim{n}",
            fund=False,
            start=False,
        )
        for n in range(6)
    ]
    return {"owners": owners, "projects": projects, "workers": [public_worker() for _ in range(6)]}


def _apply(world, operation, step: int) -> None:
    kind, first, second, amount, key = operation
    key = f"fresh-{step}" if key == "fresh" else key
    owners, projects, workers = world["owners"], world["projects"], world["workers"]
    assignments = list(Assignment.objects.filter(submitted_at__isnull=False).order_by("pk"))
    project = projects[first % len(projects)]
    if kind == "fund":
        owner = owners[first % 2]
        services.funding_record(
            organization=owner.organization,
            amount=amount,
            reference="wire",
            actor=owner.user,
            idempotency_key=f"{key}-{step}",
        )
    elif kind == "start":
        project.refresh_from_db()
        task_services.project_start(project=project, actor=None)
        task_services.project_tasks_create(project=project)
    elif kind == "submit":
        worker = workers[second % len(workers)]
        assignment = task_services.assignment_next(
            worker=worker, workteam_ids=[project.workteam_id], project_id=project.pk
        )
        if assignment is not None:
            task_services.assignment_submit(assignment=assignment, worker=worker, answer=answer())
    elif kind in ("approve", "reject", "bonus") and assignments:
        assignment = assignments[first % len(assignments)]
        if kind == "approve":
            services.assignment_earning_post(assignment=assignment, idempotency_key=key)
        elif kind == "reject":
            services.assignment_rejection_release(assignment=assignment, idempotency_key=key)
        else:
            services.assignment_bonus_pay(
                organization=assignment.organization,
                assignment=assignment,
                amount=amount,
                reason="simulated",
                idempotency_key=key,
                actor=None,
            )
    elif kind == "stop" and first < 10:  # rarely: a stopped project takes no more work
        project.refresh_from_db()
        task_services.project_stop(project=project, actor=None)
    elif kind == "payout":
        accounts = list(Account.objects.filter(kind="worker").order_by("pk"))
        if accounts:
            services.payout_request(
                account=accounts[first % len(accounts)],
                amount=amount,
                idempotency_key=key,
                actor=None,
            )
    elif kind == "settle":
        payouts = list(Payout.objects.filter(status="in_transit").order_by("pk"))
        if payouts and second % 3:
            payout = payouts[first % len(payouts)]
            services.payout_settle(payout=payout, provider_reference="bank", actor=None)
        elif payouts:
            services.payout_fail(payout=payouts[0], reason="bounced", actor=None)
    elif kind == "batch":
        services.payout_batch_run(run_key=f"{key}-{step // 50}")


def _escrows_cover_awaiting_answers(projects) -> bool:
    for project in projects:
        escrow = Account.objects.filter(kind="escrow", project=project).first()
        if escrow is None:
            continue
        price, fee = services.cost_per_answer(project)
        awaiting = services.answers_awaiting_approval(project_id=project.pk).count()
        if escrow.balance < awaiting * (price + fee):
            return False
    return True


def test_thousands_of_random_operations_leave_the_books_balanced():
    world = _world()
    counter = {"operations": 0, "refused": 0}

    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(operations, min_size=150, max_size=250))
    def simulate(batch):
        for operation in batch:
            counter["operations"] += 1
            try:
                _apply(world, operation, counter["operations"])
            except DomainError:
                counter["refused"] += 1
        report = reconciliation_report()
        assert report["mismatches"] == []
        assert report["negative_accounts"] == []
        assert report["sum_of_balances"] == 0
        assert report["is_balanced"] is True
        assert _escrows_cover_awaiting_answers(world["projects"])

    simulate()

    assert counter["operations"] >= 1500
    assert 0 < counter["refused"] < counter["operations"]
    assert Project.objects.exclude(status="draft").exists()
