"""Every money movement: funding, escrow, earnings, bonuses, payouts.

All of them write through `apps.payouts.ledger.ledger_post` (balanced entries, accounts
locked in primary-key order, idempotency keys). Called from the project lifecycle
(`apps.tasks.services`: start reserves, settling releases) and from the approval
services (`assignment_earning_post`, `assignment_rejection_release`), inside their
transactions; this module imports their models, never their services.
"""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.core.errors import Conflict, DomainError, NotFound
from apps.core.services import audit_record
from apps.datasets.models import Item
from apps.payouts.ledger import InsufficientFunds, Move, accounts_lock, ledger_post
from apps.payouts.models import Account, LedgerTransaction, Payout, PayoutBatch
from apps.payouts.money import fee_for, ledger_round, parse_amount, round_down_to_minor_unit
from apps.payouts.providers import provider_get
from apps.projects.models import Project
from apps.tasks.models import Assignment
from apps.workforces.models import Workforce, Workteam

Reason = LedgerTransaction.Reason


class AssignmentNotPayable(Conflict):
    code = "assignment_not_payable"
    message = "This assignment has no submitted answer to pay for."


class AssignmentAlreadySettled(Conflict):
    code = "assignment_already_settled"
    message = "This assignment was already approved or rejected."


class PayoutNotPending(Conflict):
    code = "payout_not_in_transit"
    message = "This payout was already settled or failed."


# Accounts


def _account(kind: str, **owner) -> Account:
    """The account of `kind` for `owner`, created on first use (concurrent first uses
    meet at the unique constraint; the loser reads the winner's row)."""
    account = Account.objects.filter(kind=kind, **owner).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(kind=kind, **owner)
    except IntegrityError:
        return Account.objects.get(kind=kind, **owner)


def account_requester(*, organization_id: int) -> Account:
    return _account(Account.Kind.REQUESTER, organization_id=organization_id)


def account_escrow(*, project: Project) -> Account:
    return _account(
        Account.Kind.ESCROW, organization_id=project.organization_id, project_id=project.pk
    )


def account_worker(*, user_id: int) -> Account:
    return _account(Account.Kind.WORKER, user_id=user_id)


def account_vendor(*, organization_id: int) -> Account:
    return _account(Account.Kind.VENDOR, organization_id=organization_id)


def account_platform(kind: str) -> Account:
    return _account(kind)


# What work costs and who gets paid


def _workteam(project: Project) -> Workteam:
    return (
        Workteam.global_objects.select_related("workforce", "subscription")
        .filter(pk=project.workteam_id)
        .get()
    )


def project_is_paid(project: Project) -> bool:
    """Public and vendor work is paid through the ledger; private teams are the
    organization's own people (paid outside Groundwork)."""
    if not project.price_per_task:  # free work needs no team lookup (the queue's hot path)
        return False
    return _workteam(project).workforce.kind in (Workforce.Kind.PUBLIC, Workforce.Kind.VENDOR)


def cost_per_answer(project: Project) -> tuple[Decimal, Decimal]:
    """(price, platform fee) of one approved answer."""
    price = ledger_round(project.price_per_task)
    return price, fee_for(price)


def _payee(project: Project, worker_id: int) -> Account | None:
    team = _workteam(project)
    if not project.price_per_task:
        return None
    if team.workforce.kind == Workforce.Kind.PUBLIC:
        return account_worker(user_id=worker_id)
    if team.workforce.kind == Workforce.Kind.VENDOR and team.subscription_id:
        return account_vendor(organization_id=team.subscription.vendor_id)
    return None


# Funding


