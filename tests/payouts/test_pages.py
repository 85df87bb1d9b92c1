from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.payouts import services
from apps.payouts.models import LedgerTransaction, Payout
from tests.factories import MembershipFactory
from tests.payouts.helpers import balance, fund, operator, public_project
from tests.payouts.test_api import earned, vendor_earned

pytestmark = pytest.mark.django_db

MONTH = timezone.now().strftime("%Y-%m")


def test_worker_earnings_page_shows_money_and_requests_a_payout(client, owner):
    project, worker, assignment = earned(owner)
    client.force_login(worker)

    page = client.get(reverse("worker_earnings"))
    key = page.context["form"].initial["idempotency_key"]
    for _ in range(2):  # a double submit of one rendered form pays once
        posted = client.post(reverse("worker_earnings"), {"amount": "1.25", "idempotency_key": key})

    assert page.status_code == 200
    assert page.context["summary"]["available"] == Decimal("2.00")
    assert [row["project"] for row in page.context["per_project"]] == [project.name]
    [line] = page.context["history"]
    assert line.transaction.assignment_id == assignment.pk
    assert posted.status_code == 302
    assert Payout.objects.get().amount == Decimal("1.25")
    assert balance(services.account_worker(user_id=worker.pk)) == Decimal("0.75")


def test_a_bad_payout_on_the_page_is_shown_on_the_field(client, owner):
    _, worker, _ = earned(owner)
    client.force_login(worker)

    response = client.post(reverse("worker_earnings"), {"amount": "9.999", "idempotency_key": "k"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"amount": ["Use at most 2 decimal places for USD."]}
    assert not Payout.objects.exists()


def test_billing_page_shows_escrow_and_vendor_invoices(client, owner):
    vendor_owner, _ = vendor_earned(owner)
    fund(owner.organization, "10.00")
    client.force_login(owner.user)
    slug = owner.organization.slug

    page = client.get(reverse("billing_page", args=[slug]))
    html = client.get(
        reverse("billing_invoice_html", args=[slug, vendor_owner.organization_id, MONTH])
    )
    csv_file = client.get(
        reverse("billing_invoice_csv", args=[slug, vendor_owner.organization_id, MONTH])
    )

    assert page.status_code == 200
    assert page.context["billing"]["available"] == Decimal("10.00")
    assert [vendor.pk for vendor in page.context["vendors"]] == [vendor_owner.organization_id]
    assert html.context["invoice"]["total"] == Decimal("3.00")
    assert b'data-testid="invoice-total">3.0000 USD' in html.content
    assert csv_file["Content-Type"] == "text/csv"
    assert csv_file.content.decode().splitlines()[-1] == "total,,,,,,,3.0000,USD"


def test_vendor_finance_page_and_its_invoices(client, owner):
    vendor_owner, _ = vendor_earned(owner)
    client.force_login(vendor_owner.user)
    slug = vendor_owner.organization.slug

    page = client.get(reverse("vendor_finance", args=[slug]))
    html = client.get(reverse("vendor_invoice_html", args=[slug, MONTH]))
    posted = client.post(
        reverse("vendor_finance", args=[slug]), {"amount": "3.00", "idempotency_key": "k"}
    )

    assert page.context["per_requester"][0]["amount"] == Decimal("3.00")
    assert html.context["invoice"]["lines"][0]["answers"] == 2
    assert posted.status_code == 302
    assert Payout.objects.get().amount == Decimal("3.00")


def test_money_pages_are_404_to_other_organizations(client, owner):
    vendor_owner, _ = vendor_earned(owner)
    outsider = MembershipFactory()
    client.force_login(outsider.user)
    slug, vendor_slug, vendor_id = (
        owner.organization.slug,
        vendor_owner.organization.slug,
        vendor_owner.organization_id,
    )

    for url in [
        reverse("billing_page", args=[slug]),
        reverse("billing_invoice_html", args=[slug, vendor_id, MONTH]),
        reverse("billing_invoice_csv", args=[slug, vendor_id, MONTH]),
        reverse("vendor_finance", args=[vendor_slug]),
        reverse("vendor_invoice_html", args=[vendor_slug, MONTH]),
        reverse("vendor_invoice_csv", args=[vendor_slug, MONTH]),
        reverse("operator_payouts"),
    ]:
        assert client.get(url).status_code == 404, url
    posted = client.post(
        reverse("vendor_finance", args=[vendor_slug]), {"amount": "1.00", "idempotency_key": "k"}
    )
    assert posted.status_code == 404
    assert not Payout.objects.exists()


def test_a_requester_cannot_open_invoices_of_a_vendor_it_never_used(client, owner):
    vendor_owner, _ = vendor_earned(MembershipFactory())
    client.force_login(owner.user)

    response = client.get(
        reverse(
            "billing_invoice_html",
            args=[owner.organization.slug, vendor_owner.organization_id, MONTH],
        )
    )

    assert response.status_code == 404


def test_operator_page_funds_exports_and_settles(client, owner):
    _, worker, _ = earned(owner)
    payout = services.payout_request(
        account=services.account_worker(user_id=worker.pk),
        amount="2.00",
        idempotency_key="p",
        actor=worker,
    )
    client.force_login(operator())
    url = reverse("operator_payouts")

    page = client.get(url)
    funded = client.post(
        url,
        {
            "action": "fund",
            "organization": owner.organization.slug,
            "amount": "50.00",
            "reference": "wire 88",
            "idempotency_key": "f1",
        },
    )
    exported = client.post(url, {"action": "export"})
    settled = client.post(url, {"action": "settle", "payout_id": payout.pk, "reference": "b-9"})

    assert page.status_code == 200
    assert page.context["report"]["is_balanced"] is True
    assert b"The ledger balances" in page.content
    assert [row.pk for row in page.context["pending"]] == [payout.pk]
    assert (funded.status_code, exported.status_code, settled.status_code) == (302, 200, 302)
    assert exported.content.decode().startswith("payout_id,payee_kind")
    payout.refresh_from_db()
    assert (payout.status, payout.provider_reference) == ("paid", "b-9")
    assert balance(services.account_requester(organization_id=owner.organization_id)) == Decimal(
        "50.00"
    )


def test_operator_page_refuses_bad_funding_and_writes_nothing(client, owner):
    client.force_login(operator())

    response = client.post(
        reverse("operator_payouts"),
        {
            "action": "fund",
            "organization": owner.organization.slug,
            "amount": "-5",
            "reference": "wire",
            "idempotency_key": "f1",
        },
    )

    assert response.status_code == 400
    assert response.context["funding_form"].errors == {
        "amount": ["The amount must be greater than zero."]
    }
    assert not LedgerTransaction.objects.exists()


def test_starting_an_underfunded_project_from_its_page_says_how_much_is_missing(client, owner):
    project = public_project(owner, items=2, price="1.00", fund=False, start=False)
    client.force_login(owner.user)

    response = client.post(
        reverse("project_start_page", args=[owner.organization.slug, project.pk]), follow=True
    )

    shown = [str(message) for message in response.context["messages"]]
    assert shown == [
        "Insufficient funds: starting this project reserves 2.4000 USD; 2.4000 USD more is needed."
    ]
    project.refresh_from_db()
    assert project.status == "draft"
