from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.payouts import services
from apps.payouts.models import LedgerTransaction, Payout
from apps.tasks import services as task_services
from tests.factories import MembershipFactory
from tests.payouts.helpers import balance, fund, operator, public_project, submitted
from tests.tenancy import assert_other_organization_gets_404
from tests.work import answer, text_project
from tests.workforces.helpers import public_worker, subscribed_vendor_team, vendor_with_team

pytestmark = pytest.mark.django_db

MONTH = timezone.now().strftime("%Y-%m")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def earned(owner, price="2.00"):
    project = public_project(owner, items=2, price=price)
    worker = public_worker()
    assignment = submitted(project, worker)
    services.assignment_earning_post(assignment=assignment, idempotency_key="approve")
    return project, worker, assignment


def vendor_earned(owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team("Acme Labeling")
    team, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team)
    project, _ = text_project(
        owner, items=2, workers=0, workteam=team, price_per_task=Decimal("1.50"), name="vendored"
    )
    for _ in range(2):
        assignment = task_services.assignment_next(
            worker=vendor_worker, workteam_ids=[team.pk], project_id=project.pk
        )
        task_services.assignment_submit(
            assignment=assignment, worker=vendor_worker, answer=answer()
        )
        services.assignment_earning_post(assignment=assignment, idempotency_key="ok")
    return vendor_owner, project


# Worker


def test_worker_earnings_show_pending_available_and_per_project(owner):
    project, worker, _ = earned(owner)
    submitted(project, worker)  # a second answer, awaiting approval

    response = client_for(worker).get(reverse("work-earnings"))

    assert response.status_code == 200
    assert response.json() == {
        "currency": "USD",
        "pending": "2.0000",
        "available": "2.0000",
        "in_transit": "0.0000",
        "paid": "0.0000",
        "minimum_payout": "1.0000",
        "per_project": [
            {
                "project_id": project.pk,
                "project": "paid",
                "answers": 1,
                "earned": "2.0000",
                "bonuses": "0.0000",
            }
        ],
    }


def test_worker_history_traces_each_line_to_its_assignment(owner):
    project, worker, assignment = earned(owner)

    response = client_for(worker).get(reverse("work-earnings-history"))

    [line] = response.json()["results"]
    assert (line["reason"], line["line"], line["amount"], line["direction"]) == (
        "earning",
        "price",
        "2.0000",
        "in",
    )
    assert (line["project_id"], line["assignment_id"]) == (project.pk, assignment.pk)


def test_worker_requests_a_payout_once_per_key(owner):
    _, worker, _ = earned(owner)
    client = client_for(worker)

    first = client.post(
        reverse("work-payouts"), {"amount": "1.50", "idempotency_key": "p1"}, format="json"
    )
    again = client.post(
        reverse("work-payouts"), {"amount": "1.50", "idempotency_key": "p1"}, format="json"
    )

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "in_transit"
    assert balance(services.account_worker(user_id=worker.pk)) == Decimal("0.50")
    listed = client.get(reverse("work-payouts")).json()["results"]
    assert [row["amount"] for row in listed] == ["1.5000"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0.50", "idempotency_key": "k"}, "amount"),  # below the minimum
        ({"amount": "5.00", "idempotency_key": "k"}, "amount"),  # above the balance
        ({"amount": 1.5, "idempotency_key": "k"}, "amount"),  # a float
        ({"amount": "1.505", "idempotency_key": "k"}, "amount"),
        ({"amount": "1.50", "currency": "EUR", "idempotency_key": "k"}, "currency"),
        ({"amount": "1.50"}, "idempotency_key"),
    ],
)
def test_a_bad_payout_request_is_refused_naming_the_field(owner, body, field):
    _, worker, _ = earned(owner)

    response = client_for(worker).post(reverse("work-payouts"), body, format="json")

    assert response.status_code in (400, 409)
    assert list(response.json()["details"]) == [field]
    assert not Payout.objects.exists()
    assert balance(services.account_worker(user_id=worker.pk)) == Decimal("2.00")


