"""Money follows the reviews: approval pays, rejection pays nobody, extra answers are funded."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.payouts import services
from apps.payouts.ledger import InsufficientFunds
from apps.reviews import jobs as review_jobs
from apps.reviews.services import assignment_approve, assignment_reject
from apps.tasks import quality
from apps.tasks.models import Assignment, Task
from tests.payouts.helpers import balance, fund, public_project, submitted
from tests.workforces.helpers import public_worker

pytestmark = pytest.mark.django_db


def test_approving_pays_the_worker_and_the_fee_once(owner):
    project = public_project(owner, items=1, price="0.50")
    answer = submitted(project)
    escrow = services.account_escrow(project=project)
    before = balance(escrow)

    assignment_approve(assignment=answer, actor=owner.user)
    assignment_approve(assignment=answer, actor=owner.user)  # again: a no-op

    price, fee = services.cost_per_answer(project)
    assert price == Decimal("0.50") and fee == Decimal("0.10")
    assert balance(services.account_worker(user_id=answer.worker_id)) == price
    assert balance(escrow) == before - price - fee


def test_the_auto_approval_job_pays_once_however_often_it_runs(owner, settings):
    project = public_project(owner, items=1, price="0.25", auto_approval_delay_seconds=60)
    answer = submitted(project)
    Assignment.objects.filter(pk=answer.pk).update(
        submitted_at=answer.submitted_at - timedelta(hours=1)
    )

    review_jobs.assignments_auto_approve()
    review_jobs.assignments_auto_approve()

    assert balance(services.account_worker(user_id=answer.worker_id)) == Decimal("0.25")


def test_a_rejected_answer_pays_nobody_and_its_replacement_is_paid(owner):
    project = public_project(owner, items=1, price="0.40")
    first = submitted(project)
    escrow = services.account_escrow(project=project)
    before = balance(escrow)

    assignment_reject(assignment=first, actor=owner.user, reason="Off topic.")
    second = submitted(project)  # the task came back for another worker
    assignment_approve(assignment=second, actor=owner.user)

    assert balance(services.account_worker(user_id=first.worker_id)) == Decimal(0)
    assert balance(services.account_worker(user_id=second.worker_id)) == Decimal("0.40")
    assert balance(escrow) == before - Decimal("0.40") - Decimal("0.08")


def overlap_project(owner, *, funded_extra: bool):
    project = public_project(owner, items=1, answers=2, price="0.50")
    quality.project_settings_update(
        project=project,
        actor=owner.user,
        overlap_confidence_below=0.99,
        overlap_max_answers=3,
    )
    if funded_extra:
        fund(owner.organization, "0.60")
    return project


@pytest.mark.parametrize("funded_extra", [True, False])
def test_an_extra_answer_is_asked_only_when_the_escrow_can_pay_for_it(owner, funded_extra):
    project = overlap_project(owner, funded_extra=funded_extra)
    escrow = services.account_escrow(project=project)
    before = balance(escrow)

    submitted(project, public_worker(), "positive")
    submitted(project, public_worker(), "negative")  # a split: low confidence

    task = Task.objects.get(project=project)
    if funded_extra:
        assert (task.answers_needed, task.status) == (3, "open")
        assert balance(escrow) == before + Decimal("0.60")
    else:
        assert (task.answers_needed, task.status) == (2, "answered")
        assert balance(escrow) == before


def test_adding_a_task_to_a_paid_project_needs_the_funds(owner):
    from apps.datasets.models import Item
    from apps.tasks.services import task_add

    project = public_project(owner, items=1, price="1.00")
    item = Item.objects.create(  # a human loop's input, say
        organization=owner.organization,
        dataset=project.dataset,
        line_number=2,
        data={"source": "x"},
    )

    with pytest.raises(InsufficientFunds):
        task_add(project=project, item=item, answers_needed=1)
