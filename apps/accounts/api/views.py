from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import permissions, selectors, services
from apps.accounts.api.base import OrganizationAPIView
from apps.accounts.api.serializers import (
    ApiCredentialCreatedOutput,
    ApiCredentialOutput,
    InvitationOutput,
    MembershipOutput,
    MyMembershipOutput,
    OrganizationOutput,
    UserOutput,
)
from apps.accounts.models import ApiCredential, Role
from apps.core.errors import PermissionDenied


class MeApi(APIView):
    class MeOutput(serializers.Serializer):
        user = UserOutput()
        memberships = MyMembershipOutput(many=True)

    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        memberships = selectors.membership_list_for_user(user=request.user)
        if isinstance(request.auth, ApiCredential):  # a credential sees only its organization
            memberships = memberships.filter(organization_id=request.auth.organization_id)
        return Response(self.MeOutput({"user": request.user, "memberships": memberships}).data)


class OrganizationCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        slug = serializers.SlugField(max_length=60, required=False, default="")

    @extend_schema(request=InputSerializer, responses={201: OrganizationOutput})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiCredential):
            raise PermissionDenied("API credentials act inside their organization only.")
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        organization = services.organization_create(user=request.user, **payload.validated_data)
        return Response(OrganizationOutput(organization).data, status=201)


class OrganizationDetailApi(OrganizationAPIView):
    required_permission = {"GET": permissions.ORGANIZATION_VIEW}

    @extend_schema(responses=OrganizationOutput)
    def get(self, request: Request, org_slug: str) -> Response:
        return Response(OrganizationOutput(self.organization).data)


class MembershipListApi(OrganizationAPIView):
    required_permission = {"GET": permissions.MEMBERS_VIEW}

    @extend_schema(responses=MembershipOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.membership_list(organization=self.organization), MembershipOutput
        )


class MembershipDetailApi(OrganizationAPIView):
    required_permission = {
        "GET": permissions.MEMBERS_VIEW,
        "PATCH": permissions.MEMBERS_MANAGE,
        "DELETE": permissions.MEMBERS_MANAGE,
    }

    class InputSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=Role.choices)

    @extend_schema(responses=MembershipOutput)
    def get(self, request: Request, org_slug: str, membership_id: int) -> Response:
        membership = selectors.membership_get(
            organization=self.organization, membership_id=membership_id
        )
        return Response(MembershipOutput(membership).data)

    @extend_schema(request=InputSerializer, responses=MembershipOutput)
    def patch(self, request: Request, org_slug: str, membership_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = selectors.membership_get(
            organization=self.organization, membership_id=membership_id
        )
        membership = services.membership_change_role(
            membership=membership,
            actor=request.user,
            actor_role=self.role,
            **payload.validated_data,
        )
        return Response(MembershipOutput(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, membership_id: int) -> Response:
        membership = selectors.membership_get(
            organization=self.organization, membership_id=membership_id
        )
        services.membership_remove(membership=membership, actor=request.user, actor_role=self.role)
        return Response(status=204)


class InvitationListApi(OrganizationAPIView):
    required_permission = {"GET": permissions.MEMBERS_VIEW, "POST": permissions.MEMBERS_MANAGE}

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        role = serializers.ChoiceField(choices=Role.choices, default=Role.WORKER)

    @extend_schema(responses=InvitationOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.invitation_list(organization=self.organization), InvitationOutput
        )

    @extend_schema(request=InputSerializer, responses={201: InvitationOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            organization=self.organization,
            actor=request.user,
            actor_role=self.role,
            **payload.validated_data,
        )
        return Response(InvitationOutput(invitation).data, status=201)


class InvitationDetailApi(OrganizationAPIView):
    required_permission = {"GET": permissions.MEMBERS_VIEW, "DELETE": permissions.MEMBERS_MANAGE}

    @extend_schema(responses=InvitationOutput)
    def get(self, request: Request, org_slug: str, invitation_id: int) -> Response:
        invitation = selectors.invitation_get(
            organization=self.organization, invitation_id=invitation_id
        )
        return Response(InvitationOutput(invitation).data)

    @extend_schema(responses=InvitationOutput)
    def delete(self, request: Request, org_slug: str, invitation_id: int) -> Response:
        invitation = selectors.invitation_get(
            organization=self.organization, invitation_id=invitation_id
        )
        invitation = services.invitation_revoke(invitation=invitation, actor=request.user)
        return Response(InvitationOutput(invitation).data)


class ApiCredentialListApi(OrganizationAPIView):
    required_permission = {
        "GET": permissions.CREDENTIALS_MANAGE,
        "POST": permissions.CREDENTIALS_MANAGE,
    }

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        role = serializers.ChoiceField(choices=Role.choices, default=Role.ADMIN)

    @extend_schema(responses=ApiCredentialOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.api_credential_list(organization=self.organization), ApiCredentialOutput
        )

    @extend_schema(request=InputSerializer, responses={201: ApiCredentialCreatedOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        credential, secret = services.api_credential_create(
            organization=self.organization,
            actor=request.user,
            actor_role=self.role,
            **payload.validated_data,
        )
        credential.secret_access_key = secret
        credential.bearer_token = f"{credential.access_key_id}:{secret}"
        return Response(ApiCredentialCreatedOutput(credential).data, status=201)


class ApiCredentialDetailApi(OrganizationAPIView):
    required_permission = {
        "GET": permissions.CREDENTIALS_MANAGE,
        "DELETE": permissions.CREDENTIALS_MANAGE,
    }

    @extend_schema(responses=ApiCredentialOutput)
    def get(self, request: Request, org_slug: str, credential_id: int) -> Response:
        credential = selectors.api_credential_get(
            organization=self.organization, credential_id=credential_id
        )
        return Response(ApiCredentialOutput(credential).data)

    @extend_schema(responses=ApiCredentialOutput)
    def delete(self, request: Request, org_slug: str, credential_id: int) -> Response:
        credential = selectors.api_credential_get(
            organization=self.organization, credential_id=credential_id
        )
        credential = services.api_credential_revoke(credential=credential, actor=request.user)
        return Response(ApiCredentialOutput(credential).data)
