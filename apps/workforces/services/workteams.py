"""Workteams: create, change, delete; private members; IdP group membership."""

import re

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from apps.accounts.models import Membership, Organization, User
from apps.core.crypto import encrypt
from apps.core.errors import Conflict, DomainError
from apps.core.outbound import outbound_target
from apps.core.services import audit_record
from apps.workforces.access_cache import work_access_changed
from apps.workforces.errors import NameTaken, NotAVendor, SubscriptionNotActive
from apps.workforces.models import (
    MAX_OIDC_GROUPS,
    WORKTEAM_NAME_PATTERN,
    OidcIdentity,
    Qualification,
    VendorSubscription,
    Workforce,
    Workteam,
    WorkteamMember,
    WorkteamRequirement,
)
from apps.workforces.selectors import WORK_ROLES
from apps.workforces.services._common import UNSET
from apps.workforces.services.workers import worker_pseudonym_record
from apps.workforces.services.workforces import (
    workforce_private_ensure,
    workforce_public_ensure,
    workforce_vendor_ensure,
)

WEBHOOK_SECRET_MIN_LENGTH = 16
_OIDC_GROUP = re.compile(r"^\S{1,63}$")


class Kind:
    PRIVATE = "private"
    PUBLIC = "public"
    VENDOR = "vendor"


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not re.match(WORKTEAM_NAME_PATTERN, name):
        raise DomainError.on_field(
            "name",
            "A team name has 1-63 letters, digits and hyphens, starting and ending with a "
            "letter or digit.",
        )
    return name


def _check_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 200:
        raise DomainError.on_field("description", "A description has at most 200 characters.")
    return description


def _check_oidc_groups(groups: object) -> list[str]:
    if not isinstance(groups, list | tuple) or len(groups) > MAX_OIDC_GROUPS:
        raise DomainError.on_field(
            "oidc_groups", f"Give at most {MAX_OIDC_GROUPS} IdP group names."
        )
    cleaned = []
    for group in groups:
        if not isinstance(group, str) or not _OIDC_GROUP.match(group.strip()):
            raise DomainError.on_field(
                "oidc_groups", f"{group!r} is not a group name (1-63 non-space characters)."
            )
        if group.strip() not in cleaned:
            cleaned.append(group.strip())
    return cleaned


def _check_qualifications(organization: Organization, ids: object) -> list[Qualification]:
    if not isinstance(ids, list | tuple) or not all(isinstance(i, int) for i in ids):
        raise DomainError.on_field("qualification_ids", "Give a list of qualification ids.")
    found = list(Qualification.objects.filter(organization=organization, id__in=ids))
    if len(found) != len(set(ids)):
        raise DomainError.on_field("qualification_ids", "Unknown qualification id.")
    return found


def _check_webhook(url: str, secret: str, has_secret: bool) -> tuple[str, str | None]:
    """The URL must pass the outbound (SSRF) rule now; it is checked again at each delivery."""
    url = (url or "").strip()
    if not url:
        return "", ""
    if len(url) > 500:
        raise DomainError.on_field("webhook_url", "A webhook URL has at most 500 characters.")
    outbound_target(url, field="webhook_url")
    secret = (secret or "").strip()
    if secret and len(secret) < WEBHOOK_SECRET_MIN_LENGTH:
        raise DomainError.on_field(
            "webhook_secret",
            f"The signing secret needs at least {WEBHOOK_SECRET_MIN_LENGTH} characters.",
        )
    if not secret and not has_secret:
        raise DomainError.on_field("webhook_secret", "Give a signing secret for the webhook.")
    return url, (encrypt(secret) if secret else None)