def test_money_pages_need_a_signed_in_person():
    for name in ("work-earnings", "work-payouts", "work-earnings-history"):
        assert APIClient().get(reverse(name)).status_code in (401, 403)


# Requester


def test_billing_shows_balance_escrow_spend_and_fees(owner, owner_client):
    project, _, _ = earned(owner)  # 2 x 2.40 reserved, one answer paid

    response = owner_client.get(reverse("billing", args=[owner.organization.slug]))

    body = response.json()
    assert response.status_code == 200
    assert (body["available"], body["escrow_total"], body["fees_total"]) == (
        "0.0000",
        "2.4000",
        "0.4000",
    )
    assert body["escrow"] == [{"project_id": project.pk, "project": "paid", "balance": "2.4000"}]
    assert body["spend_by_month"] == [{"month": MONTH, "work": "2.0000", "fees": "0.4000"}]


def test_billing_lists_top_ups(owner, owner_client):
    fund(owner.organization, "12.00")

    response = owner_client.get(reverse("billing-top-ups", args=[owner.organization.slug]))

    [top_up] = response.json()["results"]
    assert (top_up["reason"], top_up["amount"], top_up["provider"]) == (
        "funding",
        "12.0000",
        "manual",
    )


def test_a_requester_without_billing_rights_cannot_see_billing(owner):
    requester = MembershipFactory(organization=owner.organization, role=Role.REQUESTER)

    response = client_for(requester.user).get(reverse("billing", args=[owner.organization.slug]))

    assert response.status_code == 403


def test_a_bonus_through_the_api_pays_once_per_key(owner, owner_client):
    project, worker, assignment = earned(owner)
    fund(owner.organization, "5.00")
    url = reverse("assignment-bonus", args=[owner.organization.slug, assignment.pk])
    body = {"amount": "1.00", "reason": "Careful work", "idempotency_key": "b1"}

    first = owner_client.post(url, body, format="json")
    again = owner_client.post(url, body, format="json")

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["amount"] == "1.0000"
    assert balance(services.account_worker(user_id=worker.pk)) == Decimal("3.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-1", "reason": "x", "idempotency_key": "b"}, "amount"),
        ({"amount": "0", "reason": "x", "idempotency_key": "b"}, "amount"),
        ({"amount": "0.001", "reason": "x", "idempotency_key": "b"}, "amount"),
        ({"amount": "1", "currency": "GBP", "reason": "x", "idempotency_key": "b"}, "currency"),
        ({"amount": "1", "reason": " ", "idempotency_key": "b"}, "reason"),
        ({"amount": "100", "reason": "x", "idempotency_key": "b"}, "missing"),  # > balance
    ],
)
def test_a_bad_bonus_is_refused_and_writes_nothing(owner, owner_client, body, field):
    _, _, assignment = earned(owner)
    fund(owner.organization, "5.00")
    url = reverse("assignment-bonus", args=[owner.organization.slug, assignment.pk])

    response = owner_client.post(url, body, format="json")

    assert response.status_code in (400, 409)
    assert field in response.json()["details"]
    assert not LedgerTransaction.objects.filter(reason="bonus").exists()


def test_a_bonus_for_another_organizations_assignment_is_404(owner):
    _, _, assignment = earned(owner)
    other = MembershipFactory()
    fund(other.organization, "5.00")
    url = reverse("assignment-bonus", args=[other.organization.slug, assignment.pk])

    response = client_for(other.user).post(
        url, {"amount": "1", "reason": "x", "idempotency_key": "b"}, format="json"
    )

    assert response.status_code == 404
    assert not LedgerTransaction.objects.filter(reason="bonus").exists()


