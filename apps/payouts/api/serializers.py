from rest_framework import serializers

from apps.payouts.models import LedgerEntry, LedgerTransaction, Payout


class MoneyInput(serializers.Serializer):
    """An amount as typed: parsed and validated by `apps.payouts.money.parse_amount` in the
    service (a string, so no float ever touches it), with an optional currency code."""

    amount = serializers.JSONField()
    currency = serializers.CharField(required=False, max_length=3)
    idempotency_key = serializers.CharField(max_length=100)


class EntryOutput(serializers.ModelSerializer):
    reason = serializers.CharField(source="transaction.reason")
    project_id = serializers.IntegerField(source="transaction.project_id", allow_null=True)
    assignment_id = serializers.IntegerField(source="transaction.assignment_id", allow_null=True)
    payout_id = serializers.IntegerField(source="transaction.payout_id", allow_null=True)
    memo = serializers.CharField(source="transaction.memo")
    direction = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "created_at",
            "line",
            "amount",
            "direction",
            "reason",
            "project_id",
            "assignment_id",
            "payout_id",
            "memo",
        ]

    def get_direction(self, entry: LedgerEntry) -> str:
        return "in" if entry.destination_id == self.context["account_id"] else "out"


class PayoutOutput(serializers.ModelSerializer):
    class Meta:
        model = Payout
        fields = [
            "id",
            "amount",
            "status",
            "provider",
            "provider_reference",
            "created_at",
            "exported_at",
            "settled_at",
            "failure_reason",
        ]


class TransactionOutput(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        model = LedgerTransaction
        fields = [
            "id",
            "reason",
            "amount",
            "provider",
            "external_reference",
            "memo",
            "project_id",
            "assignment_id",
            "created_at",
        ]


class AmountSummary(serializers.Serializer):
    pending = serializers.DecimalField(max_digits=18, decimal_places=4)
    available = serializers.DecimalField(max_digits=18, decimal_places=4)
    in_transit = serializers.DecimalField(max_digits=18, decimal_places=4)
    paid = serializers.DecimalField(max_digits=18, decimal_places=4)


def Amount(**kwargs) -> serializers.DecimalField:  # noqa: N802 - reads like a field class
    """Amounts leave the API as strings at ledger precision: "2.4000"."""
    return serializers.DecimalField(max_digits=18, decimal_places=4, **kwargs)


class ProjectEarningOutput(serializers.Serializer):
    project_id = serializers.IntegerField()
    project = serializers.CharField()
    answers = serializers.IntegerField()
    earned = Amount()
    bonuses = Amount()


class WorkEarningsOutput(serializers.Serializer):
    currency = serializers.CharField()
    pending = Amount()
    available = Amount()
    in_transit = Amount()
    paid = Amount()
    minimum_payout = Amount()
    per_project = ProjectEarningOutput(many=True)


class EscrowOutput(serializers.Serializer):
    project_id = serializers.IntegerField()
    project = serializers.CharField()
    balance = Amount()


class MonthSpendOutput(serializers.Serializer):
    month = serializers.CharField()
    work = Amount()
    fees = Amount()


class VendorRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BillingOutput(serializers.Serializer):
    currency = serializers.CharField()
    available = Amount()
    escrow_total = Amount()
    fees_total = Amount()
    escrow = EscrowOutput(many=True)
    spend_by_month = MonthSpendOutput(many=True)
    invoice_vendors = VendorRefOutput(many=True)


class InvoiceLineOutput(serializers.Serializer):
    requester = serializers.CharField()
    project_id = serializers.IntegerField()
    project = serializers.CharField()
    items = serializers.IntegerField()
    answers = serializers.IntegerField()
    work = Amount()
    bonuses = Amount()
    amount = Amount()


class InvoiceOutput(serializers.Serializer):
    vendor = serializers.CharField()
    month = serializers.CharField()
    currency = serializers.CharField()
    lines = InvoiceLineOutput(many=True)
    total = Amount()


class RequesterEarningOutput(serializers.Serializer):
    requester = serializers.CharField()
    answers = serializers.IntegerField()
    amount = Amount()


class VendorFinanceOutput(serializers.Serializer):
    currency = serializers.CharField()
    available = Amount()
    per_requester = RequesterEarningOutput(many=True)


class ReconciliationOutput(serializers.Serializer):
    is_balanced = serializers.BooleanField()
    accounts = serializers.IntegerField()
    transactions = serializers.IntegerField()
    entries = serializers.IntegerField()
    sum_of_balances = Amount()
    mismatches = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    negative_accounts = serializers.ListField(child=serializers.IntegerField())
    balances_by_kind = serializers.DictField(child=Amount())
