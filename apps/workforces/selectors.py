"""Every read of workforces, workteams, workers, qualifications and vendors.

Organization reads take the organization explicitly. Worker reads (`workteams_for_worker`,
`worker_may_work_on`) span organizations by design and use the `global_objects`
managers, always filtered by the worker; they are the rule other apps (the work queue,
object URLs, the marketplace) build on.
"""

import hashlib
import hmac

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.models import Membership, Organization, User
from apps.accounts.permissions import ROLE_PERMISSIONS, TASKS_WORK
from apps.core.client_ip import address_in_networks
from apps.core.errors import NotFound
from apps.workforces.models import (
    OidcConfig,
    Qualification,
    QualificationGrant,
    QualificationTestItem,
    VendorOffering,
    VendorRoute,
    VendorSubscription,
    WebhookDelivery,
    WorkerBlock,
    WorkerProfile,
    WorkerPseudonym,
    Workforce,
    Workteam,
    WorkteamMember,
    WorkteamRequirement,
)

# Roles that may do work in an organization (those holding `tasks.work`).
WORK_ROLES = frozenset(role for role, perms in ROLE_PERMISSIONS.items() if TASKS_WORK in perms)


# Workers


def anonymized_worker_id(*, user: User, organization: Organization) -> str:
    """The id `organization` knows this worker by: stable, different in every organization,
    and not reversible without the server key (HMAC-SHA256 of the pair, keyed by a key
    derived from ENCRYPTION_KEY, which must not change anyway: it also decrypts secrets)."""
    return anonymized_worker_id_of(user_id=user.pk, organization_id=organization.pk)


