"""Workforce API: the requester's and vendor's consoles under /orgs/<org_slug>/, the
worker's own under /work/."""

from django_scopes import scope
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from apps.accounts import permissions
from apps.accounts.api.base import OrganizationAPIView
from apps.accounts.models import ApiCredential, Membership, Organization
from apps.core.errors import DomainError, NotFound, PermissionDenied
from apps.workforces import selectors, services
from apps.workforces.access import private_member_address_check, workteam_access_check
from apps.workforces.api.serializers import (
    OidcConfigOutput,
    QualificationGrantOutput,
    QualificationOutput,
    QualificationTestAttemptOutput,
    QualificationTestItemForWorkerOutput,
    QualificationTestItemOutput,
    VendorOfferingOutput,
    VendorSubscriberOutput,
    VendorSubscriptionOutput,
    WorkerBlockOutput,
    WorkerProfileOutput,
    WorkerTeamOutput,
    WorkforceOutput,
    WorkteamMemberOutput,
    WorkteamOutput,
)
from apps.workforces.models import Qualification, Workforce

P = permissions


def _given(validated: dict, *names: str) -> dict:
    """Only the fields the client sent, for partial updates."""
    return {name: validated[name] for name in names if name in validated}


def _worker_of(organization: Organization, *, worker_id: str = "", user_id: int | None = None):
    """The person a request names: by the anonymized id the organization was shown, or by
    user id for one of its own members. Unknown ids are a 400 naming the field."""
    if worker_id:
        try:
            return selectors.worker_resolve(organization=organization, worker_id=worker_id)
        except NotFound:
            raise DomainError(
                "Unknown worker id.", worker_id=["No worker with this id works for you."]
            ) from None
    if user_id is not None:
        membership = Membership.objects.filter(organization=organization, user_id=user_id).first()
        if membership is None:
            raise DomainError("Unknown member.", user_id=["Not a member of this organization."])
        return membership.user
    raise DomainError("Name the worker.", worker_id=["Give worker_id or user_id."])


# Workforce, IP ranges and OIDC


