"""Reads of the ledger, each scoped to its owner: a worker, an organization, or staff."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from apps.accounts.models import Organization, User
from apps.core.errors import NotFound
from apps.payouts.models import Account, LedgerEntry, LedgerTransaction, Payout
from apps.payouts.money import ledger_round
from apps.projects.models import Project
from apps.tasks.models import Assignment
from apps.workforces.models import Workforce

ZERO = Decimal(0)
Reason = LedgerTransaction.Reason


def _exact(value) -> Decimal:
    """An aggregate at ledger precision: PostgreSQL sums exactly; SQLite sums in floating
    point (off by ~1e-12), which rounding to 4 places removes."""
    return ledger_round(Decimal(value))


def _sum(queryset, field: str = "amount") -> Decimal:
    return _exact(queryset.aggregate(total=Coalesce(Sum(field), ZERO))["total"])


def _balance(**owner) -> Decimal:
    account = Account.objects.filter(**owner).first()
    return account.balance if account else ZERO


# Worker


def worker_earnings(*, worker: User) -> dict:
    """Pending (submitted, not yet approved), available, in transit and paid."""
    account = Account.objects.filter(kind=Account.Kind.WORKER, user=worker).first()
    settled = LedgerTransaction.objects.filter(
        assignment_id=OuterRef("pk"), reason__in=[Reason.EARNING, Reason.REJECTION]
    )
    pending = (
        Assignment.objects.filter(
            worker=worker,
            submitted_at__isnull=False,
            project__workteam__workforce__kind=Workforce.Kind.PUBLIC,
            project__price_per_task__gt=0,
        )
        .exclude(Exists(settled))
        .aggregate(total=Coalesce(Sum("project__price_per_task"), ZERO))["total"]
    )
    pending = _exact(pending)
    payouts = Payout.objects.filter(account=account) if account else Payout.objects.none()
    return {
        "pending": pending,
        "available": account.balance if account else ZERO,
        "in_transit": _sum(payouts.filter(status=Payout.Status.IN_TRANSIT)),
        "paid": _sum(payouts.filter(status=Payout.Status.PAID)),
        "account": account,
    }


def worker_earnings_per_project(*, worker: User) -> list[dict]:
    rows = (
        LedgerEntry.objects.filter(destination__kind=Account.Kind.WORKER, destination__user=worker)
        .filter(line__in=["price", "bonus"])
        .values("transaction__project_id", "transaction__project__name")
        .annotate(
            answers=Count("pk", filter=Q(line="price")),
            earned=Coalesce(Sum("amount", filter=Q(line="price")), ZERO),
            bonuses=Coalesce(Sum("amount", filter=Q(line="bonus")), ZERO),
        )
        .order_by("transaction__project_id")
    )
    return [
        {
            "project_id": row["transaction__project_id"],
            "project": row["transaction__project__name"],
            "answers": row["answers"],
            "earned": _exact(row["earned"]),
            "bonuses": _exact(row["bonuses"]),
        }
        for row in rows
    ]


def account_history(*, account: Account | None) -> QuerySet[LedgerEntry]:
    """Entries into or out of `account`, newest first, with what each refers to."""
    if account is None:
        return LedgerEntry.objects.none()
    return (
        LedgerEntry.objects.filter(Q(source=account) | Q(destination=account))
        .select_related("transaction", "transaction__project")
        .order_by("-pk")
    )


def worker_account(*, worker: User) -> Account | None:
    return Account.objects.filter(kind=Account.Kind.WORKER, user=worker).first()


def payout_list(*, account: Account | None) -> QuerySet[Payout]:
    if account is None:
        return Payout.objects.none()
    return Payout.objects.filter(account=account).order_by("-pk")


# Requester


def requester_account(*, organization: Organization) -> Account | None:
    return Account.objects.filter(kind=Account.Kind.REQUESTER, organization=organization).first()


def requester_billing(*, organization: Organization) -> dict:
    spent = LedgerEntry.objects.filter(
        transaction__organization=organization,
        transaction__reason__in=[Reason.EARNING, Reason.BONUS],
    )
    spend_by_month = (
        spent.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(
            work=Coalesce(Sum("amount", filter=Q(line__in=["price", "bonus"])), ZERO),
            fees=Coalesce(Sum("amount", filter=Q(line__in=["fee", "bonus_fee"])), ZERO),
        )
        .order_by("month")
    )
    escrow = (
        Account.objects.filter(kind=Account.Kind.ESCROW, organization=organization)
        .select_related("project")
        .order_by("project_id")
    )
    return {
        "available": _balance(kind=Account.Kind.REQUESTER, organization=organization),
        "escrow_total": _sum(escrow, "balance"),
        "escrow": [
            {"project_id": row.project_id, "project": row.project.name, "balance": row.balance}
            for row in escrow
        ],
        "fees_total": _sum(spent.filter(line__in=["fee", "bonus_fee"])),
        "spend_by_month": [
            {
                "month": row["month"].date().isoformat()[:7],
                "work": _exact(row["work"]),
                "fees": _exact(row["fees"]),
            }
            for row in spend_by_month
        ],
    }


def top_up_list(*, organization: Organization) -> QuerySet[LedgerTransaction]:
    return (
        LedgerTransaction.objects.filter(organization=organization, reason=Reason.FUNDING)
        .annotate(amount=Coalesce(Sum("entries__amount"), ZERO))
        .order_by("-pk")
    )


def assignment_get(*, organization: Organization, assignment_id: int) -> Assignment:
    assignment = Assignment.objects.filter(organization=organization, pk=assignment_id).first()
    if assignment is None:
        raise NotFound()
    return assignment


# Vendor


def vendor_account(*, organization: Organization) -> Account | None:
    return Account.objects.filter(kind=Account.Kind.VENDOR, organization=organization).first()


def vendor_invoice(
    *, vendor: Organization, month: date, requester: Organization | None = None
) -> dict:
    """What `vendor` earned in `month` (the first day of it), per requester and project:
    items, answers, amounts (price and bonuses). The requester sees only its own part."""
    start = month.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    entries = LedgerEntry.objects.filter(
        destination__kind=Account.Kind.VENDOR,
        destination__organization=vendor,
        line__in=["price", "bonus"],
        created_at__date__gte=start,
        created_at__date__lt=end,
    )
    if requester is not None:
        entries = entries.filter(transaction__organization=requester)
    rows = (
        entries.values(
            "transaction__organization_id",
            "transaction__organization__name",
            "transaction__project_id",
            "transaction__project__name",
        )
        .annotate(
            items=Count("transaction__assignment__task", distinct=True, filter=Q(line="price")),
            answers=Count("pk", filter=Q(line="price")),
            work=Coalesce(Sum("amount", filter=Q(line="price")), ZERO),
            bonuses=Coalesce(Sum("amount", filter=Q(line="bonus")), ZERO),
        )
        .order_by("transaction__organization__name", "transaction__project__name")
    )
    lines = [
        {
            "requester": row["transaction__organization__name"],
            "project_id": row["transaction__project_id"],
            "project": row["transaction__project__name"],
            "items": row["items"],
            "answers": row["answers"],
            "work": _exact(row["work"]),
            "bonuses": _exact(row["bonuses"]),
            "amount": _exact(row["work"] + row["bonuses"]),
        }
        for row in rows
    ]
    return {
        "vendor": vendor.name,
        "month": start.isoformat()[:7],
        "lines": lines,
        "total": ledger_round(sum((line["amount"] for line in lines), ZERO)),
    }


def vendor_earnings_per_requester(*, vendor: Organization) -> list[dict]:
    rows = (
        LedgerEntry.objects.filter(
            destination__kind=Account.Kind.VENDOR,
            destination__organization=vendor,
            line__in=["price", "bonus"],
        )
        .values("transaction__organization__name")
        .annotate(amount=Sum("amount"), answers=Count("pk", filter=Q(line="price")))
        .order_by("transaction__organization__name")
    )
    return [
        {
            "requester": row["transaction__organization__name"],
            "answers": row["answers"],
            "amount": row["amount"],
        }
        for row in rows
    ]


def invoice_vendors_for_requester(*, organization: Organization) -> list[Organization]:
    """The vendors that earned from `organization`'s projects (its invoices come from them)."""
    vendor_ids = (
        LedgerEntry.objects.filter(
            transaction__organization=organization, destination__kind=Account.Kind.VENDOR
        )
        .values_list("destination__organization_id", flat=True)
        .distinct()
    )
    return list(Organization.objects.filter(pk__in=list(vendor_ids)).order_by("name"))