@transaction.atomic
def funding_record(
    *,
    organization: Organization,
    amount: object,
    reference: str,
    actor: User,
    idempotency_key: str,
    currency: str | None = None,
    provider: str | None = None,
) -> LedgerTransaction:
    """An operator records money received for `organization` (e.g. a bank transfer with
    `reference`); the provider checks the proof. Staff only: the caller checks."""
    amount = parse_amount(amount, currency_code=currency)
    payment_provider = provider_get(provider)
    payment_provider.funding_check(reference=reference)
    ledger_transaction, created = ledger_post(
        idempotency_key=f"funding:{idempotency_key}",
        reason=Reason.FUNDING,
        moves=[
            Move(
                account_platform(Account.Kind.EXTERNAL),
                account_requester(organization_id=organization.pk),
                amount,
                "top_up",
            )
        ],
        organization=organization,
        provider=payment_provider.name,
        external_reference=reference.strip(),
        actor=actor,
    )
    if created:
        audit_record(
            organization_id=organization.pk,
            actor=actor,
            action="billing.funded",
            target=ledger_transaction,
            amount=str(amount),
            reference=reference.strip(),
        )
    return ledger_transaction


# Escrow


def project_escrow_required(project: Project) -> Decimal:
    """The most a project can cost: (price + fee) x items x answers per item.

    Stopping conditions (`max_human_labeled_items`...) do not lower it: tasks held when
    the project stops may still be answered; what is not spent is released at the end."""
    price, fee = cost_per_answer(project)
    items = Item.objects.filter(
        organization_id=project.organization_id, dataset_id=project.dataset_id
    ).count()
    return (price + fee) * items * project.answers_per_item


def project_escrow_reserve(*, project: Project, actor: User | None) -> LedgerTransaction | None:
    """Move a paid project's maximum cost from the requester's balance into its escrow, or
    refuse (InsufficientFunds, nothing written) naming the amount missing. Called by
    `project_start` in its transaction; unpaid (private) projects reserve nothing."""
    if not project_is_paid(project):
        return None
    required = project_escrow_required(project)
    if required <= 0:
        return None
    available = account_requester(organization_id=project.organization_id)
    ledger_transaction, _ = ledger_post(
        idempotency_key=f"escrow-reserve:{project.pk}",
        reason=Reason.ESCROW_RESERVE,
        moves=[Move(available, account_escrow(project=project), required, "reserve")],
        insufficient_message=(
            f"Insufficient funds: starting this project reserves {required} "
            f"{settings.PAYOUTS_CURRENCY}; {{missing}} more is needed."
        ),
        organization_id=project.organization_id,
        project=project,
        actor=actor,
    )
    return ledger_transaction


def project_escrow_reserve_more(
    *, project: Project, answers: int, idempotency_key: str, actor: User | None = None
) -> LedgerTransaction | None:
    """Reserve `answers` more answers' cost (items added, or overlap raised on a started
    project); refuses like the start does when the balance is short."""
    if not project_is_paid(project) or answers <= 0:
        return None
    price, fee = cost_per_answer(project)
    ledger_transaction, _ = ledger_post(
        idempotency_key=f"escrow-reserve-more:{project.pk}:{idempotency_key}",
        reason=Reason.ESCROW_RESERVE,
        moves=[
            Move(
                account_requester(organization_id=project.organization_id),
                account_escrow(project=project),
                (price + fee) * answers,
                "reserve",
            )
        ],
        organization_id=project.organization_id,
        project=project,
        actor=actor,
    )
    return ledger_transaction


def _settled(assignment_id_field="pk"):
    return LedgerTransaction.objects.filter(
        assignment_id=OuterRef(assignment_id_field), reason__in=[Reason.EARNING, Reason.REJECTION]
    )


def answers_awaiting_approval(*, project_id: int):
    """Submitted answers of the project that were neither paid nor rejected yet."""
    return Assignment.objects.filter(project_id=project_id, submitted_at__isnull=False).exclude(
        Exists(_settled())
    )


def _release_key(project: Project) -> str:
    """Once per ending: a project that a rejection reopened, and that ends again, releases
    what is left then too; `ended_at` is None while it runs."""
    ended = project.ended_at.isoformat() if project.ended_at else "running"
    return f"escrow-release:{project.pk}:{ended}"


