"""Per-organization OpenID Connect: configuration, and what a sign-in changes."""

import re

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Membership, Organization, Role, User
from apps.accounts.services import membership_add
from apps.core.crypto import encrypt
from apps.core.errors import DomainError
from apps.core.outbound import outbound_target
from apps.core.services import audit_record
from apps.workforces.access_cache import work_access_changed
from apps.workforces.models import OidcConfig, OidcIdentity, Workforce, Workteam, WorkteamMember
from apps.workforces.services._common import UNSET
from apps.workforces.services.workers import worker_pseudonym_record
from apps.workforces.services.workforces import workforce_private_ensure

_PRINTABLE = re.compile(r"^[ -~]+$")
_SCOPE = re.compile(r"^[!#-\[\]-~]+( [!#-\[\]-~]+)*$")
MAX_GROUPS_KEPT = 100


def _check_issuer(issuer: str) -> str:
    """OidcConfig.Issuer: https only, and it must pass the outbound (SSRF) rule."""
    issuer = (issuer or "").strip().rstrip("/")
    if not issuer.lower().startswith("https://"):
        raise DomainError.on_field("issuer", "The issuer must be an https:// URL.")
    if len(issuer) > 500:
        raise DomainError.on_field("issuer", "The issuer URL has at most 500 characters.")
    outbound_target(issuer, field="issuer")
    return issuer


def _check_extra_params(params: object) -> dict[str, str]:
    if not isinstance(params, dict) or len(params) > 10:
        raise DomainError.on_field(
            "extra_params", "Give at most 10 extra authentication parameters."
        )
    for key, value in params.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise DomainError.on_field("extra_params", "Extra parameters map names to text.")
        if len(key) > 512 or len(value) > 512:
            raise DomainError.on_field(
                "extra_params", "Extra parameter names and values have at most 512 characters."
            )
    return dict(params)


@transaction.atomic
def oidc_config_set(
    *,
    organization: Organization,
    actor: User,
    issuer: str,
    client_id: str,
    client_secret: str = "",
    scope: str = "openid email profile",
    groups_claim: str = "groups",
    extra_params: object = UNSET,
    is_enabled: bool = True,
) -> OidcConfig:
    """Create or replace the organization's IdP; an empty secret keeps the stored one."""
    issuer = _check_issuer(issuer)
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > 1024 or not _PRINTABLE.match(client_id):
        raise DomainError.on_field("client_id", "The client id is 1-1024 printable characters.")
    client_secret = (client_secret or "").strip()
    if client_secret and (len(client_secret) > 1024 or not _PRINTABLE.match(client_secret)):
        raise DomainError.on_field(
            "client_secret", "The client secret is 1-1024 printable characters."
        )
    scope = " ".join((scope or "").split())
    if not _SCOPE.match(scope) or "openid" not in scope.split():
        raise DomainError.on_field("scope", "Scopes are space-separated and must include openid.")
    groups_claim = (groups_claim or "").strip()
    if not groups_claim or len(groups_claim) > 100:
        raise DomainError.on_field(
            "groups_claim", "Name the claim that lists a person's groups, e.g. groups."
        )
    existing = OidcConfig.objects.select_for_update().filter(organization=organization).first()
    if not client_secret and existing is None:
        raise DomainError.on_field("client_secret", "Give the client secret.")
    workforce_private_ensure(organization=organization)
    config = existing or OidcConfig(organization=organization)
    config.issuer, config.client_id, config.scope = issuer, client_id, scope
    config.groups_claim, config.is_enabled = groups_claim, is_enabled
    if extra_params is not UNSET:
        config.extra_params = _check_extra_params(extra_params)
    if client_secret:
        config.client_secret_encrypted = encrypt(client_secret)
    config.save()
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="oidc_config.saved",
        target=config,
        issuer=issuer,
        client_id=client_id,
        secret_changed=bool(client_secret),
    )
    return config


@transaction.atomic
def oidc_config_delete(*, config: OidcConfig, actor: User) -> None:
    audit_record(
        organization_id=config.organization_id,
        actor=actor,
        action="oidc_config.deleted",
        target=config,
        issuer=config.issuer,
    )
    config.delete()


def groups_from_claims(claims: dict, claim: str) -> list[str]:
    """IdPs send groups as a list, or as one string (space- or comma-separated)."""
    value = claims.get(claim, [])
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list):
        return []
    return sorted({str(group).strip() for group in value if str(group).strip()})[:MAX_GROUPS_KEPT]


@transaction.atomic
def oidc_sign_in_record(
    *, organization: Organization, user: User, subject: str, groups: list[str]
) -> OidcIdentity:
    """After a sign-in through `organization`'s IdP: make the person a worker there if they
    are not a member yet, remember their groups, and put them in exactly the private teams
    whose IdP groups they are in (manual memberships are left alone)."""
    if not Membership.objects.filter(organization=organization, user=user).exists():
        membership_add(organization=organization, user=user, role=Role.WORKER, actor=user)
    identity, _ = OidcIdentity.objects.update_or_create(
        organization=organization,
        user=user,
        defaults={"subject": subject, "groups": groups, "last_sign_in_at": timezone.now()},
    )
    wanted = {
        team.pk
        for team in Workteam.objects.filter(
            organization=organization,
            workforce__kind=Workforce.Kind.PRIVATE,
            subscription__isnull=True,
        )
        if set(team.oidc_groups) & set(groups)
    }
    oidc_memberships = WorkteamMember.objects.filter(
        organization=organization, user=user, source=WorkteamMember.Source.OIDC
    )
    oidc_memberships.exclude(workteam_id__in=wanted).delete()
    WorkteamMember.objects.bulk_create(
        [
            WorkteamMember(
                organization=organization,
                workteam_id=team_id,
                user=user,
                source=WorkteamMember.Source.OIDC,
            )
            for team_id in wanted
        ],
        ignore_conflicts=True,
    )
    work_access_changed()
    worker_pseudonym_record(user=user, organization=organization)
    return identity
