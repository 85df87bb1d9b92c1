"""Sign-in through an organization's own OpenID Connect provider (django-allauth).

Each enabled `OidcConfig` is served to allauth's `openid_connect` provider as an app with
provider id `org-<organization id>`: people sign in at `/accounts/oidc/org-<id>/login/`,
and the IdP redirects back to `/accounts/oidc/org-<id>/login/callback/` (the redirect URI
to register at the IdP). The apps are built on the fly, so the client secret stays
encrypted at rest; they are never listed on the generic login page, so one tenant's IdP
is not shown to everyone.

Requests allauth makes to the IdP (discovery, token, userinfo, JWKS) go through a
requests session that refuses internal addresses (the outbound rule), checked for every
request, not only when the issuer was saved.

After a sign-in through such an app, `user_logged_in` (allauth's signal: the one hook
after the user is saved) records the person's groups and team memberships.
"""

import logging

import requests
from allauth.account.signals import user_logged_in
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.dispatch import receiver
from django_scopes import scope

from apps.core.crypto import InvalidToken, decrypt
from apps.core.outbound import OutboundUrlRefused, outbound_target
from apps.workforces.models import OidcConfig

logger = logging.getLogger(__name__)

PROVIDER = "openid_connect"
PROVIDER_ID_PREFIX = "org-"


def oidc_config_for_provider_id(provider_id: str | None) -> OidcConfig | None:
    """The enabled config behind `org-<organization id>`, or None."""
    if not provider_id or not provider_id.startswith(PROVIDER_ID_PREFIX):
        return None
    organization_id = provider_id.removeprefix(PROVIDER_ID_PREFIX)
    if not organization_id.isdigit():
        return None
    return (
        OidcConfig.global_objects.filter(organization_id=int(organization_id), is_enabled=True)
        .select_related("organization")
        .first()
    )


def social_app_for(config: OidcConfig) -> SocialApp | None:
    """An unsaved allauth app for `config`; None if its secret cannot be decrypted."""
    try:
        secret = decrypt(config.client_secret_encrypted)
    except InvalidToken:
        logger.error("OIDC secret of organization %s cannot be decrypted", config.organization_id)
        return None
    return SocialApp(
        provider=PROVIDER,
        provider_id=config.provider_id,
        name=config.organization.name,
        client_id=config.client_id,
        secret=secret,
        settings={
            "server_url": config.issuer,
            "oauth_pkce_enabled": True,
            "fetch_userinfo": True,
            "scope": config.scope.split(),
            "auth_params": config.extra_params,
        },
    )


class OutboundGuardAdapter(requests.adapters.HTTPAdapter):
    """Applies the outbound rule (apps.core.outbound) to every request allauth makes to an
    IdP: a host resolving to an internal address is refused, and the connection goes to
    the address that was checked (TLS still verified for the host name), so a second DNS
    answer (rebinding) can never redirect it."""

    def send(self, request, *args, **kwargs):
        try:
            request.outbound_target = outbound_target(request.url, field="issuer")
        except OutboundUrlRefused as error:
            raise requests.exceptions.ConnectionError(f"Refused: {error}") from None
        target = request.outbound_target
        default_port = {"http": 80, "https": 443}[target.scheme]
        request.headers["Host"] = (
            target.host if target.port == default_port else f"{target.host}:{target.port}"
        )
        return super().send(request, *args, **kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        target = request.outbound_target
        host_params["host"] = target.address
        if target.scheme == "https":
            pool_kwargs["server_hostname"] = target.host
            pool_kwargs["assert_hostname"] = target.host
        return host_params, pool_kwargs


class OrganizationOidcAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        config = oidc_config_for_provider_id(provider)
        if config is not None and (client_id is None or client_id == config.client_id):
            app = social_app_for(config)
            if app is not None:
                apps.append(app)
        return apps

    def get_requests_session(self) -> requests.Session:
        session = super().get_requests_session()
        guard = OutboundGuardAdapter()
        session.mount("https://", guard)
        session.mount("http://", guard)
        return session


def claims_of(sociallogin) -> dict:
    data = sociallogin.account.extra_data or {}
    return data.get("userinfo") or data.get("id_token") or data


@receiver(user_logged_in)
def record_organization_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    if sociallogin is None:
        return
    config = oidc_config_for_provider_id(sociallogin.account.provider)
    if config is None:
        return
    from apps.workforces.services import groups_from_claims, oidc_sign_in_record

    claims = claims_of(sociallogin)
    with scope(organization=config.organization_id):
        oidc_sign_in_record(
            organization=config.organization,
            user=user,
            subject=str(sociallogin.account.uid),
            groups=groups_from_claims(claims, config.groups_claim),
        )
