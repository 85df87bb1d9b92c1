"""The ledger: accounts, and append-only balanced transactions of entries.

Double entry by construction: an entry moves a positive `amount` from `source` to
`destination`, so every entry, and every transaction of entries, is balanced by the
schema itself (no row can create or destroy money). An account's balance is what entered
minus what left; `Account.balance` caches it, is changed only by `apps.payouts.ledger`
in the transaction that writes the entries, and is checked against the entries by the
reconciliation report. Only the external account (the outside world: bank transfers in,
payouts out) may go negative, so the sum of all balances is always zero.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from apps.core.models import TimeStampedModel

AMOUNT = {"max_digits": 18, "decimal_places": 4}


class AppendOnlyError(Exception):
    """Ledger rows are never changed or deleted; correct them with a new transaction."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")


class AppendOnlyModel(TimeStampedModel):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


class Account(TimeStampedModel):
    """Where money sits. Who owns it depends on `kind`:

    - requester (available) and escrow (per project): a requester organization;
    - worker: a person (public-crowd earnings; one account across organizations);
    - vendor: a vendor organization (its managed workforce's earnings);
    - platform_fees, in_transit (payouts sent, not yet settled), external: the platform.
    """

    class Kind(models.TextChoices):
        REQUESTER = "requester", "Requester available"
        ESCROW = "escrow", "Project escrow"
        WORKER = "worker", "Worker"
        VENDOR = "vendor", "Vendor"
        PLATFORM_FEES = "platform_fees", "Platform fees"
        IN_TRANSIT = "in_transit", "Payouts in transit"
        EXTERNAL = "external", "External (funding in, payouts out)"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    balance = models.DecimalField(**AMOUNT, default=Decimal(0))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0) | Q(kind="external"), name="account_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["requester", "vendor"], organization__isnull=False)
                | Q(kind="escrow", organization__isnull=False, project__isnull=False)
                | Q(kind="worker", user__isnull=False)
                | Q(kind__in=["platform_fees", "in_transit", "external"]),
                name="account_owner_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "organization"],
                condition=Q(kind__in=["requester", "vendor"]),
                name="account_one_per_organization",
            ),
            models.UniqueConstraint(
                fields=["project"], condition=Q(kind="escrow"), name="account_one_escrow"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(kind="worker"), name="account_one_per_worker"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=["platform_fees", "in_transit", "external"]),
                name="account_one_platform_account",
            ),
        ]

    def __str__(self) -> str:
        owner = self.project_id or self.organization_id or self.user_id or "platform"
        return f"{self.get_kind_display()} {owner}: {self.balance}"


class Payout(TimeStampedModel):
    """Money a worker or vendor asked for (or a batch sent): in transit until the provider
    settles it (paid) or fails it (the money goes back to the owner's account)."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", "In transit"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="payouts")
    amount = models.DecimalField(**AMOUNT)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_TRANSIT)
    provider = models.CharField(max_length=40)
    provider_reference = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    batch = models.ForeignKey(
        "PayoutBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="payouts"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exported_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "id"], name="payout_status")]

    def __str__(self) -> str:
        return f"payout {self.pk}: {self.amount} ({self.status})"


class PayoutBatch(TimeStampedModel):
    """One scheduled payout run; `run_key` (e.g. the date) makes a second run a no-op."""

    run_key = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return f"payout batch {self.run_key}"


class LedgerTransaction(AppendOnlyModel):
    """One money movement: a reason, what it refers to, and its entries.

    `idempotency_key` is unique: a retried request or a job that runs twice finds the
    transaction it already wrote instead of moving the money again. An assignment is
    settled once: one earning, or one rejection, ever.
    """

    class Reason(models.TextChoices):
        FUNDING = "funding", "Funding (top-up)"
        ESCROW_RESERVE = "escrow_reserve", "Escrow reserved"
        ESCROW_RELEASE = "escrow_release", "Unused escrow released"
        EARNING = "earning", "Approved assignment"
        REJECTION = "rejection", "Rejected assignment"
        BONUS = "bonus", "Bonus"
        PAYOUT = "payout", "Payout sent"
        PAYOUT_SETTLED = "payout_settled", "Payout settled"
        PAYOUT_FAILED = "payout_failed", "Payout failed, returned"

    idempotency_key = models.CharField(max_length=200, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    # The requester organization the movement belongs to, if any (its billing shows it).
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignment = models.ForeignKey(
        "tasks.Assignment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payout = models.ForeignKey(
        Payout, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    provider = models.CharField(max_length=40, blank=True)
    external_reference = models.CharField(max_length=200, blank=True)
    memo = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(reason__in=["earning", "rejection"]),
                name="ledger_assignment_settled_once",
            ),
        ]
        indexes = [models.Index(fields=["organization", "reason", "created_at"])]

    def __str__(self) -> str:
        return f"{self.reason} {self.idempotency_key}"


class LedgerEntry(AppendOnlyModel):
    """`amount` (> 0) moves from `source` to `destination`; `line` says what it pays for."""

    class Line(models.TextChoices):
        TOP_UP = "top_up", "Top-up"
        RESERVE = "reserve", "Reserve"
        RELEASE = "release", "Release"
        PRICE = "price", "Price"
        FEE = "fee", "Platform fee"
        BONUS = "bonus", "Bonus"
        BONUS_FEE = "bonus_fee", "Platform fee on bonus"
        PAYOUT = "payout", "Payout"

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    source = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**AMOUNT)
    line = models.CharField(max_length=10, choices=Line.choices)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
            models.CheckConstraint(
                condition=~Q(source=F("destination")), name="entry_moves_between_accounts"
            ),
        ]
        indexes = [
            models.Index(fields=["source", "created_at"], name="entry_source"),
            models.Index(fields=["destination", "created_at"], name="entry_destination"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.source_id} -> {self.destination_id} ({self.line})"
