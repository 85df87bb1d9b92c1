from django.contrib import admin, messages

from apps.workforces import services
from apps.workforces.models import (
    OidcConfig,
    Qualification,
    VendorOffering,
    VendorSubscription,
    WebhookDelivery,
    WorkerBlock,
    WorkerProfile,
    Workforce,
    Workteam,
)


@admin.register(WorkerProfile)
class WorkerProfileAdmin(admin.ModelAdmin):
    """Global suspension lives here: platform staff only (the admin is staff-only)."""

    list_display = ["user", "display_name", "status", "is_public_crowd", "suspended_at"]
    list_filter = ["status", "is_public_crowd"]
    search_fields = ["user__email", "display_name"]
    readonly_fields = ["user", "status", "suspended_at", "suspended_by", "last_work_email_at"]
    fields = [
        "user",
        "display_name",
        "is_public_crowd",
        "status",
        "suspended_reason",
        "suspended_at",
        "suspended_by",
        "last_work_email_at",
    ]
    actions = ["suspend", "unsuspend"]

    @admin.action(description="Suspend the selected workers everywhere")
    def suspend(self, request, queryset):
        for profile in queryset.select_related("user"):
            reason = profile.suspended_reason or "Suspended by platform staff."
            services.worker_suspend(user=profile.user, reason=reason, actor=request.user)
        messages.success(request, f"Suspended {queryset.count()} worker(s).")

    @admin.action(description="Lift the suspension of the selected workers")
    def unsuspend(self, request, queryset):
        for profile in queryset.select_related("user"):
            services.worker_unsuspend(user=profile.user, actor=request.user)
        messages.success(request, f"Lifted {queryset.count()} suspension(s).")


@admin.register(Workforce)
class WorkforceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organization", "source_cidrs"]
    list_filter = ["kind"]


@admin.register(Workteam)
class WorkteamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "workforce", "subscription"]
    search_fields = ["name"]
    exclude = ["webhook_secret_encrypted"]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "pass_score"]


@admin.register(WorkerBlock)
class WorkerBlockAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "created_at", "lifted_at"]


@admin.register(VendorOffering)
class VendorOfferingAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "is_published"]


@admin.register(VendorSubscription)
class VendorSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["organization", "vendor", "status", "created_at", "decided_at"]
    list_filter = ["status"]


@admin.register(OidcConfig)
class OidcConfigAdmin(admin.ModelAdmin):
    list_display = ["organization", "issuer", "client_id", "is_enabled"]
    exclude = ["client_secret_encrypted"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["workteam", "status", "attempts", "last_error", "created_at"]
    list_filter = ["status"]
