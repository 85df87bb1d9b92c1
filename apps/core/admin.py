from django.contrib import admin

from apps.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organization", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    search_fields = ["action", "target_id"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the audit trail is append-only
