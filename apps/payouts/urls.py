from django.urls import path

from apps.payouts import views

BILLING = "orgs/<slug:org_slug>/billing/"
VENDOR = "orgs/<slug:org_slug>/vendor-finance/"

urlpatterns = [
    path("work/earnings/", views.worker_earnings, name="worker_earnings"),
    path(BILLING, views.billing, name="billing_page"),
    path(
        f"{BILLING}invoices/<int:vendor_id>/<str:month>.html",
        views.billing_invoice,
        {"as_csv": False},
        name="billing_invoice_html",
    ),
    path(
        f"{BILLING}invoices/<int:vendor_id>/<str:month>.csv",
        views.billing_invoice,
        {"as_csv": True},
        name="billing_invoice_csv",
    ),
    path(VENDOR, views.vendor_finance, name="vendor_finance"),
    path(
        f"{VENDOR}invoices/<str:month>.html",
        views.vendor_invoice,
        {"as_csv": False},
        name="vendor_invoice_html",
    ),
    path(
        f"{VENDOR}invoices/<str:month>.csv",
        views.vendor_invoice,
        {"as_csv": True},
        name="vendor_invoice_csv",
    ),
    path("operator/payouts/", views.operator_payouts, name="operator_payouts"),
]