@transaction.atomic
def project_escrow_release_unused(*, project_id: int) -> LedgerTransaction | None:
    """A stopped or completed project gives back what it will never spend: its escrow
    minus the cost of answers still awaiting approval. Once per project; called by the
    lifecycle when the project ends."""
    project = Project.global_objects.get(pk=project_id)
    if not project_is_paid(project):
        return None
    escrow = account_escrow(project=project)
    available = account_requester(organization_id=project.organization_id)
    # Both accounts at once, in pk order like every other locker (no deadlocks).
    escrow = accounts_lock([escrow.pk, available.pk])[escrow.pk]
    price, fee = cost_per_answer(project)
    held = (price + fee) * answers_awaiting_approval(project_id=project.pk).count()
    unused = escrow.balance - held
    moves = [Move(escrow, available, unused, "release")] if unused > 0 else []
    ledger_transaction, _ = ledger_post(
        idempotency_key=_release_key(project),
        reason=Reason.ESCROW_RELEASE,
        moves=moves,
        also_lock=(escrow,),
        organization_id=project.organization_id,
        project=project,
    )
    return ledger_transaction


# Earnings


def _assignment_settlement(assignment_id: int):
    def find() -> LedgerTransaction | None:
        return LedgerTransaction.objects.filter(
            assignment_id=assignment_id, reason__in=[Reason.EARNING, Reason.REJECTION]
        ).first()

    return find


@transaction.atomic
def assignment_earning_post(
    *, assignment: Assignment, idempotency_key: str, actor: User | None = None
) -> LedgerTransaction | None:
    """Pay an approved assignment: its price from the project's escrow to the worker
    (public work) or the vendor (vendor work), the platform fee to the platform.

    Call it from the approval service, in its transaction. Paid once: a repeat with the
    same key, or with another key for the same assignment, returns the first payment.
    Unpaid (private) work returns None. Raises AssignmentAlreadySettled if the assignment
    was rejected.
    """
    project = Project.global_objects.get(pk=assignment.project_id)
    payee = _payee(project, assignment.worker_id)
    if payee is None:
        return None
    if assignment.submitted_at is None:
        raise AssignmentNotPayable()
    price, fee = cost_per_answer(project)
    escrow = account_escrow(project=project)
    ledger_transaction, _ = ledger_post(
        idempotency_key=f"earning:{assignment.pk}:{idempotency_key}",
        reason=Reason.EARNING,
        moves=[
            Move(escrow, payee, price, "price"),
            Move(escrow, account_platform(Account.Kind.PLATFORM_FEES), fee, "fee"),
        ],
        already_done=_assignment_settlement(assignment.pk),
        organization_id=project.organization_id,
        project=project,
        assignment=assignment,
        actor=actor,
    )
    if ledger_transaction.reason != Reason.EARNING:
        raise AssignmentAlreadySettled()
    return ledger_transaction


@transaction.atomic
def assignment_rejection_release(
    *, assignment: Assignment, idempotency_key: str, actor: User | None = None
) -> LedgerTransaction | None:
    """Record a rejected assignment: no one is paid. While the project runs (a rejection
    that re-queues the task reopens a completed project first), its share stays in escrow
    for the re-queued answer, and an unused share is released when the project ends; once
    the project has ended and released its escrow, the share goes back to the requester's
    balance now. Once per assignment, like earnings."""
    project = Project.global_objects.get(pk=assignment.project_id)
    if _payee(project, assignment.worker_id) is None:
        return None
    if assignment.submitted_at is None:
        raise AssignmentNotPayable()
    escrow = account_escrow(project=project)
    available = account_requester(organization_id=project.organization_id)
    # Locked (both, in pk order) before reading whether the end-of-project release happened.
    escrow = accounts_lock([escrow.pk, available.pk])[escrow.pk]
    moves = []
    if LedgerTransaction.objects.filter(idempotency_key=_release_key(project)).exists():
        price, fee = cost_per_answer(project)
        moves = [Move(escrow, available, price + fee, "release")]
    ledger_transaction, _ = ledger_post(
        idempotency_key=f"rejection:{assignment.pk}:{idempotency_key}",
        reason=Reason.REJECTION,
        moves=moves,
        also_lock=(escrow,),
        already_done=_assignment_settlement(assignment.pk),
        organization_id=project.organization_id,
        project=project,
        assignment=assignment,
        actor=actor,
    )
    if ledger_transaction.reason != Reason.REJECTION:
        raise AssignmentAlreadySettled()
    return ledger_transaction


