"""Payment providers: how money comes in (funding) and goes out (payouts).

A provider is chosen by name (`settings.PAYOUTS_PROVIDER`); the ledger never depends on
which. The default, "manual", has no outside system: an operator records a bank transfer
that arrived (funding), exports in-transit payouts as a CSV for the bank's or a
mass-payment tool's bulk upload, then marks each one paid or failed.
"""

import csv
import io

from django.conf import settings

from apps.core.errors import DomainError


class PaymentProvider:
    name = ""

    def funding_check(self, *, reference: str) -> None:
        """Raise DomainError if `reference` does not prove money arrived."""
        raise NotImplementedError

    def payout_send(self, *, payout) -> str:
        """Hand a payout (now in transit) to the outside system; returns its reference."""
        raise NotImplementedError

    def payouts_export(self, *, payouts) -> str:
        """A document the operator hands to the bank, or '' if the provider pays by itself."""
        raise NotImplementedError


class ManualProvider(PaymentProvider):
    """An operator moves the money by hand; Groundwork keeps the books."""

    name = "manual"

    def funding_check(self, *, reference: str) -> None:
        if not reference.strip():
            raise DomainError.on_field(
                "reference", "Enter the bank transfer's reference (it is how we trace it)."
            )

    def payout_send(self, *, payout) -> str:
        return ""  # nothing leaves until the operator exports the CSV and pays it

    def payouts_export(self, *, payouts) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["payout_id", "payee_kind", "payee", "amount", "currency", "reference"])
        for payout in payouts:
            account = payout.account
            payee = account.user.email if account.user_id else account.organization.name
            writer.writerow(
                [
                    payout.pk,
                    account.kind,
                    payee,
                    f"{payout.amount:.2f}",
                    settings.PAYOUTS_CURRENCY,
                    payout.idempotency_key,
                ]
            )
        return out.getvalue()


PROVIDERS: dict[str, type[PaymentProvider]] = {ManualProvider.name: ManualProvider}


def provider_get(name: str | None = None) -> PaymentProvider:
    return PROVIDERS[name or settings.PAYOUTS_PROVIDER]()