def anonymized_worker_id_of(*, user_id: int, organization_id: int) -> str:
    """`anonymized_worker_id` from the ids alone (for rows that carry only a worker id)."""
    key = hashlib.sha256(f"groundwork-worker-id:{settings.ENCRYPTION_KEY}".encode()).digest()
    digest = hmac.new(key, f"{organization_id}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"W{digest[:24].upper()}"


def worker_resolve(*, organization: Organization, worker_id: str) -> User:
    """The person behind an anonymized id this organization was shown; NotFound otherwise."""
    pseudonym = (
        WorkerPseudonym.objects.filter(organization=organization, worker_id=worker_id.strip())
        .select_related("user")
        .first()
    )
    if pseudonym is None:
        raise NotFound("No worker with this id has worked for this organization.")
    return pseudonym.user


def worker_profile_find(*, user: User) -> WorkerProfile | None:
    return WorkerProfile.objects.filter(user_id=user.pk).first()


def _work_organizations(user: User) -> QuerySet:
    return Membership.objects.filter(user_id=user.pk, role__in=WORK_ROLES).values("organization_id")


def _held_qualifications(user: User) -> QuerySet:
    return QualificationGrant.global_objects.filter(
        user_id=user.pk, revoked_at__isnull=True
    ).values("qualification_id")


def _routed_subscriptions(user: User) -> QuerySet:
    """Subscriptions whose vendor routed a team this user is in (and works for)."""
    return VendorRoute.global_objects.filter(
        team_id__in=WorkteamMember.global_objects.filter(user_id=user.pk).values("workteam_id"),
        team__organization_id__in=_work_organizations(user),
    ).values("subscription_id")


def workteams_for_worker(*, user: User) -> QuerySet[Workteam]:
    """Every workteam, in any organization, whose work `user` may do right now.

    - a private team (or a vendor's internal team) lists them as a member, and they hold a
      working role in that organization;
    - a subscribed vendor team whose active subscription the vendor routed one of its
      internal teams to, that team lists them, and they hold a working role at the vendor;
    - a public team, if they opted into the public crowd;
    and in every case: their account is active and not suspended by staff, the team's
    organization has not blocked them, and they hold every qualification the team requires.
    Source IP rules depend on the request, not the person: see `worker_may_work_on`.
    """
    profile = worker_profile_find(user=user)
    if not user.is_active or (profile is not None and profile.is_suspended):
        return Workteam.global_objects.none()
    work_organizations = _work_organizations(user)
    my_teams = WorkteamMember.global_objects.filter(user_id=user.pk).values("workteam_id")
    routed_subscriptions = _routed_subscriptions(user)
    reachable = Q(
        id__in=my_teams,
        subscription__isnull=True,
        organization_id__in=work_organizations,
        workforce__kind__in=[Workforce.Kind.PRIVATE, Workforce.Kind.VENDOR],
    ) | Q(
        workforce__kind=Workforce.Kind.VENDOR,
        subscription_id__in=routed_subscriptions,
        subscription__status=VendorSubscription.Status.ACTIVE,
    )
    if profile is not None and profile.is_public_crowd:
        reachable |= Q(workforce__kind=Workforce.Kind.PUBLIC)
    blocked_by = WorkerBlock.global_objects.filter(user_id=user.pk, lifted_at__isnull=True).values(
        "organization_id"
    )
    missing_qualification = WorkteamRequirement.global_objects.filter(
        workteam_id=OuterRef("pk")
    ).exclude(qualification_id__in=_held_qualifications(user))
    return (
        Workteam.global_objects.filter(reachable)
        .exclude(organization_id__in=blocked_by)
        .filter(~Exists(missing_qualification))
        .select_related("organization", "workforce")
        .order_by("organization__name", "name")
    )


def workforce_ip_allowed(*, workforce: Workforce, address: str | None) -> bool:
    """Whether a request from `address` may reach `workforce`'s work.

    No source CIDRs: every address. Otherwise the address (IPv4 or IPv6; an IPv4-mapped
    IPv6 address counts as its IPv4 form) must lie in one of them; a missing or unparsable
    address is refused.
    """
    if not workforce.source_cidrs:
        return True
    return address_in_networks(address, workforce.source_cidrs)


def worker_may_work_on(*, user: User, workteam: Workteam, address: str | None = None) -> bool:
    """Whether `user` may do `workteam`'s work now (see `workteams_for_worker`); with
    `address` (the request's `client_ip`), also whether the workforce's IP rules allow it."""
    if not workteams_for_worker(user=user).filter(pk=workteam.pk).exists():
        return False
    if address is None:
        return True
    workforce = Workforce.global_objects.get(pk=workteam.workforce_id)
    return workforce_ip_allowed(workforce=workforce, address=address)


def workteam_eligible_workers(*, workteam: Workteam) -> QuerySet[User]:
    """The people who may work on `workteam` now: the same rule as `workteams_for_worker`,
    seen from the team (used to notify them)."""
    kind = Workforce.global_objects.filter(pk=workteam.workforce_id).values_list("kind", flat=True)[
        0
    ]
    users = User.objects.filter(is_active=True)
    if kind == Workforce.Kind.PUBLIC:
        users = users.filter(worker_profile__is_public_crowd=True)
    elif workteam.subscription_id is None:
        users = users.filter(
            id__in=WorkteamMember.global_objects.filter(workteam=workteam).values("user_id"),
            memberships__organization_id=workteam.organization_id,
            memberships__role__in=WORK_ROLES,
        )
    else:
        subscription = VendorSubscription.global_objects.get(pk=workteam.subscription_id)
        if subscription.status != VendorSubscription.Status.ACTIVE:
            return User.objects.none()
        routed_teams = VendorRoute.global_objects.filter(subscription=subscription).values(
            "team_id"
        )
        users = users.filter(
            id__in=WorkteamMember.global_objects.filter(workteam_id__in=routed_teams).values(
                "user_id"
            ),
            memberships__organization_id=subscription.vendor_id,
            memberships__role__in=WORK_ROLES,
        )
    users = users.exclude(worker_profile__status=WorkerProfile.Status.SUSPENDED).exclude(
        id__in=WorkerBlock.global_objects.filter(
            organization_id=workteam.organization_id, lifted_at__isnull=True
        ).values("user_id")
    )
    for qualification_id in WorkteamRequirement.global_objects.filter(
        workteam=workteam
    ).values_list("qualification_id", flat=True):
        users = users.filter(
            id__in=QualificationGrant.global_objects.filter(
                qualification_id=qualification_id, revoked_at__isnull=True
            ).values("user_id")
        )
    return users.distinct().order_by("id")


# Workforces and workteams


def workforce_private_find(*, organization: Organization) -> Workforce | None:
    return Workforce.objects.filter(organization=organization, kind=Workforce.Kind.PRIVATE).first()


def workforce_vendor_find(*, organization: Organization) -> Workforce | None:
    return Workforce.objects.filter(organization=organization, kind=Workforce.Kind.VENDOR).first()


def workteam_list(*, organization: Organization) -> QuerySet[Workteam]:
    return (
        Workteam.objects.filter(organization=organization)
        .select_related("workforce", "workforce__organization", "subscription")
        .prefetch_related("required_qualifications")
    )


def workteam_get(*, organization: Organization, workteam_id: int) -> Workteam:
    workteam = workteam_list(organization=organization).filter(id=workteam_id).first()
    if workteam is None:
        raise NotFound()
    return workteam


def workteam_member_list(*, workteam: Workteam) -> QuerySet[WorkteamMember]:
    return WorkteamMember.objects.filter(
        organization_id=workteam.organization_id, workteam=workteam
    ).select_related("user")


def workteam_member_get(*, workteam: Workteam, member_id: int) -> WorkteamMember:
    member = workteam_member_list(workteam=workteam).filter(id=member_id).first()
    if member is None:
        raise NotFound()
    return member


def worker_workteam_get(*, user: User, workteam_id: int) -> Workteam:
    """A team the worker may work on now; NotFound for any other (no existence leak)."""
    workteam = workteams_for_worker(user=user).filter(id=workteam_id).first()
    if workteam is None:
        raise NotFound()
    return workteam


def webhook_delivery_list(*, workteam: Workteam) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(
        organization_id=workteam.organization_id, workteam=workteam
    )


def oidc_config_find(*, organization: Organization) -> OidcConfig | None:
    return OidcConfig.objects.filter(organization=organization).first()


def oidc_config_get(*, organization: Organization) -> OidcConfig:
    config = OidcConfig.objects.filter(organization=organization).first()
    if config is None:
        raise NotFound()
    return config


# Qualifications and blocks


def qualification_list(*, organization: Organization) -> QuerySet[Qualification]:
    return Qualification.objects.filter(organization=organization)


def qualification_get(*, organization: Organization, qualification_id: int) -> Qualification:
    qualification = qualification_list(organization=organization).filter(id=qualification_id)
    found = qualification.first()
    if found is None:
        raise NotFound()
    return found


def qualification_test_available(*, user: User, qualification: Qualification) -> bool:
    """Whether `user` may see and take `qualification`'s test: it has one, and passing it
    could open work to them (they work for its organization, or a public team of that
    organization requires it and they are in the crowd, or a vendor team routed to them
    requires it). Test items of other organizations stay private."""
    if qualification.pass_score is None:
        return False
    profile = worker_profile_find(user=user)
    if profile is not None and profile.is_suspended:
        return False
    if Membership.objects.filter(
        user_id=user.pk, organization_id=qualification.organization_id, role__in=WORK_ROLES
    ).exists():
        return True
    could_open = Q(
        workforce__kind=Workforce.Kind.VENDOR,
        subscription_id__in=_routed_subscriptions(user),
        subscription__status=VendorSubscription.Status.ACTIVE,
    )
    if profile is not None and profile.is_public_crowd:
        could_open |= Q(workforce__kind=Workforce.Kind.PUBLIC)
    requiring = WorkteamRequirement.global_objects.filter(qualification_id=qualification.pk).values(
        "workteam_id"
    )
    return Workteam.global_objects.filter(could_open, id__in=requiring).exists()


def qualification_test_item_list(*, qualification: Qualification) -> QuerySet:
    return QualificationTestItem.objects.filter(
        organization_id=qualification.organization_id, qualification=qualification
    )


def qualification_grant_list(*, qualification: Qualification) -> QuerySet[QualificationGrant]:
    return QualificationGrant.objects.filter(
        organization_id=qualification.organization_id,
        qualification=qualification,
        revoked_at__isnull=True,
    ).select_related("user")


def qualification_grant_get(*, qualification: Qualification, grant_id: int) -> QualificationGrant:
    grant = (
        QualificationGrant.objects.filter(
            organization_id=qualification.organization_id, qualification=qualification, id=grant_id
        )
        .select_related("user")
        .first()
    )
    if grant is None:
        raise NotFound()
    return grant


def worker_block_list(*, organization: Organization) -> QuerySet[WorkerBlock]:
    return WorkerBlock.objects.filter(
        organization=organization, lifted_at__isnull=True
    ).select_related("user")


def worker_block_get(*, organization: Organization, block_id: int) -> WorkerBlock:
    block = WorkerBlock.objects.filter(organization=organization, id=block_id).first()
    if block is None:
        raise NotFound()
    return block


# Vendors


def vendor_offering_list_published() -> QuerySet[VendorOffering]:
    """The vendor marketplace: every published offering, for any requester to browse."""
    return (
        VendorOffering.global_objects.filter(is_published=True, organization__is_vendor=True)
        .select_related("organization")
        .order_by("title")
    )


def vendor_offering_find(*, organization: Organization) -> VendorOffering | None:
    return VendorOffering.objects.filter(organization=organization).first()


def vendor_subscription_list(*, organization: Organization) -> QuerySet[VendorSubscription]:
    """The requester's side: its subscriptions to vendors."""
    return VendorSubscription.objects.filter(organization=organization).select_related(
        "vendor", "offering"
    )


def vendor_subscription_get(
    *, organization: Organization, subscription_id: int
) -> VendorSubscription:
    subscription = vendor_subscription_list(organization=organization).filter(id=subscription_id)
    found = subscription.first()
    if found is None:
        raise NotFound()
    return found


def vendor_subscriber_list(*, vendor: Organization) -> QuerySet[VendorSubscription]:
    """The vendor's side: requesters subscribed (or asking) to it."""
    return (
        VendorSubscription.global_objects.filter(vendor=vendor)
        .select_related("organization", "offering")
        .prefetch_related("routes__team")
    )


def vendor_subscriber_get(*, vendor: Organization, subscription_id: int) -> VendorSubscription:
    subscription = vendor_subscriber_list(vendor=vendor).filter(id=subscription_id).first()
    if subscription is None:
        raise NotFound()
    return subscription


def vendor_internal_team_list(*, vendor: Organization) -> QuerySet[Workteam]:
    return workteam_list(organization=vendor).filter(
        workforce__kind=Workforce.Kind.VENDOR,
        workforce__organization=vendor,
        subscription__isnull=True,
    )