@transaction.atomic
def assignment_bonus_pay(
    *,
    organization: Organization,
    assignment: Assignment,
    amount: object,
    reason: str,
    idempotency_key: str,
    actor: User | None,
    currency: str | None = None,
) -> LedgerTransaction:
    """The requester pays the assignment's worker (or vendor) a bonus from its available
    balance, plus the platform fee on it. At most once per `idempotency_key`."""
    if assignment.organization_id != organization.pk:
        raise NotFound()
    amount = parse_amount(amount, currency_code=currency)
    if not reason.strip():
        raise DomainError.on_field("reason", "Say why the bonus is paid (the worker sees it).")
    if assignment.submitted_at is None:
        raise AssignmentNotPayable()
    project = Project.global_objects.get(pk=assignment.project_id)
    payee = _payee(project, assignment.worker_id)
    if payee is None:
        raise DomainError(
            "Bonuses are paid for public or vendor work only.",
            assignment=["This assignment is private-team work, paid outside Groundwork."],
        )
    fee = fee_for(amount)
    available = account_requester(organization_id=organization.pk)
    ledger_transaction, created = ledger_post(
        idempotency_key=f"bonus:{organization.pk}:{idempotency_key}",
        reason=Reason.BONUS,
        moves=[
            Move(available, payee, amount, "bonus"),
            Move(available, account_platform(Account.Kind.PLATFORM_FEES), fee, "bonus_fee"),
        ],
        insufficient_message=(
            f"Insufficient funds: the bonus and its fee cost {amount + fee}; "
            "{missing} more is needed."
        ),
        organization=organization,
        project=project,
        assignment=assignment,
        memo=reason.strip(),
        actor=actor,
    )
    if (
        ledger_transaction.reason != Reason.BONUS
        or ledger_transaction.assignment_id != assignment.pk
    ):
        raise Conflict("This idempotency key was already used for another payment.")
    if created:
        audit_record(
            organization_id=organization.pk,
            actor=actor,
            action="billing.bonus_paid",
            target=ledger_transaction,
            amount=str(amount),
            assignment=assignment.pk,
        )
    return ledger_transaction


# Payouts


@transaction.atomic
def payout_request(
    *,
    account: Account,
    amount: object,
    idempotency_key: str,
    actor: User | None,
    currency: str | None = None,
    batch: PayoutBatch | None = None,
) -> Payout:
    """Move `amount` of a worker's or vendor's balance to in transit and hand it to the
    provider. Refused below `PAYOUTS_MINIMUM` or above the balance; a retry with the same
    key returns the first payout."""
    if account.kind not in (Account.Kind.WORKER, Account.Kind.VENDOR):
        raise DomainError("Only worker and vendor balances are paid out.")
    amount = parse_amount(amount, currency_code=currency)
    key = f"payout:{account.pk}:{idempotency_key}"
    existing = Payout.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    minimum = settings.PAYOUTS_MINIMUM
    if amount < minimum:
        raise DomainError.on_field(
            "amount", f"The minimum payout is {minimum} {settings.PAYOUTS_CURRENCY}."
        )
    provider = provider_get()
    in_transit = account_platform(Account.Kind.IN_TRANSIT)
    account = accounts_lock([account.pk, in_transit.pk])[account.pk]  # pk order, as everywhere
    existing = Payout.objects.filter(idempotency_key=key).first()  # a racing retry won
    if existing is not None:
        return existing
    if amount > account.balance:
        raise InsufficientFunds(
            f"The payout is larger than the balance ({account.balance}).",
            amount=[f"At most {round_down_to_minor_unit(account.balance)} can be paid out."],
        )
    payout = Payout.objects.create(
        account=account,
        amount=amount,
        provider=provider.name,
        idempotency_key=key,
        batch=batch,
        requested_by=actor,
    )
    ledger_post(
        idempotency_key=f"payout:{payout.pk}",
        reason=Reason.PAYOUT,
        moves=[Move(account, in_transit, amount, "payout")],
        payout=payout,
        provider=provider.name,
        actor=actor,
    )
    reference = provider.payout_send(payout=payout)
    if reference:
        Payout.objects.filter(pk=payout.pk).update(provider_reference=reference)
        payout.provider_reference = reference
    return payout


