import http.server
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from allauth.account.signals import user_logged_in
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.test import RequestFactory

from apps.accounts.models import Membership, Role
from apps.workforces import services
from apps.workforces.models import OidcIdentity, WorkteamMember
from apps.workforces.selectors import workteams_for_worker
from tests.factories import MembershipFactory, UserFactory
from tests.workforces.helpers import private_team, worker_of

pytestmark = pytest.mark.django_db

ISSUER = "https://93.184.216.34/realms/acme"


def configure(owner, **kwargs):
    return services.oidc_config_set(
        organization=owner.organization,
        actor=owner.user,
        issuer=ISSUER,
        client_id="groundwork",
        client_secret="s3cret",
        **kwargs,
    )


def sign_in(config, user, *, groups, subject="sub-1", where="userinfo"):
    """What allauth does after a successful OIDC login: send user_logged_in with the login."""
    account = SocialAccount(
        provider=config.provider_id,
        uid=subject,
        extra_data={where: {"sub": subject, "groups": groups}},
    )
    login = SocialLogin(user=user, account=account)
    request = RequestFactory().get("/")
    user_logged_in.send(sender=user.__class__, request=request, user=user, sociallogin=login)


def test_the_organizations_provider_is_built_from_its_config(owner):
    config = configure(owner, scope="openid email groups", extra_params={"prompt": "login"})

    apps = get_adapter().list_apps(None, provider=config.provider_id)

    assert len(apps) == 1
    app = apps[0]
    assert (app.provider, app.provider_id, app.client_id, app.secret) == (
        "openid_connect",
        f"org-{owner.organization.pk}",
        "groundwork",
        "s3cret",
    )
    assert app.settings["server_url"] == ISSUER
    assert app.settings["scope"] == ["openid", "email", "groups"]
    assert app.settings["auth_params"] == {"prompt": "login"}
    assert app.pk is None  # never saved: the secret stays encrypted at rest


def test_allauth_resolves_the_provider_and_its_login_url(owner):
    config = configure(owner)

    provider = get_adapter().get_provider(RequestFactory().get("/"), config.provider_id)

    assert provider.id == "openid_connect"
    assert provider.get_login_url(None) == f"/accounts/oidc/{config.provider_id}/login/"
    assert provider.server_url == f"{ISSUER}/.well-known/openid-configuration"


def test_organization_providers_are_not_listed_to_everyone(owner):
    configure(owner)

    assert get_adapter().list_apps(None) == []
    assert get_adapter().list_apps(None, provider="openid_connect") == []


@pytest.mark.parametrize("provider_id", ["org-999999", "org-abc", "org-", "google"])
def test_unknown_provider_ids_give_no_app(owner, provider_id):
    configure(owner)

    assert get_adapter().list_apps(None, provider=provider_id) == []


def test_disabled_config_or_other_client_id_gives_no_app(owner):
    config = configure(owner)

    assert get_adapter().list_apps(None, provider=config.provider_id, client_id="other") == []
    configure(owner, is_enabled=False)
    assert get_adapter().list_apps(None, provider=config.provider_id) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/.well-known/openid-configuration",
        "https://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/token",
    ],
)
def test_requests_to_the_idp_refuse_internal_addresses(url):
    with (
        get_adapter().get_requests_session() as session,
        pytest.raises(requests.exceptions.ConnectionError, match="internal"),
    ):
        session.get(url, timeout=1)


