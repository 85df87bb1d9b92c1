import pytest
from django_scopes import ScopeError, scope

from apps.accounts.models import Invitation
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_tenant_queries_outside_an_organization_scope_fail_closed():
    with scope(), pytest.raises(ScopeError):
        list(Invitation.objects.all())


def test_tenant_queries_inside_a_scope_see_only_that_organization():
    from apps.accounts import services

    first, second = MembershipFactory(), MembershipFactory()
    for membership in (first, second):
        services.invitation_create(
            organization=membership.organization,
            email="x@example.com",
            role="worker",
            actor=membership.user,
            actor_role="owner",
        )

    with scope(organization=first.organization_id):
        assert [i.organization_id for i in Invitation.objects.all()] == [first.organization_id]
