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
