from django.urls import path

from apps.payouts.api import views

ORG = "orgs/<slug:org_slug>/"
MONTH = "<str:month>"

urlpatterns = [
    path("work/earnings/", views.WorkEarningsApi.as_view(), name="work-earnings"),
    path(
        "work/earnings/history/",
        views.WorkEarningsHistoryApi.as_view(),
        name="work-earnings-history",
    ),
    path("work/payouts/", views.WorkPayoutsApi.as_view(), name="work-payouts"),
    path(f"{ORG}billing/", views.BillingApi.as_view(), name="billing"),
    path(f"{ORG}billing/top-ups/", views.BillingTopUpsApi.as_view(), name="billing-top-ups"),
    path(
        f"{ORG}billing/invoices/<int:vendor_id>/{MONTH}/",
        views.BillingVendorInvoiceApi.as_view(),
        name="billing-vendor-invoice",
    ),
    path(
        f"{ORG}assignments/<int:assignment_id>/bonus/",
        views.AssignmentBonusApi.as_view(),
        name="assignment-bonus",
    ),
    path(f"{ORG}vendor-finance/", views.VendorFinanceApi.as_view(), name="vendor-finance"),
    path(f"{ORG}vendor-finance/payouts/", views.VendorPayoutsApi.as_view(), name="vendor-payouts"),
    path(
        f"{ORG}vendor-finance/invoices/{MONTH}/",
        views.VendorInvoiceApi.as_view(),
        name="vendor-invoice",
    ),
    path("operator/fundings/", views.OperatorFundingApi.as_view(), name="operator-fundings"),
    path("operator/payouts/", views.OperatorPayoutsApi.as_view(), name="operator-payouts"),
    path(
        "operator/payouts/export/",
        views.OperatorPayoutsExportApi.as_view(),
        name="operator-payouts-export",
    ),
    path(
        "operator/payouts/<int:payout_id>/settle/",
        views.OperatorPayoutSettleApi.as_view(),
        name="operator-payout-settle",
    ),
    path(
        "operator/reconciliation/",
        views.OperatorReconciliationApi.as_view(),
        name="operator-reconciliation",
    ),
]
