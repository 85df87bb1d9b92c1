"""The one writer of the ledger: `ledger_post`, and the one lock function for accounts.

Every money movement in Groundwork goes through `ledger_post`, inside the caller's
transaction: it locks the accounts involved (in primary-key order, so two posters never
deadlock), refuses a movement that would take an account below zero, writes the
transaction and its entries, and moves the cached balances in the same transaction.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.core.errors import Conflict
from apps.payouts.models import Account, LedgerEntry, LedgerTransaction
from apps.payouts.money import LEDGER_QUANTUM


class InsufficientFunds(Conflict):
    code = "insufficient_funds"
    message = "Insufficient funds."


@dataclass(frozen=True)
class Move:
    source: Account
    destination: Account
    amount: Decimal
    line: str


def accounts_lock(account_ids) -> dict[int, Account]:
    """SELECT ... FOR UPDATE the accounts, always in primary-key order (no deadlocks)."""
    locked = Account.objects.select_for_update().filter(pk__in=set(account_ids)).order_by("pk")
    return {account.pk: account for account in locked}


def ledger_post(
    *,
    idempotency_key: str,
    reason: str,
    moves: list[Move],
    insufficient_message: str | None = None,
    also_lock: tuple[Account, ...] = (),
    already_done=None,
    **references,
) -> tuple[LedgerTransaction, bool]:
    """Write one balanced transaction of `moves`, or return the one already written under
    `idempotency_key` (then `created` is False and nothing moves again).

    Raises InsufficientFunds (nothing written) when a non-external account would go below
    zero; `details` name the account and the amount missing. `references` are the
    LedgerTransaction fields: organization, project, assignment, payout, memo, actor...
    `already_done()`, called once the accounts are locked, may return an earlier
    transaction that makes this one a repeat (an assignment settled under another key).
    """
    with transaction.atomic():
        existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
        for move in moves:
            if move.amount <= 0 or move.amount != move.amount.quantize(LEDGER_QUANTUM):
                raise ValueError(f"ledger amounts are positive with 4 places: {move.amount}")
        accounts = accounts_lock(
            [move.source.pk for move in moves]
            + [move.destination.pk for move in moves]
            + [account.pk for account in also_lock]
        )
        # Another transaction may have posted this while we waited for the locks.
        existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None and already_done is not None:
            existing = already_done()
        if existing is not None:
            return existing, False
        change: dict[int, Decimal] = defaultdict(Decimal)
        for move in moves:
            change[move.source.pk] -= move.amount
            change[move.destination.pk] += move.amount
        for account_id, delta in change.items():
            account = accounts[account_id]
            if account.kind != Account.Kind.EXTERNAL and account.balance + delta < 0:
                missing = -(account.balance + delta)
                message = insufficient_message or "Insufficient funds: {missing} missing."
                raise InsufficientFunds(
                    message.replace("{missing}", f"{missing} {settings.PAYOUTS_CURRENCY}"),
                    missing=str(missing),
                    available=str(account.balance),
                    account=account.get_kind_display(),
                )
        try:
            with transaction.atomic():  # a savepoint: a lost race on the key is not fatal
                ledger_transaction = LedgerTransaction.objects.create(
                    idempotency_key=idempotency_key, reason=reason, **references
                )
        except IntegrityError:
            existing = LedgerTransaction.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None:
                raise  # another unique rule (an assignment settled twice): the caller decides
            return existing, False
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                transaction=ledger_transaction,
                source=move.source,
                destination=move.destination,
                amount=move.amount,
                line=move.line,
            )
            for move in moves
        )
        # The new balance is computed here from the locked row, not as `balance + delta` in
        # SQL: SQLite would add in floating point and drift off the entries' exact sum.
        for account_id, delta in sorted(change.items()):
            if delta:
                account = accounts[account_id]
                account.balance += delta
                Account.objects.filter(pk=account_id).update(balance=account.balance)
        return ledger_transaction, True
