from decimal import Decimal

import pytest

from apps.core.errors import DomainError
from apps.payouts import services
from apps.payouts.ledger import InsufficientFunds
from apps.payouts.models import Account, LedgerEntry, LedgerTransaction
from apps.payouts.money import InvalidAmount
from apps.payouts.selectors import reconciliation_report
from apps.projects.models import Project
from apps.tasks import services as task_services
from apps.tasks.models import Assignment
from tests.factories import MembershipFactory
from tests.payouts.helpers import balance, fund, public_project, submitted
from tests.work import text_project
from tests.workforces.helpers import public_worker, subscribed_vendor_team, vendor_with_team

pytestmark = pytest.mark.django_db


def platform(kind):
    return services.account_platform(kind)


def test_funding_moves_money_from_outside_to_the_requester(owner):
    fund(owner.organization, "25.00")

    assert balance(services.account_requester(organization_id=owner.organization_id)) == Decimal(
        "25.0000"
    )
    assert balance(platform(Account.Kind.EXTERNAL)) == Decimal("-25.0000")
    assert reconciliation_report()["is_balanced"] is True


@pytest.mark.parametrize(
    ("amount", "currency", "field", "message"),
    [
        ("-1", None, "amount", "The amount must be greater than zero."),
        ("0", None, "amount", "The amount must be greater than zero."),
        ("1.001", None, "amount", "Use at most 2 decimal places for USD."),
        ("ten", None, "amount", 'Enter a number, e.g. "12.50".'),
        (1.5, None, "amount", 'Send the amount as a decimal string, e.g. "12.50".'),
        ("5", "EUR", "currency", "Only USD is accepted here, not EUR."),
    ],
)
def test_funding_refuses_bad_amounts_and_writes_nothing(owner, amount, currency, field, message):
    with pytest.raises(InvalidAmount) as error:
        services.funding_record(
            organization=owner.organization,
            amount=amount,
            currency=currency,
            reference="wire 1",
            actor=owner.user,
            idempotency_key="k1",
        )

    assert error.value.details == {field: [message]}
    assert not LedgerTransaction.objects.exists()


def test_funding_needs_a_reference_for_the_manual_provider(owner):
    with pytest.raises(DomainError) as error:
        services.funding_record(
            organization=owner.organization,
            amount="5",
            reference=" ",
            actor=owner.user,
            idempotency_key="k1",
        )

    assert list(error.value.details) == ["reference"]
    assert not LedgerTransaction.objects.exists()


def test_funding_twice_with_one_key_funds_once(owner):
    for _ in range(2):
        services.funding_record(
            organization=owner.organization,
            amount="5.00",
            reference="wire 7",
            actor=owner.user,
            idempotency_key="same",
        )

    assert balance(services.account_requester(organization_id=owner.organization_id)) == Decimal(5)


def test_starting_a_paid_project_reserves_price_items_answers_and_fee(owner):
    # 3 items x 2 answers x (0.10 + 20% fee 0.02) = 0.72
    fund(owner.organization, "1.00")
    project = public_project(owner, items=3, answers=2, price="0.10", fund=False)

    assert project.status == Project.Status.IN_PROGRESS
    assert balance(services.account_escrow(project=project)) == Decimal("0.72")
    assert balance(services.account_requester(organization_id=owner.organization_id)) == Decimal(
        "0.28"
    )


def test_a_project_that_would_overdraw_cannot_start(owner):
    fund(owner.organization, "0.50")
    project = public_project(owner, items=3, answers=2, price="0.10", fund=False, start=False)

    with pytest.raises(InsufficientFunds) as error:
        task_services.project_start(project=project, actor=owner.user)

    assert error.value.message == (
        "Insufficient funds: starting this project reserves 0.7200 USD; 0.2200 USD more is needed."
    )
    assert error.value.details["missing"] == "0.2200"
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT
    assert balance(services.account_requester(organization_id=owner.organization_id)) == Decimal(
        "0.50"
    )
    assert not LedgerTransaction.objects.filter(reason="escrow_reserve").exists()


def test_private_team_work_reserves_nothing(owner):
    project, _ = text_project(owner, items=2)

    assert project.status == Project.Status.IN_PROGRESS
    assert not Account.objects.filter(kind=Account.Kind.ESCROW).exists()


def test_the_fee_minimum_applies_per_assignment(owner, settings):
    settings.PAYOUTS_FEE_MINIMUM = Decimal("0.05")
    project = public_project(owner, items=1, price="0.10")
    assignment = submitted(project)

    services.assignment_earning_post(assignment=assignment, idempotency_key="a1")

    assert balance(platform(Account.Kind.PLATFORM_FEES)) == Decimal("0.05")


def test_an_approved_public_assignment_pays_the_worker_and_the_fee(owner):
    project = public_project(owner, items=2, price="0.10")
    worker = public_worker()
    assignment = submitted(project, worker)

    earning = services.assignment_earning_post(assignment=assignment, idempotency_key="appr-1")

    assert balance(services.account_worker(user_id=worker.pk)) == Decimal("0.10")
    assert balance(platform(Account.Kind.PLATFORM_FEES)) == Decimal("0.02")
    assert balance(services.account_escrow(project=project)) == Decimal("0.12")
    lines = sorted(earning.entries.values_list("line", "amount"))
    assert lines == [("fee", Decimal("0.02")), ("price", Decimal("0.10"))]
    assert (earning.assignment_id, earning.project_id) == (assignment.pk, project.pk)


