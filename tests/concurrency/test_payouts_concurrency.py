"""Money under real concurrency on PostgreSQL: each thread has its own connection.

Every money-moving call here is retried in parallel: paid exactly once, money conserved
(all balances sum to zero), no account below zero.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import transaction

from apps.payouts import services
from apps.payouts.ledger import InsufficientFunds, accounts_lock
from apps.payouts.models import Account, LedgerTransaction
from apps.payouts.selectors import reconciliation_report
from apps.projects.models import Project
from apps.tasks import services as task_services
from tests.concurrency.test_queue_concurrency import in_thread
from tests.payouts.helpers import balance, fund, public_project, submitted
from tests.workforces.helpers import public_worker

pytestmark = pytest.mark.django_db(transaction=True)


def run_all(calls) -> tuple[list, list]:
    """Start every (function, *args) at once; return (values, errors)."""
    barrier = threading.Barrier(len(calls))

    def gated(function, *args):
        barrier.wait(10)
        return function(*args)

    threads = [in_thread(gated, *call) for call in calls]
    values, errors = [], []
    for thread, result in threads:
        thread.join(60)
        assert not thread.is_alive()
        if "error" in result:
            errors.append(result["error"])
        else:
            values.append(result.get("value"))
    return values, errors


def assert_books_balance():
    report = reconciliation_report()
    assert report["mismatches"] == []
    assert report["negative_accounts"] == []
    assert report["sum_of_balances"] == 0
    assert report["is_balanced"] is True


def _balance_seen_while_another_spends(owner, *, lock: bool) -> Decimal:
    fund(owner.organization, "1.00")
    account = services.account_requester(organization_id=owner.organization_id)
    holding = threading.Event()

    def spend_and_hold():
        with transaction.atomic():
            locked = accounts_lock([account.pk])[account.pk]
            holding.set()
            time.sleep(0.3)  # the other reader arrives while we hold the row
            Account.objects.filter(pk=locked.pk).update(balance=locked.balance - Decimal("0.80"))

    thread, _ = in_thread(spend_and_hold)
    assert holding.wait(10)
    with transaction.atomic():
        if lock:
            seen = accounts_lock([account.pk])[account.pk].balance
        else:
            seen = Account.objects.get(pk=account.pk).balance
    thread.join(10)
    return seen


def test_control_without_the_lock_a_reader_sees_money_already_being_spent(owner):
    assert _balance_seen_while_another_spends(owner, lock=False) == Decimal("1.00")


def test_with_the_account_lock_the_reader_waits_and_sees_what_is_left(owner):
    assert _balance_seen_while_another_spends(owner, lock=True) == Decimal("0.20")


def test_sixteen_parallel_approvals_retries_and_bonuses_pay_each_exactly_once(owner):
    project = public_project(owner, items=16, answers=1, price="0.10")
    workers = [public_worker() for _ in range(16)]
    assignments = [submitted(project, worker) for worker in workers]
    fund(owner.organization, "20.00")
    available = services.account_requester(organization_id=owner.organization_id)
    assert balance(available) == Decimal("20.00")

    def approve(assignment, key):
        return services.assignment_earning_post(assignment=assignment, idempotency_key=key).pk

    def bonus(assignment):
        return services.assignment_bonus_pay(
            organization=owner.organization,
            assignment=assignment,
            amount="0.50",
            reason="thanks",
            idempotency_key=f"bonus-{assignment.pk}",
            actor=owner.user,
        ).pk

    calls = []
    for assignment in assignments:
        # the approval, its retry with the same key, the auto-approval job's own key
        calls += [(approve, assignment, "approve"), (approve, assignment, "approve")]
        calls += [(approve, assignment, "auto"), (bonus, assignment), (bonus, assignment)]
    values, errors = run_all(calls)

    assert errors == []
    assert len(set(values)) == 16 * 2  # one earning and one bonus per assignment
    for worker in workers:
        assert balance(services.account_worker(user_id=worker.pk)) == Decimal("0.60")
    assert LedgerTransaction.objects.filter(reason="earning").count() == 16
    assert LedgerTransaction.objects.filter(reason="bonus").count() == 16
    fees = services.account_platform(Account.Kind.PLATFORM_FEES)
    assert balance(fees) == 16 * (Decimal("0.02") + Decimal("0.10"))
    assert balance(services.account_escrow(project=project)) == Decimal(0)
    assert balance(available) == Decimal("20.00") - 16 * Decimal("0.60")
    assert_books_balance()


def test_two_projects_racing_for_one_balance_only_one_starts(owner):
    first = public_project(owner, items=3, answers=2, name="first", fund=False, start=False)
    second = public_project(owner, items=3, answers=2, name="second", fund=False, start=False)
    fund(owner.organization, "1.00")  # each needs 0.72

    def start(project):
        return task_services.project_start(project=project, actor=owner.user).status

    values, errors = run_all([(start, first), (start, second)])

    assert values == [Project.Status.STARTING]
    assert [type(error) for error in errors] == [InsufficientFunds]
    assert errors[0].details["missing"] == "0.4400"
    available = services.account_requester(organization_id=owner.organization_id)
    assert balance(available) == Decimal("0.28")
    assert_books_balance()


def test_stopping_while_approvals_run_refunds_exactly_the_unused_escrow(owner):
    project = public_project(owner, items=16, answers=1, price="0.10")  # 16 x 0.12 = 1.92
    assignments = [submitted(project) for _ in range(8)]
    available = services.account_requester(organization_id=owner.organization_id)
    assert balance(available) == Decimal(0)

    def approve(assignment):
        return services.assignment_earning_post(assignment=assignment, idempotency_key="a").pk

    def stop():
        return task_services.project_stop(project=project, actor=owner.user).status

    values, errors = run_all([(approve, assignment) for assignment in assignments] + [(stop,)])

    assert errors == []
    assert Project.objects.get(pk=project.pk).status == Project.Status.STOPPED
    assert balance(services.account_escrow(project=project)) == Decimal(0)
    assert balance(available) == 8 * Decimal("0.12")  # the 8 answers never given
    assert_books_balance()


def test_parallel_payout_requests_with_one_key_send_one_payout(owner):
    project = public_project(owner, items=1, price="5.00")
    worker = public_worker()
    services.assignment_earning_post(assignment=submitted(project, worker), idempotency_key="a")
    account = services.account_worker(user_id=worker.pk)

    def request(key):
        return services.payout_request(
            account=account, amount="3.00", idempotency_key=key, actor=worker
        ).pk

    values, errors = run_all([(request, "same")] * 8 + [(request, "other")] * 8)

    # One key's retries return one payout; the other key's 3.00 no longer fits in 2.00.
    assert len(set(values)) == 1
    assert len(values) == 8
    assert [type(error) for error in errors] == [InsufficientFunds] * 8
    assert balance(account) == Decimal("2.00")
    assert_books_balance()
