"""Money endpoints: a worker's earnings and payouts (`/api/v1/work/`), an organization's
billing and vendor finance (`/api/v1/orgs/<slug>/`), and operator endpoints (staff only,
`/api/v1/operator/`; anyone else gets 404, as for a missing page)."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts import permissions
from apps.accounts.api.base import OrganizationAPIView
from apps.accounts.models import Organization
from apps.core.api.views import BaseAPIView
from apps.core.errors import DomainError, NotFound
from apps.payouts import selectors, services
from apps.payouts.api.serializers import EntryOutput, MoneyInput, PayoutOutput, TransactionOutput
from apps.payouts.invoices import invoice_csv
from apps.payouts.money import format_amount


def _money(summary: dict) -> dict:
    return {key: format_amount(value) for key, value in summary.items() if key != "account"}


def _month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise DomainError.on_field("month", "Use the form YYYY-MM.") from None


# Worker


class WorkerMoneyAPIView(BaseAPIView):
    """A person's own money: session only, like the rest of `/api/v1/work/`."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]


class WorkEarningsApi(WorkerMoneyAPIView):
    def get(self, request: Request) -> Response:
        summary = selectors.worker_earnings(worker=request.user)
        per_project = selectors.worker_earnings_per_project(worker=request.user)
        return Response(
            {
                "currency": settings.PAYOUTS_CURRENCY,
                **_money(summary),
                "minimum_payout": format_amount(settings.PAYOUTS_MINIMUM),
                "per_project": [
                    {
                        **row,
                        "earned": format_amount(row["earned"]),
                        "bonuses": format_amount(row["bonuses"]),
                    }
                    for row in per_project
                ],
            }
        )


class WorkEarningsHistoryApi(WorkerMoneyAPIView):
    @extend_schema(responses=EntryOutput(many=True))
    def get(self, request: Request) -> Response:
        account = selectors.worker_account(worker=request.user)
        return self.paginated(
            selectors.account_history(account=account),
            EntryOutput,
            context={"account_id": account.pk if account else None},
        )


class WorkPayoutsApi(WorkerMoneyAPIView):
    @extend_schema(responses=PayoutOutput(many=True))
    def get(self, request: Request) -> Response:
        account = selectors.worker_account(worker=request.user)
        return self.paginated(selectors.payout_list(account=account), PayoutOutput)

    @extend_schema(request=MoneyInput, responses={201: PayoutOutput})
    def post(self, request: Request) -> Response:
        payload = MoneyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        payout = services.payout_request(
            account=services.account_worker(user_id=request.user.pk),
            actor=request.user,
            **payload.validated_data,
        )
        return Response(PayoutOutput(payout).data, status=201)


# Requester


class BillingApi(OrganizationAPIView):
    required_permission = {"GET": permissions.BILLING_MANAGE}

    def get(self, request: Request, org_slug: str) -> Response:
        billing = selectors.requester_billing(organization=self.organization)
        vendors = selectors.invoice_vendors_for_requester(organization=self.organization)
        return Response(
            {
                "currency": settings.PAYOUTS_CURRENCY,
                "available": format_amount(billing["available"]),
                "escrow_total": format_amount(billing["escrow_total"]),
                "fees_total": format_amount(billing["fees_total"]),
                "escrow": [
                    {**row, "balance": format_amount(row["balance"])} for row in billing["escrow"]
                ],
                "spend_by_month": [
                    {**row, "work": format_amount(row["work"]), "fees": format_amount(row["fees"])}
                    for row in billing["spend_by_month"]
                ],
                "invoice_vendors": [{"id": vendor.pk, "name": vendor.name} for vendor in vendors],
            }
        )


class BillingTopUpsApi(OrganizationAPIView):
    required_permission = {"GET": permissions.BILLING_MANAGE}

    @extend_schema(responses=TransactionOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.top_up_list(organization=self.organization), TransactionOutput
        )


class BillingVendorInvoiceApi(OrganizationAPIView):
    """An invoice a vendor issued this organization for a month (`?as=csv` for CSV)."""

    required_permission = {"GET": permissions.BILLING_MANAGE}

    def get(self, request: Request, org_slug: str, vendor_id: int, month: str) -> Response:
        vendor = selectors.vendor_get_for_requester(
            organization=self.organization, vendor_id=vendor_id
        )
        invoice = selectors.vendor_invoice(
            vendor=vendor, month=_month(month), requester=self.organization
        )
        return _invoice_response(request, invoice)


class AssignmentBonusApi(OrganizationAPIView):
    required_permission = {"POST": permissions.PROJECTS_MANAGE}

    class InputSerializer(MoneyInput):
        reason = serializers.CharField(max_length=500, allow_blank=True)

    @extend_schema(request=InputSerializer, responses={201: TransactionOutput})
    def post(self, request: Request, org_slug: str, assignment_id: int) -> Response:
        assignment = selectors.assignment_get(
            organization=self.organization, assignment_id=assignment_id
        )
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bonus = services.assignment_bonus_pay(
            organization=self.organization,
            assignment=assignment,
            actor=request.user,
            **payload.validated_data,
        )
        bonus.amount = bonus.entries.filter(line="bonus").aggregate(total=Sum("amount"))["total"]
        return Response(TransactionOutput(bonus).data, status=201)


