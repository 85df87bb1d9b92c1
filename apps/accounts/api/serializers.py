from rest_framework import serializers

from apps.accounts.models import ApiCredential, Invitation, Membership, Organization, User


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name"]


class OrganizationOutput(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "account_id", "is_vendor", "created_at"]


class MyMembershipOutput(serializers.ModelSerializer):
    organization = OrganizationOutput()

    class Meta:
        model = Membership
        fields = ["organization", "role"]


class MembershipOutput(serializers.ModelSerializer):
    user = UserOutput()

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]


class InvitationOutput(serializers.ModelSerializer):
    invited_by = UserOutput(allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by", "expires_at", "created_at"]


class ApiCredentialOutput(serializers.ModelSerializer):
    created_by = UserOutput()

    class Meta:
        model = ApiCredential
        fields = [
            "id",
            "name",
            "access_key_id",
            "role",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]


class ApiCredentialCreatedOutput(ApiCredentialOutput):
    """Returned once, at creation: the only time the secret is readable."""

    secret_access_key = serializers.CharField()
    bearer_token = serializers.CharField()

    class Meta(ApiCredentialOutput.Meta):
        fields = [*ApiCredentialOutput.Meta.fields, "secret_access_key", "bearer_token"]