class EchoHost(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        body = self.headers["Host"].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_requests_to_the_idp_connect_to_the_checked_address_not_a_new_dns_answer(
    settings, monkeypatch
):
    """DNS rebinding: the name answers a public address when checked, an internal one
    later. The connection must go to the checked address, with the name as Host."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    server = http.server.HTTPServer(("127.0.0.1", 0), EchoHost)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def rebinding_dns(host, port, *args, **kwargs):
        if host != "idp.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        lookups.append(host)
        answer = "127.0.0.1" if len(lookups) == 1 else "10.255.255.1"
        return real_getaddrinfo(answer, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(f"http://idp.example:{server.server_port}/", timeout=5)
    finally:
        server.shutdown()
        server.server_close()

    assert response.text == f"idp.example:{server.server_port}"
    assert lookups == ["idp.example"]


def self_signed(tmp_path, name: str) -> tuple[str, str]:
    """A certificate for `name` (its own CA) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@pytest.mark.parametrize(
    ("certified_name", "accepted"), [("idp.example", True), ("evil.example", False)]
)
def test_https_to_the_idp_verifies_the_certificate_for_the_name_at_the_pinned_address(
    settings, monkeypatch, tmp_path, certified_name, accepted
):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    cert_path, key_path = self_signed(tmp_path, certified_name)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert_path)  # the operator's trust store
    server = http.server.HTTPServer(("127.0.0.1", 0), EchoHost)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *args, **kwargs: real_getaddrinfo(
            "127.0.0.1" if host == "idp.example" else host, port, *args, **kwargs
        ),
    )
    url = f"https://idp.example:{server.server_port}/"
    try:
        with get_adapter().get_requests_session() as session:
            if accepted:
                assert session.get(url, timeout=5).text == f"idp.example:{server.server_port}"
            else:
                with pytest.raises(requests.exceptions.SSLError):
                    session.get(url, timeout=5)
    finally:
        server.shutdown()
        server.server_close()


def test_sign_in_makes_a_worker_and_maps_groups_to_teams(owner):
    config = configure(owner)
    es = private_team(owner, "es", oidc_groups=["labelers-es"])
    private_team(owner, "fr", oidc_groups=["labelers-fr"])
    person = UserFactory()

    sign_in(config, person, groups=["labelers-es", "staff"])

    membership = Membership.objects.get(organization=owner.organization, user=person)
    assert membership.role == Role.WORKER
    assert list(workteams_for_worker(user=person)) == [es]
    identity = OidcIdentity.objects.get(user=person)
    assert (identity.subject, identity.groups) == ("sub-1", ["labelers-es", "staff"])


def test_groups_from_the_id_token_and_as_a_string(owner):
    config = configure(owner, groups_claim="roles")
    team = private_team(owner, oidc_groups=["b"])
    person = UserFactory()
    account = SocialAccount(
        provider=config.provider_id, uid="s", extra_data={"id_token": {"roles": "a b"}}
    )
    user_logged_in.send(
        sender=person.__class__,
        request=RequestFactory().get("/"),
        user=person,
        sociallogin=SocialLogin(user=person, account=account),
    )

    assert list(workteams_for_worker(user=person)) == [team]


def test_changed_groups_move_the_person_and_leave_manual_memberships(owner):
    config = configure(owner)
    es = private_team(owner, "es", oidc_groups=["labelers-es"])
    fr = private_team(owner, "fr", oidc_groups=["labelers-fr"])
    manual = private_team(owner, "manual")
    person = worker_of(owner.organization)
    services.workteam_member_add(workteam=manual, user=person, actor=owner.user)

    sign_in(config, person, groups=["labelers-es"])
    sign_in(config, person, groups=["labelers-fr"])

    assert set(workteams_for_worker(user=person)) == {fr, manual}
    assert es not in workteams_for_worker(user=person)
    assert WorkteamMember.objects.get(workteam=manual).source == "manual"


def test_an_existing_member_keeps_their_role(owner):
    config = configure(owner)
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)

    sign_in(config, admin.user, groups=[])

    assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN


def test_changing_a_teams_groups_resyncs_from_the_last_sign_in(owner):
    config = configure(owner)
    team = private_team(owner, oidc_groups=["old"])
    person = UserFactory()
    sign_in(config, person, groups=["new"])
    assert list(workteams_for_worker(user=person)) == []

    services.workteam_update(workteam=team, oidc_groups=["new"], actor=owner.user)

    assert list(workteams_for_worker(user=person)) == [team]


def test_a_sign_in_elsewhere_changes_nothing_here(owner):
    configure(owner)
    person = UserFactory()
    account = SocialAccount(provider="google", uid="x", extra_data={})
    user_logged_in.send(
        sender=person.__class__,
        request=RequestFactory().get("/"),
        user=person,
        sociallogin=SocialLogin(user=person, account=account),
    )

    assert not Membership.objects.filter(user=person).exists()
