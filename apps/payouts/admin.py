"""The ledger in the admin: read-only (ledger rows are never changed or deleted).

Operators record fundings and settle payouts through the operator page or API, which go
through the services; the admin only shows what happened."""

from django.contrib import admin

from apps.payouts.models import Account, LedgerEntry, LedgerTransaction, Payout, PayoutBatch


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["source", "destination", "amount", "line"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "organization", "project", "user", "balance"]
    list_filter = ["kind"]
    search_fields = ["organization__name", "user__email", "project__name"]


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "reason", "organization", "project", "assignment", "payout"]
    list_filter = ["reason"]
    search_fields = ["idempotency_key", "external_reference", "memo"]
    inlines = [EntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "transaction", "source", "destination", "amount", "line"]
    list_filter = ["line"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "account", "amount", "status", "provider", "exported_at"]
    list_filter = ["status", "provider"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ["run_key", "created_at"]
