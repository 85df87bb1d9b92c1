"""Workforce test setup built through the services, so rows keep their invariants."""

from apps.accounts.models import Organization, Role
from apps.workforces import services
from apps.workforces.models import VendorSubscription, Workteam
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def worker_of(organization: Organization, user=None):
    """A user with the worker role in `organization` (a new user unless given)."""
    return MembershipFactory(
        organization=organization, user=user or UserFactory(), role=Role.WORKER
    ).user


def private_team(owner, name: str = "annotators", members=(), **kwargs) -> Workteam:
    team = services.workteam_create(
        organization=owner.organization, name=name, kind="private", actor=owner.user, **kwargs
    )
    for user in members:
        services.workteam_member_add(workteam=team, user=user, actor=owner.user)
    return team


def public_team(owner, name: str = "crowd", **kwargs) -> Workteam:
    return services.workteam_create(
        organization=owner.organization, name=name, kind="public", actor=owner.user, **kwargs
    )


def public_worker():
    user = UserFactory()
    services.worker_profile_update(user=user, is_public_crowd=True)
    return user


def vendor_with_team(name: str = "Vendor", workers: int = 1):
    """A vendor organization (its owner membership), a published offering, one internal
    team, and `workers` workers in that team. Returns (owner, team, [workers])."""
    vendor = OrganizationFactory(name=name, is_vendor=True)
    owner = MembershipFactory(organization=vendor, role=Role.OWNER)
    services.vendor_offering_save(
        organization=vendor,
        actor=owner.user,
        title=f"{name} labeling",
        description="Trained annotators.",
        task_types=["bounding-box"],
        languages=["en"],
        is_published=True,
    )
    team = services.workteam_create(
        organization=vendor, name="vendor-team", kind="vendor", actor=owner.user
    )
    people = [worker_of(vendor) for _ in range(workers)]
    for user in people:
        services.workteam_member_add(workteam=team, user=user, actor=owner.user)
    return owner, team, people


def subscribed_vendor_team(requester_owner, vendor_owner, vendor_team, name="vendor-work"):
    """Requester subscribes, vendor accepts and routes `vendor_team`; returns the requester's
    vendor workteam and the subscription."""
    subscription = services.vendor_subscription_request(
        organization=requester_owner.organization,
        vendor_slug=vendor_owner.organization.slug,
        actor=requester_owner.user,
    )
    services.vendor_subscription_decide(
        subscription=subscription, accept=True, actor=vendor_owner.user
    )
    services.vendor_routes_set(
        subscription=subscription, team_ids=[vendor_team.pk], actor=vendor_owner.user
    )
    team = services.workteam_create(
        organization=requester_owner.organization,
        name=name,
        kind="vendor",
        vendor_subscription_id=subscription.pk,
        actor=requester_owner.user,
    )
    return team, VendorSubscription.objects.get(pk=subscription.pk)
