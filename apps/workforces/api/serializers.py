"""Output serializers. Requesters see workers of public and vendor work by anonymized id only;
people are shown by email only to their own organization (private members, vendor staff)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.api.serializers import UserOutput
from apps.workforces.models import (
    OidcConfig,
    Qualification,
    QualificationGrant,
    QualificationTestAttempt,
    QualificationTestItem,
    VendorOffering,
    VendorSubscription,
    WorkerBlock,
    WorkerProfile,
    Workforce,
    Workteam,
    WorkteamMember,
)
from apps.workforces.selectors import anonymized_worker_id


@extend_schema_field(OpenApiTypes.STR)
class WorkerIdField(serializers.Field):
    """The row's `user`, as the anonymized id its organization knows them by."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance) -> str:
        return anonymized_worker_id(user=instance.user, organization=instance.organization)


class OrganizationRefOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class WorkforceOutput(serializers.ModelSerializer):
    # Declared: DRF would build a unique validator (a scoped query) from the constraint.
    kind = serializers.ChoiceField(choices=Workforce.Kind.choices, read_only=True)

    class Meta:
        model = Workforce
        fields = ["id", "name", "kind", "source_cidrs", "created_at", "updated_at"]


class OidcConfigOutput(serializers.ModelSerializer):
    """OidcConfigForResponse: everything but the secret."""

    login_path = serializers.SerializerMethodField()
    callback_path = serializers.SerializerMethodField()

    class Meta:
        model = OidcConfig
        fields = [
            "issuer",
            "client_id",
            "scope",
            "groups_claim",
            "extra_params",
            "is_enabled",
            "login_path",
            "callback_path",
            "updated_at",
        ]

    def get_login_path(self, config: OidcConfig) -> str:
        return f"/accounts/oidc/{config.provider_id}/login/"

    def get_callback_path(self, config: OidcConfig) -> str:
        return f"/accounts/oidc/{config.provider_id}/login/callback/"


class QualificationRefOutput(serializers.ModelSerializer):
    class Meta:
        model = Qualification
        fields = ["id", "name"]


class WorkteamOutput(serializers.ModelSerializer):
    kind = serializers.CharField(source="workforce.kind")
    workforce = serializers.CharField(source="workforce.name")
    vendor = serializers.SerializerMethodField()
    required_qualifications = QualificationRefOutput(many=True)
    has_webhook_secret = serializers.SerializerMethodField()

    class Meta:
        model = Workteam
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "workforce",
            "vendor",
            "subscription_id",
            "oidc_groups",
            "required_qualifications",
            "webhook_url",
            "has_webhook_secret",
            "created_at",
            "updated_at",
        ]

    def get_vendor(self, workteam: Workteam) -> dict | None:
        if workteam.subscription_id is None:
            return None
        vendor = workteam.workforce.organization
        return {"name": vendor.name, "slug": vendor.slug}

    def get_has_webhook_secret(self, workteam: Workteam) -> bool:
        return bool(workteam.webhook_secret_encrypted)


class WorkteamMemberOutput(serializers.ModelSerializer):
    """A member of an organization's own team: a colleague, shown with their email."""

    user = UserOutput()
    worker_id = WorkerIdField()

    class Meta:
        model = WorkteamMember
        fields = ["id", "user", "worker_id", "source", "created_at"]


class QualificationOutput(serializers.ModelSerializer):
    test_item_count = serializers.SerializerMethodField()

    class Meta:
        model = Qualification
        fields = [
            "id",
            "name",
            "description",
            "pass_score",
            "is_retake_allowed",
            "test_item_count",
            "created_at",
        ]

    def get_test_item_count(self, qualification: Qualification) -> int:
        return qualification.test_items.count()


class QualificationTestItemOutput(serializers.ModelSerializer):
    class Meta:
        model = QualificationTestItem
        fields = ["id", "position", "input", "expected_answer"]


class QualificationTestItemForWorkerOutput(serializers.ModelSerializer):
    class Meta:
        model = QualificationTestItem
        fields = ["id", "position", "input"]


class QualificationGrantOutput(serializers.ModelSerializer):
    worker_id = WorkerIdField()

    class Meta:
        model = QualificationGrant
        fields = ["id", "worker_id", "source", "created_at", "revoked_at"]


class QualificationTestAttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = QualificationTestAttempt
        fields = ["id", "score", "is_passed", "created_at"]


class WorkerBlockOutput(serializers.ModelSerializer):
    worker_id = WorkerIdField()

    class Meta:
        model = WorkerBlock
        fields = ["id", "worker_id", "reason", "created_at", "lifted_at"]


class VendorOfferingOutput(serializers.ModelSerializer):
    vendor = OrganizationRefOutput(source="organization")

    class Meta:
        model = VendorOffering
        fields = [
            "id",
            "vendor",
            "title",
            "description",
            "task_types",
            "languages",
            "price_terms",
            "is_published",
            "updated_at",
        ]


class VendorSubscriptionOutput(serializers.ModelSerializer):
    """The requester's view of its subscription."""

    vendor = OrganizationRefOutput()
    offering_title = serializers.CharField(source="offering.title")

    class Meta:
        model = VendorSubscription
        fields = ["id", "vendor", "offering_title", "status", "note", "created_at", "decided_at"]


class VendorSubscriberOutput(serializers.ModelSerializer):
    """The vendor's view of a subscriber, with the teams it routed there."""

    requester = OrganizationRefOutput(source="organization")
    team_ids = serializers.SerializerMethodField()

    class Meta:
        model = VendorSubscription
        fields = ["id", "requester", "status", "note", "team_ids", "created_at", "decided_at"]

    def get_team_ids(self, subscription: VendorSubscription) -> list[int]:
        return sorted(route.team_id for route in subscription.routes.all())


class WorkerProfileOutput(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")

    class Meta:
        model = WorkerProfile
        fields = ["email", "display_name", "status", "is_public_crowd", "suspended_reason"]


class WorkerTeamOutput(serializers.ModelSerializer):
    """A team as its worker sees it."""

    organization = OrganizationRefOutput()
    kind = serializers.CharField(source="workforce.kind")

    class Meta:
        model = Workteam
        fields = ["id", "name", "description", "kind", "organization"]