def _workforce_for(
    *, organization: Organization, kind: str, subscription_id: int | None
) -> tuple[Workforce, VendorSubscription | None]:
    if kind == Kind.PRIVATE:
        return workforce_private_ensure(organization=organization), None
    if kind == Kind.PUBLIC:
        return workforce_public_ensure(), None
    if kind != Kind.VENDOR:
        raise DomainError.on_field("kind", "Choose private, public or vendor.")
    if subscription_id is None:
        if not organization.is_vendor:
            raise DomainError.on_field(
                "vendor_subscription_id", "Choose an active vendor subscription."
            )
        # A vendor's own internal team, which its managers route to subscribers.
        return workforce_vendor_ensure(organization=organization), None
    subscription = VendorSubscription.objects.filter(
        organization=organization, id=subscription_id
    ).first()
    if subscription is None:
        raise DomainError.on_field("vendor_subscription_id", "Unknown vendor subscription.")
    if subscription.status != VendorSubscription.Status.ACTIVE:
        raise SubscriptionNotActive(vendor_subscription_id=[SubscriptionNotActive.message])
    try:
        vendor = subscription.vendor
        return workforce_vendor_ensure(organization=vendor), subscription
    except NotAVendor:
        raise SubscriptionNotActive(
            vendor_subscription_id=["The vendor no longer exists."]
        ) from None


@transaction.atomic
def workteam_create(
    *,
    organization: Organization,
    name: str,
    kind: str,
    actor: User,
    description: str = "",
    vendor_subscription_id: int | None = None,
    oidc_groups: list[str] | None = None,
    qualification_ids: list[int] | None = None,
    webhook_url: str = "",
    webhook_secret: str = "",
) -> Workteam:
    name = _check_name(name)
    description = _check_description(description)
    groups = _check_oidc_groups(oidc_groups or [])
    if groups and kind != Kind.PRIVATE:
        raise DomainError.on_field(
            "oidc_groups", "Only private teams take members from IdP groups."
        )
    qualifications = _check_qualifications(organization, qualification_ids or [])
    url, secret = _check_webhook(webhook_url, webhook_secret, has_secret=False)
    if Workteam.objects.filter(organization=organization, name=name).exists():
        raise NameTaken(name=[f"A team named {name!r} exists."])
    workforce, subscription = _workforce_for(
        organization=organization, kind=kind, subscription_id=vendor_subscription_id
    )
    try:
        with transaction.atomic():
            workteam = Workteam.objects.create(
                organization=organization,
                name=name,
                description=description,
                workforce=workforce,
                subscription=subscription,
                oidc_groups=groups,
                webhook_url=url,
                webhook_secret_encrypted=secret or "",
            )
    except IntegrityError:
        raise NameTaken(name=[f"A team named {name!r} exists."]) from None
    WorkteamRequirement.objects.bulk_create(
        [
            WorkteamRequirement(organization=organization, workteam=workteam, qualification=q)
            for q in qualifications
        ]
    )
    if groups:
        workteam_sync_oidc_members(workteam=workteam)
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="workteam.created",
        target=workteam,
        kind=kind,
        name=name,
    )
    return workteam


@transaction.atomic
def workteam_update(
    *,
    workteam: Workteam,
    actor: User,
    description: object = UNSET,
    oidc_groups: object = UNSET,
    qualification_ids: object = UNSET,
    webhook_url: object = UNSET,
    webhook_secret: object = UNSET,
) -> Workteam:
    """Change what is given; the name and the workforce are fixed (as in Ground Truth)."""
    workteam = Workteam.objects.select_for_update().get(pk=workteam.pk)
    organization = workteam.organization
    changed = []
    if description is not UNSET:
        workteam.description = _check_description(description)
        changed.append("description")
    if oidc_groups is not UNSET:
        groups = _check_oidc_groups(oidc_groups)
        if groups and (workteam.workforce.kind != Workforce.Kind.PRIVATE):
            raise DomainError.on_field(
                "oidc_groups", "Only private teams take members from IdP groups."
            )
        workteam.oidc_groups = groups
        changed.append("oidc_groups")
    if webhook_url is not UNSET or webhook_secret is not UNSET:
        url = workteam.webhook_url if webhook_url is UNSET else webhook_url
        secret = "" if webhook_secret is UNSET else webhook_secret
        url, encrypted = _check_webhook(
            url, secret, has_secret=bool(workteam.webhook_secret_encrypted)
        )
        workteam.webhook_url = url
        if not url:
            workteam.webhook_secret_encrypted = ""
        elif encrypted:
            workteam.webhook_secret_encrypted = encrypted
        changed += ["webhook_url", "webhook_secret_encrypted"]
    if qualification_ids is not UNSET:
        qualifications = _check_qualifications(organization, qualification_ids)
        WorkteamRequirement.objects.filter(workteam=workteam).delete()
        WorkteamRequirement.objects.bulk_create(
            [
                WorkteamRequirement(organization=organization, workteam=workteam, qualification=q)
                for q in qualifications
            ]
        )
        work_access_changed()
    workteam.save(update_fields=[*changed, "updated_at"])
    if "oidc_groups" in changed:
        workteam_sync_oidc_members(workteam=workteam)
    audit_record(
        organization_id=workteam.organization_id,
        actor=actor,
        action="workteam.updated",
        target=workteam,
        fields=sorted({*changed, *(["qualifications"] if qualification_ids is not UNSET else [])}),
    )
    return workteam


