import pytest

from apps.core.errors import DomainError
from apps.workforces import services
from apps.workforces.errors import StaffOnly
from apps.workforces.models import WorkerProfile, WorkerPseudonym
from apps.workforces.selectors import anonymized_worker_id, worker_resolve
from tests.factories import UserFactory
from tests.workforces.helpers import subscribed_vendor_team, vendor_with_team, worker_of

pytestmark = pytest.mark.django_db


def test_only_staff_can_suspend(owner):
    worker = UserFactory()

    with pytest.raises(StaffOnly):
        services.worker_suspend(user=worker, reason="x", actor=owner.user)

    assert not WorkerProfile.objects.filter(user=worker, status="suspended").exists()


def test_suspension_needs_a_reason(admin_user):
    worker = UserFactory()

    with pytest.raises(DomainError, match="Say why"):
        services.worker_suspend(user=worker, reason="  ", actor=admin_user)

    assert not WorkerProfile.objects.filter(user=worker, status="suspended").exists()


def test_a_worker_added_later_to_a_routed_team_is_resolvable_by_the_subscriber(owner):
    vendor_owner, vendor_team, _ = vendor_with_team()
    subscribed_vendor_team(owner, vendor_owner, vendor_team)
    newcomer = worker_of(vendor_owner.organization)

    services.workteam_member_add(workteam=vendor_team, user=newcomer, actor=vendor_owner.user)

    worker_id = anonymized_worker_id(user=newcomer, organization=owner.organization)
    assert worker_resolve(organization=owner.organization, worker_id=worker_id) == newcomer


def test_pseudonym_record_is_idempotent(owner):
    worker = UserFactory()

    first = services.worker_pseudonym_record(user=worker, organization=owner.organization)
    second = services.worker_pseudonym_record(user=worker, organization=owner.organization)

    assert first == second
    assert WorkerPseudonym.objects.filter(user=worker).count() == 1