def test_requester_sees_the_vendors_invoice_for_its_projects(owner, owner_client):
    vendor_owner, project = vendor_earned(owner)
    url = reverse(
        "billing-vendor-invoice",
        args=[owner.organization.slug, vendor_owner.organization_id, MONTH],
    )

    response = owner_client.get(url)
    csv_response = owner_client.get(url, {"as": "csv"})

    assert response.json()["lines"] == [
        {
            "requester": owner.organization.name,
            "project_id": project.pk,
            "project": "vendored",
            "items": 2,
            "answers": 2,
            "work": "3.0000",
            "bonuses": "0.0000",
            "amount": "3.0000",
        }
    ]
    assert response.json()["total"] == "3.0000"
    assert csv_response["Content-Type"] == "text/csv"
    assert csv_response.content.decode().splitlines()[2] == (
        f"{owner.organization.name},{project.pk},vendored,2,2,3.0000,0.0000,3.0000,USD"
    )


def test_an_invoice_month_must_be_year_dash_month(owner):
    vendor_owner, _ = vendor_earned(owner)
    url = reverse("vendor-invoice", args=[vendor_owner.organization.slug, "2026-13"])

    response = client_for(vendor_owner.user).get(url)

    assert response.status_code == 400
    assert response.json()["details"] == {"month": ["Use the form YYYY-MM."]}


# Vendor


def test_vendor_finance_shows_earnings_per_requester_and_pays_out(owner):
    vendor_owner, _ = vendor_earned(owner)
    client = client_for(vendor_owner.user)
    slug = vendor_owner.organization.slug

    finance = client.get(reverse("vendor-finance", args=[slug])).json()
    payout = client.post(
        reverse("vendor-payouts", args=[slug]),
        {"amount": "3.00", "idempotency_key": "month-end"},
        format="json",
    )
    invoice = client.get(reverse("vendor-invoice", args=[slug, MONTH])).json()

    assert finance["available"] == "3.0000"
    assert finance["per_requester"] == [
        {"requester": owner.organization.name, "answers": 2, "amount": "3.0000"}
    ]
    assert payout.status_code == 201
    assert balance(services.account_vendor(organization_id=vendor_owner.organization_id)) == 0
    assert invoice["total"] == "3.0000"


# Every organization endpoint: another organization's owner gets 404, nothing changes.


def test_organization_money_endpoints_are_404_to_other_organizations(owner):
    vendor_owner, _ = vendor_earned(owner)
    _, _, assignment = earned(owner)
    slug, vendor_slug = owner.organization.slug, vendor_owner.organization.slug
    unchanged = [LedgerTransaction.objects.all(), Payout.objects.all()]

    for url in [
        reverse("billing", args=[slug]),
        reverse("billing-top-ups", args=[slug]),
        reverse("billing-vendor-invoice", args=[slug, vendor_owner.organization_id, MONTH]),
        reverse("vendor-finance", args=[vendor_slug]),
        reverse("vendor-payouts", args=[vendor_slug]),
        reverse("vendor-invoice", args=[vendor_slug, MONTH]),
    ]:
        assert_other_organization_gets_404(url, unchanged=unchanged)
    assert_other_organization_gets_404(
        reverse("assignment-bonus", args=[slug, assignment.pk]),
        method="post",
        data={"amount": "1", "reason": "x", "idempotency_key": "b"},
        unchanged=unchanged,
    )
    assert_other_organization_gets_404(
        reverse("vendor-payouts", args=[vendor_slug]),
        method="post",
        data={"amount": "1", "idempotency_key": "b"},
        unchanged=unchanged,
    )


def test_a_requester_cannot_read_an_invoice_of_a_vendor_it_never_used(owner, owner_client):
    vendor_owner, _ = vendor_earned(MembershipFactory())  # another requester's vendor
    url = reverse(
        "billing-vendor-invoice",
        args=[owner.organization.slug, vendor_owner.organization_id, MONTH],
    )

    assert owner_client.get(url).status_code == 404


# Operator