def test_earning_twice_with_the_same_key_or_another_key_pays_once(owner):
    project = public_project(owner, items=1, price="0.10")
    worker = public_worker()
    assignment = submitted(project, worker)

    first = services.assignment_earning_post(assignment=assignment, idempotency_key="k")
    again = services.assignment_earning_post(assignment=assignment, idempotency_key="k")
    other = services.assignment_earning_post(assignment=assignment, idempotency_key="auto")

    assert first.pk == again.pk == other.pk
    assert balance(services.account_worker(user_id=worker.pk)) == Decimal("0.10")
    assert LedgerEntry.objects.count() == 4  # top-up, reserve, price, fee


def test_vendor_work_pays_the_vendor_organization(owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    team, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team)
    project, _ = text_project(
        owner, items=1, workers=0, workteam=team, price_per_task=Decimal("0.50")
    )
    assignment = task_services.assignment_next(
        worker=vendor_worker, workteam_ids=[team.pk], project_id=project.pk
    )
    task_services.assignment_submit(
        assignment=assignment,
        worker=vendor_worker,
        answer={"crowd-classifier": {"label": "positive"}},
    )

    services.assignment_earning_post(assignment=assignment, idempotency_key="v1")

    vendor = services.account_vendor(organization_id=vendor_owner.organization_id)
    assert balance(vendor) == Decimal("0.50")
    assert not Account.objects.filter(kind=Account.Kind.WORKER).exists()


def test_an_unsubmitted_assignment_is_not_paid(owner):
    project = public_project(owner, items=1, price="0.10")
    worker = public_worker()
    assignment = task_services.assignment_next(worker=worker, workteam_ids=[project.workteam_id])

    with pytest.raises(services.AssignmentNotPayable):
        services.assignment_earning_post(assignment=assignment, idempotency_key="x")

    assert not LedgerTransaction.objects.filter(reason="earning").exists()


def test_a_rejected_assignment_is_never_paid_afterwards(owner):
    project = public_project(owner, items=2, price="0.10")
    assignment = submitted(project)

    services.assignment_rejection_release(assignment=assignment, idempotency_key="r1")
    with pytest.raises(services.AssignmentAlreadySettled):
        services.assignment_earning_post(assignment=assignment, idempotency_key="a1")

    assert balance(services.account_escrow(project=project)) == Decimal("0.24")  # stays


def test_completing_refunds_exactly_the_unused_escrow(owner):
    # 2 items x 2 answers: 4 x 0.12 = 0.48 reserved; the max-items limit stops after 1 item
    project = public_project(owner, items=2, answers=2, price="0.10")
    first, second = submitted(project), submitted(project)
    services.assignment_earning_post(assignment=first, idempotency_key="1")
    escrow = services.account_escrow(project=project)
    available = services.account_requester(organization_id=owner.organization_id)

    task_services.project_stop(project=project, actor=owner.user)

    project.refresh_from_db()
    assert project.status == Project.Status.STOPPED
    # one answer paid (0.12 out), one awaiting approval (0.12 kept), 0.24 released
    assert balance(escrow) == Decimal("0.12")
    assert balance(available) == Decimal("0.24")
    services.assignment_earning_post(assignment=second, idempotency_key="2")
    assert balance(escrow) == Decimal(0)
    assert reconciliation_report()["is_balanced"] is True


def test_a_rejection_after_the_project_ended_returns_its_share(owner):
    project = public_project(owner, items=1, answers=1, price="0.10")
    assignment = submitted(project)  # the only task: the project completes
    project.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    escrow = services.account_escrow(project=project)
    assert balance(escrow) == Decimal("0.12")

    services.assignment_rejection_release(assignment=assignment, idempotency_key="r")

    assert balance(escrow) == Decimal(0)
    assert balance(services.account_requester(organization_id=owner.organization_id)) == Decimal(
        "0.12"
    )


def test_a_bonus_pays_the_worker_plus_the_fee_from_the_balance(owner):
    project = public_project(owner, items=1, price="0.10")
    worker = public_worker()
    assignment = submitted(project, worker)
    fund(owner.organization, "10.00")

    for _ in range(2):
        services.assignment_bonus_pay(
            organization=owner.organization,
            assignment=assignment,
            amount="2.50",
            reason="Great work",
            idempotency_key="bonus-1",
            actor=owner.user,
        )

    assert balance(services.account_worker(user_id=worker.pk)) == Decimal("2.50")
    assert balance(platform(Account.Kind.PLATFORM_FEES)) == Decimal("0.50")
    assert balance(services.account_requester(organization_id=owner.organization_id)) == Decimal(
        "7.00"
    )


