import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.models import ApiCredential, Role
from apps.core.crypto import decrypt
from tests.factories import MembershipFactory, api_credential
from tests.tenancy import assert_other_organization_gets_404

pytestmark = pytest.mark.django_db


def credentials_url(organization) -> str:
    return reverse("credential-list", kwargs={"org_slug": organization.slug})


def credential_url(credential) -> str:
    return reverse(
        "credential-detail",
        kwargs={"org_slug": credential.organization.slug, "credential_id": credential.id},
    )


def members_url(organization) -> str:
    return reverse("membership-list", kwargs={"org_slug": organization.slug})


def test_create_returns_the_secret_once_and_stores_it_encrypted(owner_client, owner):
    response = owner_client.post(
        credentials_url(owner.organization),
        {"name": "pipeline", "role": "requester"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    secret = body["secret_access_key"]
    assert len(secret) == 40
    assert body["access_key_id"].startswith("GWAK") and len(body["access_key_id"]) == 20
    assert body["bearer_token"] == f"{body['access_key_id']}:{secret}"
    stored = ApiCredential.objects.get(access_key_id=body["access_key_id"])
    assert (stored.role, stored.created_by) == (Role.REQUESTER, owner.user)
    assert secret not in stored.secret_encrypted
    assert decrypt(stored.secret_encrypted) == secret

    listed = owner_client.get(credentials_url(owner.organization)).json()["results"]
    detail = owner_client.get(credential_url(stored)).json()
    assert [row["access_key_id"] for row in listed] == [body["access_key_id"]]
    assert "secret_access_key" not in listed[0] and "secret_access_key" not in detail


def test_create_without_a_name_names_the_field(owner_client, owner):
    response = owner_client.post(credentials_url(owner.organization), {"name": ""}, format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {"name": ["This field may not be blank."]}
    assert not ApiCredential.objects.exists()


def test_bearer_token_authenticates_with_the_credential_role(owner):
    credential, bearer = api_credential(owner, role=Role.REQUESTER)
    client = APIClient(HTTP_AUTHORIZATION=bearer)

    members = client.get(members_url(owner.organization))
    credentials = client.get(credentials_url(owner.organization))

    assert members.status_code == 200  # requesters may view members
    assert credentials.status_code == 403  # but not manage credentials
    credential.refresh_from_db()
    assert credential.last_used_at is not None


def test_revoked_credential_is_refused(owner_client, owner):
    credential, bearer = api_credential(owner)

    revoke = owner_client.delete(credential_url(credential))
    response = APIClient(HTTP_AUTHORIZATION=bearer).get(members_url(owner.organization))

    assert revoke.status_code == 200 and revoke.json()["revoked_at"] is not None
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize(
    "header",
    ["Bearer GWAKNOPE:secret", "Bearer only-one-part", "Bearer :", "Bearer "],
)
def test_bad_bearer_tokens_get_401(owner, header):
    api_credential(owner)

    response = APIClient(HTTP_AUTHORIZATION=header).get(members_url(owner.organization))

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_wrong_secret_gets_401(owner):
    credential, _ = api_credential(owner)
    header = f"Bearer {credential.access_key_id}:{'x' * 40}"

    response = APIClient(HTTP_AUTHORIZATION=header).get(members_url(owner.organization))

    assert response.status_code == 401


def test_credential_cannot_reach_another_organization_it_has_members_in(owner):
    """The creator belongs to both, but the credential acts in its own organization only."""
    elsewhere = MembershipFactory(user=owner.user, role=Role.OWNER)
    _, bearer = api_credential(owner)

    response = APIClient(HTTP_AUTHORIZATION=bearer).get(members_url(elsewhere.organization))

    assert response.status_code == 404


def test_credential_cannot_create_organizations(owner):
    _, bearer = api_credential(owner)

    response = APIClient(HTTP_AUTHORIZATION=bearer).post(
        reverse("organization-create"), {"name": "Sneaky"}, format="json"
    )

    assert response.status_code == 403


def test_admin_cannot_mint_an_owner_credential(api_client, owner):
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
    api_client.force_authenticate(admin.user)

    response = api_client.post(
        credentials_url(owner.organization), {"name": "x", "role": "owner"}, format="json"
    )

    assert response.status_code == 403
    assert not ApiCredential.objects.exists()


def test_credentials_return_404_to_another_organization(owner):
    credential, _ = api_credential(owner)

    assert_other_organization_gets_404(credentials_url(owner.organization))
    assert_other_organization_gets_404(
        credentials_url(owner.organization),
        method="post",
        data={"name": "x"},
        unchanged=[ApiCredential.objects.filter(organization=owner.organization)],
    )
    assert_other_organization_gets_404(credential_url(credential))
    assert_other_organization_gets_404(
        credential_url(credential),
        method="delete",
        unchanged=[ApiCredential.objects.filter(organization=owner.organization)],
    )