class WorkforceApi(OrganizationAPIView):
    """The organization's private workforce (created on first use)."""

    required_permission = {"GET": P.WORKFORCE_VIEW, "PATCH": P.WORKFORCE_MANAGE}

    class InputSerializer(serializers.Serializer):
        source_cidrs = serializers.ListField(child=serializers.CharField(), allow_empty=True)

    @extend_schema(responses=WorkforceOutput)
    def get(self, request: Request, org_slug: str) -> Response:
        workforce = services.workforce_private_ensure(organization=self.organization)
        return Response(WorkforceOutput(workforce).data)

    @extend_schema(request=InputSerializer, responses=WorkforceOutput)
    def patch(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workforce = services.workforce_private_ensure(organization=self.organization)
        workforce = services.workforce_update_source_cidrs(
            workforce=workforce, cidrs=payload.validated_data["source_cidrs"], actor=request.user
        )
        return Response(WorkforceOutput(workforce).data)


class OidcConfigApi(OrganizationAPIView):
    required_permission = {
        "GET": P.WORKFORCE_MANAGE,
        "PUT": P.WORKFORCE_MANAGE,
        "DELETE": P.WORKFORCE_MANAGE,
    }

    class InputSerializer(serializers.Serializer):
        issuer = serializers.CharField(max_length=500)
        client_id = serializers.CharField(max_length=1024)
        client_secret = serializers.CharField(
            max_length=1024, required=False, default="", allow_blank=True
        )
        scope = serializers.CharField(
            max_length=1024, required=False, default="openid email profile"
        )
        groups_claim = serializers.CharField(max_length=100, required=False, default="groups")
        extra_params = serializers.DictField(child=serializers.CharField(), required=False)
        is_enabled = serializers.BooleanField(required=False, default=True)

    @extend_schema(responses=OidcConfigOutput)
    def get(self, request: Request, org_slug: str) -> Response:
        config = selectors.oidc_config_get(organization=self.organization)
        return Response(OidcConfigOutput(config).data)

    @extend_schema(request=InputSerializer, responses=OidcConfigOutput)
    def put(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        config = services.oidc_config_set(
            organization=self.organization, actor=request.user, **payload.validated_data
        )
        return Response(OidcConfigOutput(config).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str) -> Response:
        config = selectors.oidc_config_get(organization=self.organization)
        services.oidc_config_delete(config=config, actor=request.user)
        return Response(status=204)


# Workteams


class WorkteamListApi(OrganizationAPIView):
    required_permission = {"GET": P.WORKFORCE_VIEW, "POST": P.WORKTEAMS_MANAGE}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=63)
        kind = serializers.ChoiceField(choices=["private", "public", "vendor"])
        description = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )
        vendor_subscription_id = serializers.IntegerField(required=False, allow_null=True)
        oidc_groups = serializers.ListField(child=serializers.CharField(), required=False)
        qualification_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
        webhook_url = serializers.CharField(
            max_length=500, required=False, default="", allow_blank=True
        )
        webhook_secret = serializers.CharField(
            max_length=200, required=False, default="", allow_blank=True
        )

    @extend_schema(responses=WorkteamOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.workteam_list(organization=self.organization), WorkteamOutput
        )

    @extend_schema(request=InputSerializer, responses={201: WorkteamOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workteam = services.workteam_create(
            organization=self.organization, actor=request.user, **payload.validated_data
        )
        return Response(WorkteamOutput(workteam).data, status=201)


class WorkteamDetailApi(OrganizationAPIView):
    required_permission = {
        "GET": P.WORKFORCE_VIEW,
        "PATCH": P.WORKTEAMS_MANAGE,
        "DELETE": P.WORKTEAMS_MANAGE,
    }

    class InputSerializer(serializers.Serializer):
        description = serializers.CharField(max_length=200, required=False, allow_blank=True)
        oidc_groups = serializers.ListField(child=serializers.CharField(), required=False)
        qualification_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
        webhook_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
        webhook_secret = serializers.CharField(max_length=200, required=False, allow_blank=True)

    @extend_schema(responses=WorkteamOutput)
    def get(self, request: Request, org_slug: str, workteam_id: int) -> Response:
        workteam = selectors.workteam_get(organization=self.organization, workteam_id=workteam_id)
        return Response(WorkteamOutput(workteam).data)

    @extend_schema(request=InputSerializer, responses=WorkteamOutput)
    def patch(self, request: Request, org_slug: str, workteam_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workteam = selectors.workteam_get(organization=self.organization, workteam_id=workteam_id)
        changes = _given(
            payload.validated_data,
            "description",
            "oidc_groups",
            "qualification_ids",
            "webhook_url",
            "webhook_secret",
        )
        services.workteam_update(workteam=workteam, actor=request.user, **changes)
        workteam = selectors.workteam_get(organization=self.organization, workteam_id=workteam_id)
        return Response(WorkteamOutput(workteam).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, workteam_id: int) -> Response:
        workteam = selectors.workteam_get(organization=self.organization, workteam_id=workteam_id)
        services.workteam_delete(workteam=workteam, actor=request.user)
        return Response(status=204)


class WorkteamWorkerOutput(serializers.Serializer):
    worker_id = serializers.CharField()


class WorkteamMemberListApi(OrganizationAPIView):
    """Members of the organization's own teams (with email), or, for a subscribed vendor team,
    the vendor's routed workers by anonymized id only. The public crowd is not listed."""

    required_permission = {"GET": P.WORKFORCE_VIEW, "POST": P.WORKTEAMS_MANAGE}

    class InputSerializer(serializers.Serializer):
        user_id = serializers.IntegerField()

    @extend_schema(responses=WorkteamMemberOutput(many=True))
    def get(self, request: Request, org_slug: str, workteam_id: int) -> Response:
        workteam = selectors.workteam_get(organization=self.organization, workteam_id=workteam_id)
        if workteam.subscription_id is not None:
            workers = selectors.workteam_eligible_workers(workteam=workteam)
            paginator = self.pagination_class()
            page = paginator.paginate_queryset(workers, request, view=self)
            rows = [
                {
                    "worker_id": selectors.anonymized_worker_id(
                        user=u, organization=self.organization
                    )
                }
                for u in page
            ]
            return paginator.get_paginated_response(WorkteamWorkerOutput(rows, many=True).data)
        if workteam.workforce.kind == Workforce.Kind.PUBLIC:
            raise DomainError("The public crowd has no member list.", workteam=["Public team."])
        return self.paginated(
            selectors.workteam_member_list(workteam=workteam), WorkteamMemberOutput
        )

    @extend_schema(request=InputSerializer, responses={201: WorkteamMemberOutput})
    def post(self, request: Request, org_slug: str, workteam_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workteam = selectors.workteam_get(organization=self.organization, workteam_id=workteam_id)
        user = _worker_of(self.organization, user_id=payload.validated_data["user_id"])
        member = services.workteam_member_add(workteam=workteam, user=user, actor=request.user)
        return Response(WorkteamMemberOutput(member).data, status=201)


class WorkteamMemberDetailApi(OrganizationAPIView):
    required_permission = {"DELETE": P.WORKTEAMS_MANAGE}

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, workteam_id: int, member_id: int) -> Response:
        workteam = selectors.workteam_get(organization=self.organization, workteam_id=workteam_id)
        member = selectors.workteam_member_get(workteam=workteam, member_id=member_id)
        services.workteam_member_remove(member=member, actor=request.user)
        return Response(status=204)


# Qualifications


class QualificationListApi(OrganizationAPIView):
    required_permission = {"GET": P.WORKFORCE_VIEW, "POST": P.WORKTEAMS_MANAGE}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        description = serializers.CharField(required=False, default="", allow_blank=True)
        pass_score = serializers.DecimalField(
            max_digits=4, decimal_places=3, required=False, allow_null=True, default=None
        )
        is_retake_allowed = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses=QualificationOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.qualification_list(organization=self.organization), QualificationOutput
        )

    @extend_schema(request=InputSerializer, responses={201: QualificationOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        qualification = services.qualification_create(
            organization=self.organization, actor=request.user, **payload.validated_data
        )
        return Response(QualificationOutput(qualification).data, status=201)


class QualificationDetailApi(OrganizationAPIView):
    required_permission = {
        "GET": P.WORKFORCE_VIEW,
        "PATCH": P.WORKTEAMS_MANAGE,
        "DELETE": P.WORKTEAMS_MANAGE,
    }

    class InputSerializer(serializers.Serializer):
        description = serializers.CharField(required=False, allow_blank=True)
        pass_score = serializers.DecimalField(
            max_digits=4, decimal_places=3, required=False, allow_null=True
        )
        is_retake_allowed = serializers.BooleanField(required=False)

    def _get(self, qualification_id: int) -> Qualification:
        return selectors.qualification_get(
            organization=self.organization, qualification_id=qualification_id
        )

    @extend_schema(responses=QualificationOutput)
    def get(self, request: Request, org_slug: str, qualification_id: int) -> Response:
        return Response(QualificationOutput(self._get(qualification_id)).data)

    @extend_schema(request=InputSerializer, responses=QualificationOutput)
    def patch(self, request: Request, org_slug: str, qualification_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        qualification = services.qualification_update(
            qualification=self._get(qualification_id),
            actor=request.user,
            **_given(payload.validated_data, "description", "pass_score", "is_retake_allowed"),
        )
        return Response(QualificationOutput(qualification).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, qualification_id: int) -> Response:
        services.qualification_delete(qualification=self._get(qualification_id), actor=request.user)
        return Response(status=204)


class QualificationTestItemListApi(OrganizationAPIView):
    required_permission = {"GET": P.WORKTEAMS_MANAGE, "POST": P.WORKTEAMS_MANAGE}

    class InputSerializer(serializers.Serializer):
        input = serializers.JSONField()
        expected_answer = serializers.JSONField()

    @extend_schema(responses=QualificationTestItemOutput(many=True))
    def get(self, request: Request, org_slug: str, qualification_id: int) -> Response:
        qualification = selectors.qualification_get(
            organization=self.organization, qualification_id=qualification_id
        )
        return self.paginated(
            selectors.qualification_test_item_list(qualification=qualification),
            QualificationTestItemOutput,
        )

    @extend_schema(request=InputSerializer, responses={201: QualificationTestItemOutput})
    def post(self, request: Request, org_slug: str, qualification_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        qualification = selectors.qualification_get(
            organization=self.organization, qualification_id=qualification_id
        )
        item = services.qualification_test_item_add(
            qualification=qualification, actor=request.user, **payload.validated_data
        )
        return Response(QualificationTestItemOutput(item).data, status=201)


class QualificationGrantListApi(OrganizationAPIView):
    required_permission = {"GET": P.WORKFORCE_VIEW, "POST": P.WORKTEAMS_MANAGE}

    class InputSerializer(serializers.Serializer):
        worker_id = serializers.CharField(max_length=40, required=False, default="")
        user_id = serializers.IntegerField(required=False, allow_null=True, default=None)

    @extend_schema(responses=QualificationGrantOutput(many=True))
    def get(self, request: Request, org_slug: str, qualification_id: int) -> Response:
        qualification = selectors.qualification_get(
            organization=self.organization, qualification_id=qualification_id
        )
        return self.paginated(
            selectors.qualification_grant_list(qualification=qualification),
            QualificationGrantOutput,
        )

    @extend_schema(request=InputSerializer, responses={201: QualificationGrantOutput})
    def post(self, request: Request, org_slug: str, qualification_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        qualification = selectors.qualification_get(
            organization=self.organization, qualification_id=qualification_id
        )
        user = _worker_of(self.organization, **payload.validated_data)
        grant = services.qualification_grant(
            qualification=qualification, user=user, actor=request.user
        )
        return Response(QualificationGrantOutput(grant).data, status=201)


class QualificationGrantDetailApi(OrganizationAPIView):
    required_permission = {"DELETE": P.WORKTEAMS_MANAGE}

    @extend_schema(responses=QualificationGrantOutput)
    def delete(
        self, request: Request, org_slug: str, qualification_id: int, grant_id: int
    ) -> Response:
        qualification = selectors.qualification_get(
            organization=self.organization, qualification_id=qualification_id
        )
        grant = selectors.qualification_grant_get(qualification=qualification, grant_id=grant_id)
        grant = services.qualification_grant_revoke(grant=grant, actor=request.user)
        return Response(QualificationGrantOutput(grant).data)


# Blocks


class WorkerBlockListApi(OrganizationAPIView):
    required_permission = {"GET": P.WORKFORCE_VIEW, "POST": P.WORKTEAMS_MANAGE}

    class InputSerializer(serializers.Serializer):
        worker_id = serializers.CharField(max_length=40, required=False, default="")
        user_id = serializers.IntegerField(required=False, allow_null=True, default=None)
        reason = serializers.CharField(max_length=1000)

    @extend_schema(responses=WorkerBlockOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.worker_block_list(organization=self.organization), WorkerBlockOutput
        )

    @extend_schema(request=InputSerializer, responses={201: WorkerBlockOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = _worker_of(self.organization, worker_id=data["worker_id"], user_id=data["user_id"])
        block = services.worker_block_create(
            organization=self.organization, user=user, reason=data["reason"], actor=request.user
        )
        return Response(WorkerBlockOutput(block).data, status=201)


class WorkerBlockDetailApi(OrganizationAPIView):
    required_permission = {"GET": P.WORKFORCE_VIEW, "DELETE": P.WORKTEAMS_MANAGE}

    @extend_schema(responses=WorkerBlockOutput)
    def get(self, request: Request, org_slug: str, block_id: int) -> Response:
        block = selectors.worker_block_get(organization=self.organization, block_id=block_id)
        return Response(WorkerBlockOutput(block).data)

    @extend_schema(responses=WorkerBlockOutput)
    def delete(self, request: Request, org_slug: str, block_id: int) -> Response:
        block = selectors.worker_block_get(organization=self.organization, block_id=block_id)
        block = services.worker_block_lift(block=block, actor=request.user)
        return Response(WorkerBlockOutput(block).data)


# Vendors, the requester's side


class VendorOfferingListApi(OrganizationAPIView):
    """Published vendor offerings, for a requester choosing a vendor."""

    required_permission = {"GET": P.WORKFORCE_VIEW}

    @extend_schema(responses=VendorOfferingOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(selectors.vendor_offering_list_published(), VendorOfferingOutput)


class VendorSubscriptionListApi(OrganizationAPIView):
    required_permission = {"GET": P.WORKFORCE_VIEW, "POST": P.WORKFORCE_MANAGE}

    class InputSerializer(serializers.Serializer):
        vendor = serializers.CharField(max_length=60, help_text="The vendor's short name (slug).")
        note = serializers.CharField(required=False, default="", allow_blank=True)

    @extend_schema(responses=VendorSubscriptionOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.vendor_subscription_list(organization=self.organization),
            VendorSubscriptionOutput,
        )

    @extend_schema(request=InputSerializer, responses={201: VendorSubscriptionOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        subscription = services.vendor_subscription_request(
            organization=self.organization,
            vendor_slug=payload.validated_data["vendor"],
            note=payload.validated_data["note"],
            actor=request.user,
        )
        return Response(VendorSubscriptionOutput(subscription).data, status=201)


class VendorSubscriptionDetailApi(OrganizationAPIView):
    required_permission = {"GET": P.WORKFORCE_VIEW, "DELETE": P.WORKFORCE_MANAGE}

    @extend_schema(responses=VendorSubscriptionOutput)
    def get(self, request: Request, org_slug: str, subscription_id: int) -> Response:
        subscription = selectors.vendor_subscription_get(
            organization=self.organization, subscription_id=subscription_id
        )
        return Response(VendorSubscriptionOutput(subscription).data)

    @extend_schema(responses=VendorSubscriptionOutput)
    def delete(self, request: Request, org_slug: str, subscription_id: int) -> Response:
        subscription = selectors.vendor_subscription_get(
            organization=self.organization, subscription_id=subscription_id
        )
        subscription = services.vendor_subscription_cancel(
            subscription=subscription, actor=request.user
        )
        return Response(VendorSubscriptionOutput(subscription).data)


# Vendors, the vendor's side


class VendorOfferingApi(OrganizationAPIView):
    required_permission = {"GET": P.VENDOR_MANAGE, "PUT": P.VENDOR_MANAGE}

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        description = serializers.CharField()
        task_types = serializers.ListField(child=serializers.CharField(), required=False)
        languages = serializers.ListField(child=serializers.CharField(), required=False)
        price_terms = serializers.CharField(required=False, default="", allow_blank=True)
        is_published = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses=VendorOfferingOutput)
    def get(self, request: Request, org_slug: str) -> Response:
        offering = selectors.vendor_offering_find(organization=self.organization)
        if offering is None:
            raise NotFound()
        return Response(VendorOfferingOutput(offering).data)

    @extend_schema(request=InputSerializer, responses=VendorOfferingOutput)
    def put(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        offering = services.vendor_offering_save(
            organization=self.organization, actor=request.user, **payload.validated_data
        )
        return Response(VendorOfferingOutput(offering).data)


class VendorSubscriberListApi(OrganizationAPIView):
    required_permission = {"GET": P.VENDOR_MANAGE}

    @extend_schema(responses=VendorSubscriberOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.vendor_subscriber_list(vendor=self.organization), VendorSubscriberOutput
        )


class VendorSubscriberDetailApi(OrganizationAPIView):
    required_permission = {"GET": P.VENDOR_MANAGE}

    @extend_schema(responses=VendorSubscriberOutput)
    def get(self, request: Request, org_slug: str, subscription_id: int) -> Response:
        subscription = selectors.vendor_subscriber_get(
            vendor=self.organization, subscription_id=subscription_id
        )
        return Response(VendorSubscriberOutput(subscription).data)


class VendorSubscriberDecisionApi(OrganizationAPIView):
    """POST .../accept/ or .../decline/ (the URL names the decision)."""

    required_permission = {"POST": P.VENDOR_MANAGE}
    accept = True

    @extend_schema(request=None, responses=VendorSubscriberOutput)
    def post(self, request: Request, org_slug: str, subscription_id: int) -> Response:
        subscription = selectors.vendor_subscriber_get(
            vendor=self.organization, subscription_id=subscription_id
        )
        subscription = services.vendor_subscription_decide(
            subscription=subscription, accept=self.accept, actor=request.user
        )
        subscription = selectors.vendor_subscriber_get(
            vendor=self.organization, subscription_id=subscription.pk
        )
        return Response(VendorSubscriberOutput(subscription).data)


class VendorSubscriberRoutesApi(OrganizationAPIView):
    required_permission = {"PUT": P.VENDOR_MANAGE}

    class InputSerializer(serializers.Serializer):
        team_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)

    @extend_schema(request=InputSerializer, responses=VendorSubscriberOutput)
    def put(self, request: Request, org_slug: str, subscription_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        subscription = selectors.vendor_subscriber_get(
            vendor=self.organization, subscription_id=subscription_id
        )
        services.vendor_routes_set(
            subscription=subscription,
            team_ids=payload.validated_data["team_ids"],
            actor=request.user,
        )
        subscription = selectors.vendor_subscriber_get(
            vendor=self.organization, subscription_id=subscription_id
        )
        return Response(VendorSubscriberOutput(subscription).data)


# The worker's own


class WorkerAPIView(APIView):
    """A person acting for themselves; API credentials act for an organization, not here."""

    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, ApiCredential):
            raise PermissionDenied("API credentials act inside their organization only.")


class WorkerProfileApi(WorkerAPIView):
    class InputSerializer(serializers.Serializer):
        display_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
        is_public_crowd = serializers.BooleanField(required=False)

    @extend_schema(responses=WorkerProfileOutput)
    def get(self, request: Request) -> Response:
        profile = services.worker_profile_ensure(user=request.user)
        return Response(WorkerProfileOutput(profile).data)

    @extend_schema(request=InputSerializer, responses=WorkerProfileOutput)
    def patch(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        profile = services.worker_profile_update(user=request.user, **payload.validated_data)
        return Response(WorkerProfileOutput(profile).data)


class WorkerTeamListApi(WorkerAPIView):
    @extend_schema(responses=WorkerTeamOutput(many=True))
    def get(self, request: Request) -> Response:
        teams = selectors.workteams_for_worker(user=request.user)
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(teams, request, view=self)
        return paginator.get_paginated_response(WorkerTeamOutput(page, many=True).data)


class WorkerTeamDetailApi(WorkerAPIView):
    """One of the worker's teams: refused from outside its workforce's IP ranges."""

    @extend_schema(responses=WorkerTeamOutput)
    def get(self, request: Request, workteam_id: int) -> Response:
        workteam = selectors.worker_workteam_get(user=request.user, workteam_id=workteam_id)
        workteam_access_check(request=request, workteam=workteam)
        return Response(WorkerTeamOutput(workteam).data)


class WorkerQualificationTestApi(WorkerAPIView):
    """A qualification test: its items (without answers), and grading a submission.

    Open to any signed-in worker: passing it is how a worker earns the qualification.
    The path names the organization, so the query runs in that organization's scope.
    """

    class InputSerializer(serializers.Serializer):
        answers = serializers.DictField(child=serializers.JSONField())

    def _qualification(self, org_slug: str, qualification_id: int) -> Qualification:
        organization = Organization.objects.filter(slug=org_slug).first()
        if organization is None:
            raise NotFound()
        qualification = (
            selectors.qualification_list(organization=organization)
            .filter(id=qualification_id, pass_score__isnull=False)
            .first()
        )
        if qualification is None or not selectors.qualification_test_available(
            user=self.request.user, qualification=qualification
        ):
            raise NotFound()
        private_member_address_check(request=self.request, organization_id=organization.pk)
        return qualification

    @extend_schema(responses=QualificationTestItemForWorkerOutput(many=True))
    def get(self, request: Request, org_slug: str, qualification_id: int) -> Response:
        organization_id = _organization_id(org_slug)
        with scope(organization=organization_id):
            qualification = self._qualification(org_slug, qualification_id)
            items = selectors.qualification_test_item_list(qualification=qualification)
            data = QualificationTestItemForWorkerOutput(items, many=True).data
        return Response({"results": data})

    @extend_schema(request=InputSerializer, responses={201: QualificationTestAttemptOutput})
    def post(self, request: Request, org_slug: str, qualification_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with scope(organization=_organization_id(org_slug)):
            attempt = services.qualification_test_submit(
                qualification=self._qualification(org_slug, qualification_id),
                user=request.user,
                answers=payload.validated_data["answers"],
            )
        return Response(QualificationTestAttemptOutput(attempt).data, status=201)


def _organization_id(slug: str) -> int:
    organization_id = Organization.objects.filter(slug=slug).values_list("id", flat=True).first()
    if organization_id is None:
        raise NotFound()
    return organization_id