def test_operator_endpoints_do_not_exist_for_anyone_but_staff(owner, owner_client):
    _, worker, _ = earned(owner)
    payout = services.payout_request(
        account=services.account_worker(user_id=worker.pk),
        amount="1.00",
        idempotency_key="p",
        actor=worker,
    )
    unchanged = [LedgerTransaction.objects.all(), Payout.objects.all()]
    before = [list(queryset.order_by("pk").values()) for queryset in unchanged]

    for method, url in [
        ("get", reverse("operator-payouts")),
        ("get", reverse("operator-reconciliation")),
        ("post", reverse("operator-payouts-export")),
        ("post", reverse("operator-payout-settle", args=[payout.pk])),
        ("post", reverse("operator-fundings")),
    ]:
        response = getattr(owner_client, method)(url, {}, format="json")
        assert response.status_code == 404, url

    assert [list(queryset.order_by("pk").values()) for queryset in unchanged] == before


def test_operator_records_funding_exports_and_settles_payouts(owner):
    _, worker, _ = earned(owner)
    payout = services.payout_request(
        account=services.account_worker(user_id=worker.pk),
        amount="2.00",
        idempotency_key="p",
        actor=worker,
    )
    staff = client_for(operator())

    funding = staff.post(
        reverse("operator-fundings"),
        {
            "organization": owner.organization.slug,
            "amount": "100.00",
            "reference": "SEPA 2026-11-28 #4411",
            "idempotency_key": "wire-4411",
        },
        format="json",
    )
    pending = staff.get(reverse("operator-payouts")).json()["results"]
    exported = staff.post(reverse("operator-payouts-export"))
    settled = staff.post(
        reverse("operator-payout-settle", args=[payout.pk]), {"reference": "b-1"}, format="json"
    )
    report = staff.get(reverse("operator-reconciliation")).json()

    assert funding.status_code == 201
    assert funding.json()["amount"] == "100.0000"
    assert [row["id"] for row in pending] == [payout.pk]
    assert exported.content.decode().splitlines()[1].startswith(f"{payout.pk},worker,")
    assert settled.json()["status"] == "paid"
    assert report["is_balanced"] is True
    assert report["sum_of_balances"] == "0.0000"
    assert report["balances_by_kind"]["external"] == "-102.8000"  # 4.80 + 100.00 in, 2.00 out


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "5", "reference": "r", "idempotency_key": "k"}, "organization"),
        (
            {"organization": "nope", "amount": "5", "reference": "r", "idempotency_key": "k"},
            "organization",
        ),
        (
            {"organization": "ORG", "amount": "-5", "reference": "r", "idempotency_key": "k"},
            "amount",
        ),
        (
            {"organization": "ORG", "amount": "5", "reference": "", "idempotency_key": "k"},
            "reference",
        ),
    ],
)
def test_bad_funding_is_refused_naming_the_field(owner, body, field):
    body = {
        key: owner.organization.slug if value == "ORG" else value for key, value in body.items()
    }

    response = client_for(operator()).post(reverse("operator-fundings"), body, format="json")

    assert response.status_code == 400
    assert list(response.json()["details"]) == [field]
    assert not LedgerTransaction.objects.exists()


def test_a_failed_payout_through_the_api_returns_the_money(owner):
    _, worker, _ = earned(owner)
    payout = services.payout_request(
        account=services.account_worker(user_id=worker.pk),
        amount="2.00",
        idempotency_key="p",
        actor=worker,
    )

    response = client_for(operator()).post(
        reverse("operator-payout-settle", args=[payout.pk]),
        {"failed": True, "reason": "IBAN closed"},
        format="json",
    )

    assert response.json()["status"] == "failed"
    assert balance(services.account_worker(user_id=worker.pk)) == Decimal("2.00")


def test_unknown_payout_ids_are_404_to_staff_too():
    response = client_for(operator()).post(
        reverse("operator-payout-settle", args=[999999]), {}, format="json"
    )

    assert response.status_code == 404
