"""Money test setup, built through the services (funding, projects, submitted answers)."""

from decimal import Decimal
from itertools import count

from apps.payouts import services
from apps.payouts.models import Account
from apps.tasks import services as task_services
from tests.factories import UserFactory
from tests.work import answer, dataset_of_texts, text_project
from tests.workforces.helpers import public_team, public_worker

_keys = count(1)


def operator():
    return UserFactory(is_staff=True)


def fund(organization, amount: str):
    return services.funding_record(
        organization=organization,
        amount=amount,
        reference=f"bank transfer {next(_keys)}",
        actor=operator(),
        idempotency_key=f"test-{next(_keys)}",
    )


def fund_to_start(project) -> Decimal:
    """Top up exactly what starting `project` reserves (nothing for unpaid work)."""
    if not services.project_is_paid(project):
        return Decimal(0)
    required = services.project_escrow_required(project)
    have = services.account_requester(organization_id=project.organization_id).balance
    if required > have:
        _fund_exactly(project.organization, required - have)
    return required


def balance(account: Account) -> Decimal:
    account.refresh_from_db()
    return account.balance


def public_project(owner, *, items=2, answers=1, price="0.10", name="paid", start=True, fund=True):
    """A public-crowd text project; funded with exactly its escrow when `fund`."""
    team = public_team(owner, name=f"crowd-{name}")
    dataset = dataset_of_texts(owner, [f"{name} {n}" for n in range(items)], name=f"data-{name}")
    project, _ = text_project(
        owner,
        workers=0,
        name=name,
        workteam=team,
        dataset=dataset,
        answers_per_item=answers,
        price_per_task=Decimal(price),
        start=False,
    )
    if fund:
        required = services.project_escrow_required(project)
        _fund_exactly(project.organization, required)
    if start:
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            task_services.project_start(project=project, actor=owner.user)
        project.refresh_from_db()
    return project


def _fund_exactly(organization, amount: Decimal) -> None:
    """Fund in cents; a sub-cent remainder is topped up to the next cent."""
    cents = amount.quantize(Decimal("0.01"))
    if cents < amount:
        cents += Decimal("0.01")
    if cents > 0:
        fund(organization, str(cents))


def submitted(project, worker=None, label: str = "positive"):
    """A public worker claims and submits one task of `project`; returns the assignment."""
    worker = worker or public_worker()
    assignment = task_services.assignment_next(
        worker=worker, workteam_ids=[project.workteam_id], project_id=project.pk
    )
    assert assignment is not None
    return task_services.assignment_submit(
        assignment=assignment, worker=worker, answer=answer(label)
    )
