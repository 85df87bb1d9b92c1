"""The whole OIDC sign-in through django-allauth against an identity provider served on
127.0.0.1 by this test: discovery, authorization redirect (with PKCE), token exchange,
userinfo, then our group mapping. The IdP here speaks plain http, so its config row is
written directly (the service refuses http issuers); TLS to an IdP, verified for its name
at the pinned address, is tested in test_oidc.py. id_token signatures are not checked:
allauth skips them when the token comes straight from the token endpoint over TLS, as OIDC
Core (3.1.3.7) allows."""

import http.server
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from apps.accounts.models import Membership, Role, User
from apps.core.crypto import encrypt
from apps.workforces.models import OidcConfig, OidcIdentity
from apps.workforces.selectors import workteams_for_worker
from tests.workforces.helpers import private_team

pytestmark = pytest.mark.django_db


class IdentityProvider(http.server.BaseHTTPRequestHandler):
    base = ""
    token_requests: list[dict] = []
    userinfo: dict = {}

    def _json(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path == "/.well-known/openid-configuration":
            self._json(
                {
                    "issuer": self.base,
                    "authorization_endpoint": f"{self.base}/authorize",
                    "token_endpoint": f"{self.base}/token",
                    "userinfo_endpoint": f"{self.base}/userinfo",
                    "jwks_uri": f"{self.base}/jwks",
                    "token_endpoint_auth_methods_supported": ["client_secret_post"],
                }
            )
        elif self.path == "/userinfo" and self.headers["Authorization"] == "Bearer at-1":
            self._json(type(self).userinfo)
        else:
            self.send_response(404)
            self.end_headers()

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).token_requests.append({k: v[0] for k, v in parse_qs(body).items()})
        now = int(time.time())
        claims = {
            "iss": self.base,
            "aud": "groundwork",
            "sub": "idp-42",
            "iat": now,
            "exp": now + 300,
        }
        self._json(
            {
                "access_token": "at-1",
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": jwt.encode(claims, "idp-signing-key-for-this-test-only", "HS256"),
            }
        )

    def log_message(self, *args):
        pass


@pytest.fixture
def idp(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # this test only: the IdP is local
    server = http.server.HTTPServer(("127.0.0.1", 0), IdentityProvider)
    IdentityProvider.base = f"http://127.0.0.1:{server.server_port}"
    IdentityProvider.token_requests = []
    IdentityProvider.userinfo = {
        "sub": "idp-42",
        "email": "ana@idp.example",
        "email_verified": True,
        "name": "Ana",
        "groups": ["labelers-es"],
    }
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield IdentityProvider
    server.shutdown()
    server.server_close()


def test_signing_in_through_the_organizations_idp_makes_a_worker_in_the_mapped_team(
    client, owner, idp
):
    OidcConfig.objects.create(
        organization=owner.organization,
        issuer=idp.base,
        client_id="groundwork",
        client_secret_encrypted=encrypt("s3cret"),
    )
    team = private_team(owner, "es", oidc_groups=["labelers-es"])
    private_team(owner, "fr", oidc_groups=["labelers-fr"])
    login_url = f"/accounts/oidc/org-{owner.organization.pk}/login/"

    started = client.post(login_url)
    location = urlsplit(started["Location"])
    query = parse_qs(location.query)
    finished = client.get(f"{login_url}callback/", {"code": "code-1", "state": query["state"][0]})

    assert started.status_code == 302
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{idp.base}/authorize"
    assert query["client_id"] == ["groundwork"]
    assert query["code_challenge_method"] == ["S256"]
    assert finished.status_code == 302, finished.content[:500]
    (token_request,) = idp.token_requests
    assert token_request["code"] == "code-1"
    assert token_request["client_secret"] == "s3cret"
    assert "code_verifier" in token_request
    user = User.objects.get(email="ana@idp.example")
    assert Membership.objects.get(organization=owner.organization, user=user).role == Role.WORKER
    assert list(workteams_for_worker(user=user)) == [team]
    assert OidcIdentity.objects.get(user=user).subject == "idp-42"
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_a_disabled_provider_is_404(client, owner, idp):
    OidcConfig.objects.create(
        organization=owner.organization,
        issuer=idp.base,
        client_id="groundwork",
        client_secret_encrypted=encrypt("s3cret"),
        is_enabled=False,
    )

    response = client.post(f"/accounts/oidc/org-{owner.organization.pk}/login/")

    assert response.status_code == 404
    assert idp.token_requests == []


def test_an_idp_claiming_an_existing_email_does_not_sign_into_that_account(client, owner, idp):
    OidcConfig.objects.create(
        organization=owner.organization,
        issuer=idp.base,
        client_id="groundwork",
        client_secret_encrypted=encrypt("s3cret"),
    )
    idp.userinfo = {**idp.userinfo, "email": owner.user.email}  # the owner's address
    login_url = f"/accounts/oidc/org-{owner.organization.pk}/login/"

    started = client.post(login_url)
    state = parse_qs(urlsplit(started["Location"]).query)["state"][0]
    client.get(f"{login_url}callback/", {"code": "code-1", "state": state})

    assert client.session.get("_auth_user_id") != str(owner.user.pk)
    assert not OidcIdentity.objects.exists()