@transaction.atomic
def payouts_export(*, actor: User) -> str:
    """The in-transit payouts not exported yet, as the provider's document (the manual
    provider: a CSV for the bank); marks them exported."""
    payouts = list(
        Payout.objects.select_for_update(of=("self",))
        .filter(status=Payout.Status.IN_TRANSIT, exported_at__isnull=True)
        .select_related("account__user", "account__organization")
        .order_by("pk")
    )
    document = provider_get().payouts_export(payouts=payouts)
    Payout.objects.filter(pk__in=[payout.pk for payout in payouts]).update(
        exported_at=timezone.now()
    )
    return document


def _payout_finish(payout: Payout, status: str, **changes) -> Payout:
    """In transit -> `status`, by conditional UPDATE: of two callers only one moves it."""
    now = timezone.now()
    moved = Payout.objects.filter(pk=payout.pk, status=Payout.Status.IN_TRANSIT).update(
        status=status, settled_at=now, updated_at=now, **changes
    )
    if not moved:
        raise PayoutNotPending()
    payout.refresh_from_db()
    return payout


@transaction.atomic
def payout_settle(*, payout: Payout, provider_reference: str, actor: User | None) -> Payout:
    """The provider (or the operator, for manual) confirms the money left."""
    payout = _payout_finish(
        payout, Payout.Status.PAID, provider_reference=provider_reference.strip()
    )
    ledger_post(
        idempotency_key=f"payout-settled:{payout.pk}",
        reason=Reason.PAYOUT_SETTLED,
        moves=[
            Move(
                account_platform(Account.Kind.IN_TRANSIT),
                account_platform(Account.Kind.EXTERNAL),
                payout.amount,
                "payout",
            )
        ],
        payout=payout,
        provider=payout.provider,
        external_reference=provider_reference.strip(),
        actor=actor,
    )
    return payout


@transaction.atomic
def payout_fail(*, payout: Payout, reason: str, actor: User | None) -> Payout:
    """The provider could not pay: the money goes back to the owner's balance."""
    if not reason.strip():
        raise DomainError.on_field("reason", "Say why the payout failed.")
    payout = _payout_finish(payout, Payout.Status.FAILED, failure_reason=reason.strip())
    ledger_post(
        idempotency_key=f"payout-failed:{payout.pk}",
        reason=Reason.PAYOUT_FAILED,
        moves=[
            Move(account_platform(Account.Kind.IN_TRANSIT), payout.account, payout.amount, "payout")
        ],
        payout=payout,
        provider=payout.provider,
        memo=reason.strip(),
        actor=actor,
    )
    return payout


def payout_batch_run(*, run_key: str) -> int:
    """Pay out every worker and vendor balance of at least the minimum (whole cents,
    rounded down). Each payout commits on its own, keyed by run and account, so a second
    run of the same `run_key` (or a crashed run's retry) pays no one twice."""
    batch, _ = PayoutBatch.objects.get_or_create(run_key=run_key)
    account_ids = list(
        Account.objects.filter(
            kind__in=[Account.Kind.WORKER, Account.Kind.VENDOR],
            balance__gte=settings.PAYOUTS_MINIMUM,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created = 0
    for account in Account.objects.filter(pk__in=account_ids).order_by("pk"):
        key = f"batch:{run_key}"
        if Payout.objects.filter(idempotency_key=f"payout:{account.pk}:{key}").exists():
            continue
        amount = round_down_to_minor_unit(account.balance)
        try:
            payout_request(
                account=account, amount=str(amount), idempotency_key=key, actor=None, batch=batch
            )
        except DomainError:
            continue  # the balance changed since we read it; the next run pays it
        created += 1
    return created
