"""Vendors: offerings, subscriptions (requester asks, vendor decides), routing of teams."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.core.errors import DomainError
from apps.core.services import audit_record
from apps.workforces.access_cache import work_access_changed
from apps.workforces.errors import (
    AlreadySubscribed,
    NotAVendor,
    SubscriptionNotActive,
    SubscriptionNotPending,
)
from apps.workforces.models import (
    VendorOffering,
    VendorRoute,
    VendorSubscription,
    Workforce,
    Workteam,
    WorkteamMember,
)
from apps.workforces.services.workers import worker_pseudonyms_record
from apps.workforces.services.workforces import workforce_vendor_ensure

MAX_LIST_ENTRIES = 50


def _check_string_list(field: str, values: object) -> list[str]:
    if not isinstance(values, list | tuple) or len(values) > MAX_LIST_ENTRIES:
        raise DomainError.on_field(field, f"Give a list of at most {MAX_LIST_ENTRIES} names.")
    if not all(isinstance(value, str) and 0 < len(value.strip()) <= 100 for value in values):
        raise DomainError.on_field(field, "Each entry is a name of 1-100 characters.")
    return [value.strip() for value in values]


@transaction.atomic
def vendor_offering_save(
    *,
    organization: Organization,
    actor: User,
    title: str,
    description: str,
    task_types: list[str] | None = None,
    languages: list[str] | None = None,
    price_terms: str = "",
    is_published: bool = False,
) -> VendorOffering:
    """Create or replace the vendor's one offering."""
    if not organization.is_vendor:
        raise NotAVendor()
    title, description = (title or "").strip(), (description or "").strip()
    if not title or len(title) > 200:
        raise DomainError.on_field("title", "An offering needs a title of at most 200 characters.")
    if not description:
        raise DomainError.on_field("description", "Describe what your workforce does.")
    workforce_vendor_ensure(organization=organization)
    offering, _ = VendorOffering.objects.update_or_create(
        organization=organization,
        defaults={
            "title": title,
            "description": description,
            "task_types": _check_string_list("task_types", task_types or []),
            "languages": _check_string_list("languages", languages or []),
            "price_terms": (price_terms or "").strip(),
            "is_published": is_published,
        },
    )
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="vendor_offering.saved",
        target=offering,
        is_published=is_published,
    )
    return offering


@transaction.atomic
def vendor_subscription_request(
    *, organization: Organization, vendor_slug: str, actor: User, note: str = ""
) -> VendorSubscription:
    """The requester asks to use a vendor's workforce; the vendor then accepts or declines.

    An unknown organization, one that is not a vendor, and a vendor without a published
    offering get the same answer, so the endpoint does not reveal other tenants.
    """
    vendor = Organization.objects.filter(slug=(vendor_slug or "").strip(), is_vendor=True).first()
    offering = (
        VendorOffering.global_objects.filter(organization=vendor, is_published=True).first()
        if vendor is not None
        else None
    )
    if offering is None:
        raise NotAVendor(
            "No vendor offers its workforce under this short name.",
            vendor=["No vendor offers its workforce under this short name."],
        )
    if vendor.pk == organization.pk:
        raise DomainError.on_field("vendor", "An organization cannot subscribe to itself.")
    open_statuses = [VendorSubscription.Status.REQUESTED, VendorSubscription.Status.ACTIVE]
    if VendorSubscription.objects.filter(
        organization=organization, vendor=vendor, status__in=open_statuses
    ).exists():
        raise AlreadySubscribed()
    try:
        with transaction.atomic():
            subscription = VendorSubscription.objects.create(
                organization=organization,
                vendor=vendor,
                offering=offering,
                note=(note or "").strip()[:2000],
                requested_by=actor,
            )
    except IntegrityError:
        raise AlreadySubscribed() from None
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="vendor_subscription.requested",
        target=subscription,
        vendor_id=vendor.pk,
    )
    return subscription


@transaction.atomic
def vendor_subscription_decide(
    *, subscription: VendorSubscription, accept: bool, actor: User
) -> VendorSubscription:
    """The vendor accepts or declines a requested subscription (only once)."""
    status = VendorSubscription.Status.ACTIVE if accept else VendorSubscription.Status.DECLINED
    now = timezone.now()
    updated = VendorSubscription.global_objects.filter(
        pk=subscription.pk, status=VendorSubscription.Status.REQUESTED
    ).update(status=status, decided_by=actor, decided_at=now, updated_at=now)
    if not updated:
        raise SubscriptionNotPending()
    work_access_changed()
    subscription.refresh_from_db()
    audit_record(
        organization_id=subscription.vendor_id,
        actor=actor,
        action="vendor_subscription.accepted" if accept else "vendor_subscription.declined",
        target=subscription,
        requester_id=subscription.organization_id,
    )
    return subscription


@transaction.atomic
def vendor_subscription_cancel(
    *, subscription: VendorSubscription, actor: User
) -> VendorSubscription:
    """The requester ends a subscription; its vendor teams stop receiving work at once."""
    now = timezone.now()
    updated = VendorSubscription.global_objects.filter(
        pk=subscription.pk,
        status__in=[VendorSubscription.Status.REQUESTED, VendorSubscription.Status.ACTIVE],
    ).update(status=VendorSubscription.Status.CANCELLED, updated_at=now)
    if not updated:
        raise SubscriptionNotActive()
    work_access_changed()
    subscription.refresh_from_db()
    audit_record(
        organization_id=subscription.organization_id,
        actor=actor,
        action="vendor_subscription.cancelled",
        target=subscription,
    )
    return subscription


@transaction.atomic
def vendor_routes_set(
    *, subscription: VendorSubscription, team_ids: list[int], actor: User
) -> list[VendorRoute]:
    """The vendor chooses which of its own teams work on this subscriber's work.

    The subscriber is shown the routed workers' anonymized ids only (recorded here, so it
    can block one or grant a qualification by that id).
    """
    subscription = VendorSubscription.global_objects.select_for_update().get(pk=subscription.pk)
    if subscription.status != VendorSubscription.Status.ACTIVE:
        raise SubscriptionNotActive()
    if not isinstance(team_ids, list | tuple) or not all(isinstance(i, int) for i in team_ids):
        raise DomainError.on_field("team_ids", "Give a list of team ids.")
    teams = list(
        Workteam.global_objects.filter(
            organization_id=subscription.vendor_id,
            workforce__kind=Workforce.Kind.VENDOR,
            workforce__organization_id=subscription.vendor_id,
            subscription__isnull=True,
            id__in=team_ids,
        )
    )
    if len(teams) != len(set(team_ids)):
        raise DomainError.on_field(
            "team_ids", "Unknown team id: choose among your own vendor teams."
        )
    VendorRoute.global_objects.filter(subscription=subscription).delete()
    routes = VendorRoute.global_objects.bulk_create(
        [
            VendorRoute(
                organization_id=subscription.vendor_id, subscription=subscription, team=team
            )
            for team in teams
        ]
    )
    work_access_changed()
    worker_pseudonyms_record(
        user_ids=list(
            WorkteamMember.global_objects.filter(workteam__in=teams).values_list(
                "user_id", flat=True
            )
        ),
        organization=subscription.organization,
    )
    audit_record(
        organization_id=subscription.vendor_id,
        actor=actor,
        action="vendor_subscription.routed",
        target=subscription,
        team_ids=sorted(team.pk for team in teams),
    )
    return routes
