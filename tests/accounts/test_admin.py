import pytest

from apps.accounts import services
from apps.accounts.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_admin_lists_every_model_across_organizations(client):
    owner = MembershipFactory()
    services.invitation_create(
        organization=owner.organization,
        email="x@example.com",
        role=Role.WORKER,
        actor=owner.user,
        actor_role=Role.OWNER,
    )
    services.api_credential_create(
        organization=owner.organization,
        name="etl",
        role=Role.ADMIN,
        actor=owner.user,
        actor_role=Role.OWNER,
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for model in ["user", "organization", "invitation", "apicredential"]:
        assert client.get(f"/admin/accounts/{model}/").status_code == 200
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert b"x@example.com" in client.get("/admin/accounts/invitation/").content


def test_admin_is_closed_to_non_staff(client):
    client.force_login(UserFactory())

    assert client.get("/admin/accounts/user/").status_code == 302