# Vendor


class VendorFinanceApi(OrganizationAPIView):
    required_permission = {"GET": permissions.VENDOR_MANAGE}

    def get(self, request: Request, org_slug: str) -> Response:
        account = selectors.vendor_account(organization=self.organization)
        rows = selectors.vendor_earnings_per_requester(vendor=self.organization)
        return Response(
            {
                "currency": settings.PAYOUTS_CURRENCY,
                "available": format_amount(account.balance if account else Decimal(0)),
                "per_requester": [{**row, "amount": format_amount(row["amount"])} for row in rows],
            }
        )


class VendorPayoutsApi(OrganizationAPIView):
    required_permission = {"GET": permissions.VENDOR_MANAGE, "POST": permissions.VENDOR_MANAGE}

    @extend_schema(responses=PayoutOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        account = selectors.vendor_account(organization=self.organization)
        return self.paginated(selectors.payout_list(account=account), PayoutOutput)

    @extend_schema(request=MoneyInput, responses={201: PayoutOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = MoneyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        payout = services.payout_request(
            account=services.account_vendor(organization_id=self.organization.pk),
            actor=request.user,
            **payload.validated_data,
        )
        return Response(PayoutOutput(payout).data, status=201)


class VendorInvoiceApi(OrganizationAPIView):
    """The vendor's invoice for a month, all requesters (`?as=csv` for CSV)."""

    required_permission = {"GET": permissions.VENDOR_MANAGE}

    def get(self, request: Request, org_slug: str, month: str) -> Response:
        invoice = selectors.vendor_invoice(vendor=self.organization, month=_month(month))
        return _invoice_response(request, invoice)


def _invoice_response(request: Request, invoice: dict):
    if request.query_params.get("as") == "csv":
        response = HttpResponse(invoice_csv(invoice), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="invoice-{invoice["month"]}.csv"'
        return response
    return Response(
        {
            **invoice,
            "currency": settings.PAYOUTS_CURRENCY,
            "total": format_amount(invoice["total"]),
            "lines": [
                {
                    **line,
                    **{key: format_amount(line[key]) for key in ("work", "bonuses", "amount")},
                }
                for line in invoice["lines"]
            ],
        }
    )


# Operator


class OperatorAPIView(BaseAPIView):
    """Platform staff only; to anyone else these endpoints do not exist (404)."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not (request.user and request.user.is_authenticated and request.user.is_staff):
            raise NotFound()


class OperatorFundingApi(OperatorAPIView):
    class InputSerializer(MoneyInput):
        organization = serializers.SlugField()
        reference = serializers.CharField(max_length=200, allow_blank=True)

    @extend_schema(request=InputSerializer, responses={201: TransactionOutput})
    def post(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        organization = Organization.objects.filter(slug=data.pop("organization")).first()
        if organization is None:
            raise DomainError.on_field("organization", "No organization has this slug.")
        funding = services.funding_record(organization=organization, actor=request.user, **data)
        funding.amount = funding.entries.aggregate(total=Sum("amount"))["total"]
        return Response(TransactionOutput(funding).data, status=201)


class OperatorPayoutsApi(OperatorAPIView):
    @extend_schema(responses=PayoutOutput(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.payouts_pending(), PayoutOutput)


class OperatorPayoutsExportApi(OperatorAPIView):
    @extend_schema(request=None, responses={(200, "text/csv"): str})
    def post(self, request: Request) -> HttpResponse:
        response = HttpResponse(
            services.payouts_export(actor=request.user), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="payouts.csv"'
        return response


class OperatorPayoutSettleApi(OperatorAPIView):
    class InputSerializer(serializers.Serializer):
        reference = serializers.CharField(max_length=200, required=False, default="")
        failed = serializers.BooleanField(required=False, default=False)
        reason = serializers.CharField(max_length=500, required=False, default="")

    @extend_schema(request=InputSerializer, responses=PayoutOutput)
    def post(self, request: Request, payout_id: int) -> Response:
        payout = selectors.payout_get(payout_id=payout_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if data["failed"]:
            payout = services.payout_fail(payout=payout, reason=data["reason"], actor=request.user)
        else:
            payout = services.payout_settle(
                payout=payout, provider_reference=data["reference"], actor=request.user
            )
        return Response(PayoutOutput(payout).data)


class OperatorReconciliationApi(OperatorAPIView):
    def get(self, request: Request) -> Response:
        report = selectors.reconciliation_report()
        return Response(
            {
                **report,
                "sum_of_balances": format_amount(report["sum_of_balances"]),
                "balances_by_kind": {
                    kind: format_amount(value) for kind, value in report["balances_by_kind"].items()
                },
            }
        )
