"""Money pages: a worker's earnings, an organization's billing, a vendor's finance, the
operator's payouts and reconciliation. They call the same selectors and services as the API."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from apps.accounts import permissions
from apps.accounts.models import Organization
from apps.accounts.views import organization_page
from apps.core.errors import DomainError
from apps.core.pages import report_error
from apps.payouts import selectors, services
from apps.payouts.forms import FundingForm, PayoutForm, PayoutSettleForm
from apps.payouts.invoices import invoice_csv

HISTORY = 50  # lines of history a page shows; the API pages through all of them


def _months(count: int = 3) -> list[str]:
    """This month and the ones before it, newest first: the invoices a page links to."""
    today = timezone.now().date().replace(day=1)
    months = []
    for _ in range(count):
        months.append(today.isoformat()[:7])
        today = (today - timedelta(days=1)).replace(day=1)
    return months


def _month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise Http404 from None


def _payout_post(request: HttpRequest, account, form: PayoutForm) -> bool:
    if not form.is_valid():
        return False
    try:
        payout = services.payout_request(account=account, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        report_error(request, error, form)
        return False
    messages.success(request, f"Payout of {payout.amount:.2f} {settings.PAYOUTS_CURRENCY} sent.")
    return True


@login_required
@require_http_methods(["GET", "POST"])
def worker_earnings(request: HttpRequest) -> HttpResponse:
    form = PayoutForm(request.POST or None)
    if request.method == "POST":
        account = services.account_worker(user_id=request.user.pk)
        if _payout_post(request, account, form):
            return redirect("worker_earnings")
    account = selectors.worker_account(worker=request.user)
    context = {
        "summary": selectors.worker_earnings(worker=request.user),
        "per_project": selectors.worker_earnings_per_project(worker=request.user),
        "history": selectors.account_history(account=account)[:HISTORY],
        "payouts": selectors.payout_list(account=account)[:HISTORY],
        "account": account,
        "form": form,
        "currency": settings.PAYOUTS_CURRENCY,
        "minimum": settings.PAYOUTS_MINIMUM,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "payouts/worker_earnings.html", context, status=status)


@organization_page({"GET": permissions.BILLING_MANAGE})
def billing(request: HttpRequest) -> HttpResponse:
    context = {
        "billing": selectors.requester_billing(organization=request.organization),
        "top_ups": selectors.top_up_list(organization=request.organization)[:HISTORY],
        "vendors": selectors.invoice_vendors_for_requester(organization=request.organization),
        "months": _months(),
        "currency": settings.PAYOUTS_CURRENCY,
    }
    return render(request, "payouts/billing.html", context)


def _invoice_page(request: HttpRequest, invoice: dict, as_csv: bool) -> HttpResponse:
    if as_csv:
        response = HttpResponse(invoice_csv(invoice), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="invoice-{invoice["month"]}.csv"'
        return response
    return render(
        request,
        "payouts/invoice.html",
        {"invoice": invoice, "currency": settings.PAYOUTS_CURRENCY},
    )


@organization_page({"GET": permissions.BILLING_MANAGE})
def billing_invoice(request: HttpRequest, vendor_id: int, month: str, as_csv: bool) -> HttpResponse:
    vendor = selectors.vendor_get_for_requester(
        organization=request.organization, vendor_id=vendor_id
    )
    invoice = selectors.vendor_invoice(
        vendor=vendor, month=_month(month), requester=request.organization
    )
    return _invoice_page(request, invoice, as_csv)


@organization_page({"GET": permissions.VENDOR_MANAGE, "POST": permissions.VENDOR_MANAGE})
def vendor_finance(request: HttpRequest) -> HttpResponse:
    form = PayoutForm(request.POST or None)
    if request.method == "POST":
        account = services.account_vendor(organization_id=request.organization.pk)
        if _payout_post(request, account, form):
            return redirect("vendor_finance", org_slug=request.organization.slug)
    account = selectors.vendor_account(organization=request.organization)
    context = {
        "account": account,
        "per_requester": selectors.vendor_earnings_per_requester(vendor=request.organization),
        "payouts": selectors.payout_list(account=account)[:HISTORY],
        "months": _months(),
        "form": form,
        "currency": settings.PAYOUTS_CURRENCY,
        "minimum": settings.PAYOUTS_MINIMUM,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "payouts/vendor_finance.html", context, status=status)


@organization_page({"GET": permissions.VENDOR_MANAGE})
def vendor_invoice(request: HttpRequest, month: str, as_csv: bool) -> HttpResponse:
    invoice = selectors.vendor_invoice(vendor=request.organization, month=_month(month))
    return _invoice_page(request, invoice, as_csv)


def _staff_only(request: HttpRequest) -> None:
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404


@require_http_methods(["GET", "POST"])
def operator_payouts(request: HttpRequest) -> HttpResponse:
    """Staff: reconciliation, platform fees, funding, pending payouts (export, settle)."""
    _staff_only(request)
    funding_form = FundingForm(request.POST if request.POST.get("action") == "fund" else None)
    if request.method == "POST":
        try:
            response = _operator_action(request, funding_form)
        except DomainError as error:
            report_error(request, error, funding_form)
        else:
            if response is not None:
                return response
            return redirect("operator_payouts")
    context = {
        "report": selectors.reconciliation_report(),
        "pending": selectors.payouts_pending(),
        "funding_form": funding_form,
        "currency": settings.PAYOUTS_CURRENCY,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "payouts/operator.html", context, status=status)


def _operator_action(request: HttpRequest, funding_form: FundingForm) -> HttpResponse | None:
    action = request.POST.get("action")
    if action == "export":
        response = HttpResponse(
            services.payouts_export(actor=request.user), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="payouts.csv"'
        return response
    if action == "fund":
        if not funding_form.is_valid():
            raise DomainError("Check the funding form.")
        data = dict(funding_form.cleaned_data)
        organization = Organization.objects.filter(slug=data.pop("organization")).first()
        if organization is None:
            raise DomainError.on_field("organization", "No organization has this slug.")
        services.funding_record(organization=organization, actor=request.user, **data)
        messages.success(request, f"Recorded {data['amount']} for {organization.name}.")
        return None
    if action == "settle":
        form = PayoutSettleForm(request.POST)
        form.is_valid()
        payout = selectors.payout_get(payout_id=int(request.POST.get("payout_id") or 0))
        if form.cleaned_data.get("failed"):
            services.payout_fail(
                payout=payout, reason=form.cleaned_data.get("reason", ""), actor=request.user
            )
        else:
            services.payout_settle(
                payout=payout,
                provider_reference=form.cleaned_data.get("reference", ""),
                actor=request.user,
            )
        messages.success(request, f"Payout {payout.pk} is {payout.get_status_display().lower()}.")
        return None
    raise DomainError("Unknown action.")
