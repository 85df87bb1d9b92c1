import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.core.crypto import decrypt
from apps.core.models import AuditEvent
from apps.workforces.models import OidcConfig, Workforce
from tests.factories import MembershipFactory
from tests.tenancy import assert_other_organization_gets_404

pytestmark = pytest.mark.django_db

PUBLIC_ISSUER = "https://93.184.216.34/realms/acme"  # a literal public address: no DNS


def workforce_url(organization) -> str:
    return reverse("workforce", kwargs={"org_slug": organization.slug})


def oidc_url(organization) -> str:
    return reverse("workforce-oidc", kwargs={"org_slug": organization.slug})


def test_workforce_is_created_on_first_read(owner_client, owner):
    response = owner_client.get(workforce_url(owner.organization))

    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["kind"], body["source_cidrs"]) == ("default", "private", [])
    assert Workforce.objects.filter(organization=owner.organization).count() == 1


def test_set_source_cidrs_normalizes_ipv4_and_ipv6(owner_client, owner):
    response = owner_client.patch(
        workforce_url(owner.organization),
        {"source_cidrs": ["203.0.113.7/24", "2001:DB8::/32", "203.0.113.0/24"]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["source_cidrs"] == ["203.0.113.0/24", "2001:db8::/32"]
    assert AuditEvent.objects.filter(action="workforce.source_cidrs_changed").count() == 1


@pytest.mark.parametrize(
    "cidrs",
    [
        ["300.1.2.3/24"],
        ["10.0.0.0/33"],
        ["2001:db8::/129"],
        ["not a cidr"],
        ["10.0.0.1"],  # no prefix length
        [f"10.{n}.0.0/16" for n in range(11)],  # 11 ranges
    ],
)
def test_invalid_or_too_many_cidrs_are_refused_and_nothing_changes(owner_client, owner, cidrs):
    owner_client.patch(
        workforce_url(owner.organization), {"source_cidrs": ["198.51.100.0/24"]}, format="json"
    )

    response = owner_client.patch(
        workforce_url(owner.organization), {"source_cidrs": cidrs}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "source_cidrs" in response.json()["details"]
    assert Workforce.objects.get(organization=owner.organization).source_cidrs == [
        "198.51.100.0/24"
    ]


def test_ten_ranges_are_accepted(owner_client, owner):
    cidrs = [f"10.{n}.0.0/16" for n in range(10)]

    response = owner_client.patch(
        workforce_url(owner.organization), {"source_cidrs": cidrs}, format="json"
    )

    assert response.status_code == 200
    assert len(response.json()["source_cidrs"]) == 10


def test_requester_sees_the_workforce_but_cannot_change_its_ranges(api_client, owner):
    requester = MembershipFactory(organization=owner.organization, role=Role.REQUESTER)
    api_client.force_authenticate(requester.user)

    assert api_client.get(workforce_url(owner.organization)).status_code == 200
    response = api_client.patch(
        workforce_url(owner.organization), {"source_cidrs": ["10.0.0.0/8"]}, format="json"
    )

    assert response.status_code == 403
    assert Workforce.objects.get(organization=owner.organization).source_cidrs == []


def test_worker_cannot_read_the_workforce_settings(api_client, owner):
    worker = MembershipFactory(organization=owner.organization, role=Role.WORKER)
    api_client.force_authenticate(worker.user)

    assert api_client.get(workforce_url(owner.organization)).status_code == 403


def test_workforce_returns_404_to_another_organization(owner):
    assert_other_organization_gets_404(workforce_url(owner.organization))
    assert_other_organization_gets_404(
        workforce_url(owner.organization),
        method="patch",
        data={"source_cidrs": ["0.0.0.0/0"]},
        unchanged=[Workforce.objects.all()],
    )


def oidc_payload(**overrides) -> dict:
    return {
        "issuer": PUBLIC_ISSUER,
        "client_id": "groundwork",
        "client_secret": "s3cret-value",
        "groups_claim": "groups",
        **overrides,
    }


def test_oidc_config_is_saved_with_the_secret_encrypted_and_never_returned(owner_client, owner):
    response = owner_client.put(oidc_url(owner.organization), oidc_payload(), format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["issuer"] == PUBLIC_ISSUER
    assert "client_secret" not in body and "s3cret-value" not in response.content.decode()
    config = OidcConfig.objects.get(organization=owner.organization)
    assert config.client_secret_encrypted != "s3cret-value"
    assert decrypt(config.client_secret_encrypted) == "s3cret-value"
    assert body["callback_path"] == f"/accounts/oidc/org-{owner.organization.pk}/login/callback/"


def test_oidc_update_without_a_secret_keeps_the_stored_one(owner_client, owner):
    owner_client.put(oidc_url(owner.organization), oidc_payload(), format="json")

    response = owner_client.put(
        oidc_url(owner.organization),
        oidc_payload(client_secret="", client_id="renamed"),
        format="json",
    )

    assert response.status_code == 200
    config = OidcConfig.objects.get(organization=owner.organization)
    assert (config.client_id, decrypt(config.client_secret_encrypted)) == (
        "renamed",
        "s3cret-value",
    )


@pytest.mark.parametrize(
    ("issuer", "message"),
    [
        ("http://93.184.216.34/realms/acme", "https"),
        ("https://127.0.0.1/", "internal"),
        ("https://localhost/", "internal"),
        ("https://10.0.0.8/", "internal"),
        ("https://169.254.169.254/latest/", "internal"),
        ("https://[::1]/", "internal"),
        ("ftp://93.184.216.34/", "https"),
    ],
)
def test_oidc_issuer_must_be_https_and_public(owner_client, owner, issuer, message):
    response = owner_client.put(
        oidc_url(owner.organization), oidc_payload(issuer=issuer), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["issuer"]
    assert message in response.json()["details"]["issuer"][0]
    assert not OidcConfig.objects.exists()


def test_oidc_needs_a_secret_the_first_time_and_openid_in_the_scope(owner_client, owner):
    no_secret = owner_client.put(
        oidc_url(owner.organization), oidc_payload(client_secret=""), format="json"
    )
    bad_scope = owner_client.put(
        oidc_url(owner.organization), oidc_payload(scope="email profile"), format="json"
    )

    assert (no_secret.status_code, list(no_secret.json()["details"])) == (400, ["client_secret"])
    assert (bad_scope.status_code, list(bad_scope.json()["details"])) == (400, ["scope"])
    assert not OidcConfig.objects.exists()


def test_oidc_read_is_404_until_configured_and_delete_removes_it(owner_client, owner):
    assert owner_client.get(oidc_url(owner.organization)).status_code == 404
    owner_client.put(oidc_url(owner.organization), oidc_payload(), format="json")
    assert owner_client.get(oidc_url(owner.organization)).json()["client_id"] == "groundwork"

    assert owner_client.delete(oidc_url(owner.organization)).status_code == 204
    assert not OidcConfig.objects.exists()


def test_requester_cannot_touch_oidc(api_client, owner):
    requester = MembershipFactory(organization=owner.organization, role=Role.REQUESTER)
    api_client.force_authenticate(requester.user)

    response = api_client.put(oidc_url(owner.organization), oidc_payload(), format="json")

    assert response.status_code == 403
    assert not OidcConfig.objects.exists()


def test_oidc_returns_404_to_another_organization(owner_client, owner):
    owner_client.put(oidc_url(owner.organization), oidc_payload(), format="json")

    assert_other_organization_gets_404(oidc_url(owner.organization))
    assert_other_organization_gets_404(
        oidc_url(owner.organization),
        method="put",
        data=oidc_payload(client_id="hijack"),
        unchanged=[OidcConfig.objects.all()],
    )
    assert_other_organization_gets_404(
        oidc_url(owner.organization), method="delete", unchanged=[OidcConfig.objects.all()]
    )