def vendor_get_for_requester(*, organization: Organization, vendor_id: int) -> Organization:
    for vendor in invoice_vendors_for_requester(organization=organization):
        if vendor.pk == vendor_id:
            return vendor
    raise NotFound()


# Operator


def payouts_pending() -> QuerySet[Payout]:
    return (
        Payout.objects.filter(status=Payout.Status.IN_TRANSIT)
        .select_related("account__user", "account__organization")
        .order_by("pk")
    )


def payout_get(*, payout_id: int) -> Payout:
    payout = Payout.objects.filter(pk=payout_id).first()
    if payout is None:
        raise NotFound()
    return payout


def reconciliation_report() -> dict:
    """Proof the books balance: every cached balance equals what its entries add up to,
    all balances sum to zero (money neither created nor destroyed: the external account
    mirrors what came in minus what went out), no non-external account is negative, and
    every escrow holds no less than its project's answers awaiting approval."""
    incoming: dict[int, Decimal] = defaultdict(Decimal)
    for row in LedgerEntry.objects.values("destination_id").annotate(total=Sum("amount")):
        incoming[row["destination_id"]] = row["total"]
    for row in LedgerEntry.objects.values("source_id").annotate(total=Sum("amount")):
        incoming[row["source_id"]] -= row["total"]
    mismatches, negatives, total = [], [], ZERO
    accounts = list(Account.objects.order_by("pk"))
    for account in accounts:
        derived = _exact(incoming.get(account.pk, ZERO))
        total += account.balance
        if derived != account.balance:
            mismatches.append(
                {"account_id": account.pk, "cached": str(account.balance), "entries": str(derived)}
            )
        if account.kind != Account.Kind.EXTERNAL and account.balance < 0:
            negatives.append(account.pk)
    by_kind: dict[str, Decimal] = defaultdict(Decimal)
    for account in accounts:
        by_kind[account.kind] += account.balance
    return {
        "is_balanced": not mismatches and not negatives and total == 0,
        "accounts": len(accounts),
        "transactions": LedgerTransaction.objects.count(),
        "entries": LedgerEntry.objects.count(),
        "sum_of_balances": total,
        "mismatches": mismatches,
        "negative_accounts": negatives,
        "balances_by_kind": {kind: by_kind.get(kind, ZERO) for kind in Account.Kind.values},
    }


def project_get_for_billing(*, organization: Organization, project_id: int) -> Project:
    project = Project.objects.filter(organization=organization, pk=project_id).first()
    if project is None:
        raise NotFound()
    return project
