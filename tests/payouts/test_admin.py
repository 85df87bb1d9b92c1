import pytest

from apps.payouts.models import LedgerEntry, LedgerTransaction
from tests.factories import UserFactory
from tests.payouts.helpers import fund

pytestmark = pytest.mark.django_db


def test_the_admin_shows_the_ledger_read_only(client, owner):
    transaction = fund(owner.organization, "5.00")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for model in ["account", "ledgertransaction", "ledgerentry", "payout", "payoutbatch"]:
        assert client.get(f"/admin/payouts/{model}/").status_code == 200
    detail = client.get(f"/admin/payouts/ledgertransaction/{transaction.pk}/change/")
    assert detail.status_code == 200
    assert b"bank transfer" in detail.content
    assert client.get("/admin/payouts/ledgertransaction/add/").status_code == 403
    deleted = client.post(
        f"/admin/payouts/ledgertransaction/{transaction.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert LedgerTransaction.objects.count() == LedgerEntry.objects.count() == 1