def test_a_bonus_larger_than_the_balance_is_refused(owner):
    project = public_project(owner, items=1, price="0.10")
    assignment = submitted(project)
    fund(owner.organization, "1.00")

    with pytest.raises(InsufficientFunds) as error:
        services.assignment_bonus_pay(
            organization=owner.organization,
            assignment=assignment,
            amount="1.00",
            reason="thanks",
            idempotency_key="b",
            actor=owner.user,
        )

    assert error.value.message == (
        "Insufficient funds: the bonus and its fee cost 1.2000; 0.2000 USD more is needed."
    )
    assert not LedgerTransaction.objects.filter(reason="bonus").exists()


def test_a_bonus_for_another_organizations_assignment_is_not_found(owner):
    project = public_project(owner, items=1, price="0.10")
    assignment = submitted(project)
    other = MembershipFactory()
    fund(other.organization, "10.00")

    with pytest.raises(services.NotFound):
        services.assignment_bonus_pay(
            organization=other.organization,
            assignment=assignment,
            amount="1.00",
            reason="thanks",
            idempotency_key="b",
            actor=other.user,
        )

    assert not LedgerTransaction.objects.filter(reason="bonus").exists()


def _earned(owner, amount_price="2.00"):
    project = public_project(owner, items=1, price=amount_price)
    worker = public_worker()
    assignment = submitted(project, worker)
    services.assignment_earning_post(assignment=assignment, idempotency_key="e")
    return services.account_worker(user_id=worker.pk), worker


def test_a_payout_moves_the_balance_in_transit_then_settles(owner):
    account, worker = _earned(owner)

    payout = services.payout_request(
        account=account, amount="1.50", idempotency_key="p1", actor=worker
    )
    csv_text = services.payouts_export(actor=worker)
    services.payout_settle(payout=payout, provider_reference="bank-123", actor=None)

    assert balance(account) == Decimal("0.50")
    assert balance(platform(Account.Kind.IN_TRANSIT)) == Decimal(0)
    assert csv_text.splitlines() == [
        "payout_id,payee_kind,payee,amount,currency,reference",
        f"{payout.pk},worker,{worker.email},1.50,USD,payout:{account.pk}:p1",
    ]
    payout.refresh_from_db()
    assert (payout.status, payout.provider_reference) == ("paid", "bank-123")
    assert services.payouts_export(actor=worker).splitlines()[1:] == []  # exported once
    with pytest.raises(services.PayoutNotPending):
        services.payout_fail(payout=payout, reason="late", actor=None)


def test_a_failed_payout_returns_the_money(owner):
    account, worker = _earned(owner)
    payout = services.payout_request(
        account=account, amount="2.00", idempotency_key="p1", actor=worker
    )
    assert balance(account) == Decimal(0)

    services.payout_fail(payout=payout, reason="account closed", actor=None)

    assert balance(account) == Decimal("2.00")
    assert reconciliation_report()["is_balanced"] is True


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0.50", "The minimum payout is 1.00 USD."),
        ("3.00", "At most 2.00 can be paid out."),
    ],
)
def test_payouts_below_the_minimum_or_above_the_balance_are_refused(owner, amount, message):
    account, worker = _earned(owner)

    with pytest.raises(DomainError) as error:
        services.payout_request(account=account, amount=amount, idempotency_key="p", actor=worker)

    assert error.value.details == {"amount": [message]}
    assert balance(account) == Decimal("2.00")
    assert not LedgerTransaction.objects.filter(reason="payout").exists()


def test_the_payout_batch_pays_each_balance_once_per_run(owner):
    account, _ = _earned(owner, "2.3456")
    small, _ = _earned(MembershipFactory(), "0.50")  # below the minimum

    assert services.payout_batch_run(run_key="2026-11-28") == 1
    assert services.payout_batch_run(run_key="2026-11-28") == 0

    assert balance(account) == Decimal("0.0056")  # whole cents paid, the rest stays
    assert balance(small) == Decimal("0.50")
    assert account.payouts.get().amount == Decimal("2.34")


def test_ledger_rows_are_never_updated_or_deleted(owner):
    from apps.payouts.models import AppendOnlyError

    transaction = fund(owner.organization, "5.00")
    entry = transaction.entries.get()

    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        transaction.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal(1))
    with pytest.raises(AppendOnlyError):
        LedgerTransaction.objects.all().delete()


def test_the_database_refuses_a_negative_balance_written_around_the_service(owner):
    from django.db import IntegrityError, transaction

    account = services.account_requester(organization_id=owner.organization_id)

    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=Decimal("-1"))


def test_an_earnings_line_traces_back_to_assignment_and_project(owner):
    project = public_project(owner, items=1, price="0.10")
    worker = public_worker()
    assignment = submitted(project, worker)
    services.assignment_earning_post(assignment=assignment, idempotency_key="x")

    line = LedgerEntry.objects.select_related("transaction").get(
        destination=services.account_worker(user_id=worker.pk)
    )

    assert line.transaction.assignment == Assignment.objects.get(pk=assignment.pk)
    assert line.transaction.project == project
    assert line.transaction.idempotency_key == f"earning:{assignment.pk}:x"