@transaction.atomic
def workteam_delete(*, workteam: Workteam, actor: User) -> None:
    audit_record(
        organization_id=workteam.organization_id,
        actor=actor,
        action="workteam.deleted",
        target=workteam,
        name=workteam.name,
    )
    try:
        with transaction.atomic():
            workteam.delete()
    except ProtectedError:
        raise Conflict("This team is still used (by a project or a vendor route).") from None


def _is_internal(workteam: Workteam) -> bool:
    return workteam.subscription_id is None and workteam.workforce.kind in (
        Workforce.Kind.PRIVATE,
        Workforce.Kind.VENDOR,
    )


@transaction.atomic
def workteam_member_add(*, workteam: Workteam, user: User, actor: User) -> WorkteamMember:
    """Add a person who works for the team's organization (a private or vendor-internal team)."""
    if not _is_internal(workteam):
        raise DomainError.on_field(
            "user_id", "Members are chosen only for private teams and a vendor's own teams."
        )
    if not Membership.objects.filter(
        organization_id=workteam.organization_id, user=user, role__in=WORK_ROLES
    ).exists():
        raise DomainError.on_field(
            "user_id", "This person is not a worker of the organization; invite them first."
        )
    try:
        with transaction.atomic():
            member = WorkteamMember.objects.create(
                organization_id=workteam.organization_id, workteam=workteam, user=user
            )
    except IntegrityError:
        raise Conflict(
            "This person is already in the team.", user_id=["Already in the team."]
        ) from None
    worker_pseudonym_record(user=user, organization=workteam.organization)
    # Subscribers this team already works for may now see this worker's id.
    for subscription in VendorSubscription.global_objects.filter(
        routes__team=workteam, status=VendorSubscription.Status.ACTIVE
    ).select_related("organization"):
        worker_pseudonym_record(user=user, organization=subscription.organization)
    audit_record(
        organization_id=workteam.organization_id,
        actor=actor,
        action="workteam.member_added",
        target=member,
        user_id=user.pk,
    )
    return member


@transaction.atomic
def workteam_member_remove(*, member: WorkteamMember, actor: User) -> None:
    """IdP-group members come back at their next sign-in unless their groups change."""
    audit_record(
        organization_id=member.organization_id,
        actor=actor,
        action="workteam.member_removed",
        target=member,
        user_id=member.user_id,
    )
    member.delete()


def workteam_sync_oidc_members(*, workteam: Workteam) -> None:
    """Make the team's IdP-sourced members match the groups people had at their last sign-in."""
    groups = set(workteam.oidc_groups)
    wanted = {
        identity.user_id
        for identity in OidcIdentity.objects.filter(organization_id=workteam.organization_id)
        if groups & set(identity.groups)
    }
    current = set(
        WorkteamMember.objects.filter(
            workteam=workteam, source=WorkteamMember.Source.OIDC
        ).values_list("user_id", flat=True)
    )
    WorkteamMember.objects.filter(
        workteam=workteam, source=WorkteamMember.Source.OIDC, user_id__in=current - wanted
    ).delete()
    WorkteamMember.objects.bulk_create(
        [
            WorkteamMember(
                organization_id=workteam.organization_id,
                workteam=workteam,
                user_id=user_id,
                source=WorkteamMember.Source.OIDC,
            )
            for user_id in wanted - current
        ],
        ignore_conflicts=True,  # a manual membership for the same person stays manual
    )
    work_access_changed()
