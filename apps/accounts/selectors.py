from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import ApiCredential, Invitation, Membership, Organization, User
from apps.core.errors import NotFound


def organization_access(
    *, user: User, slug: str, credential: ApiCredential | None = None
) -> tuple[Organization, str]:
    """The organization named by `slug` and the caller's role in it.

    Raises NotFound alike for an unknown slug and for one the caller is not a member of
    (or, with an API credential, one the credential does not belong to).
    """
    if credential is not None:
        if credential.organization.slug != slug:
            raise NotFound()
        return credential.organization, credential.role
    membership = (
        Membership.objects.select_related("organization")
        .filter(user_id=user.pk, organization__slug=slug)
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership.organization, membership.role


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user_id=user.pk)
        .select_related("organization")
        .order_by("organization__name")
    )


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization).select_related("user")


def membership_get(*, organization: Organization, membership_id: int) -> Membership:
    membership = membership_list(organization=organization).filter(id=membership_id).first()
    if membership is None:
        raise NotFound()
    return membership


def invitation_list(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invitation_get(*, organization: Organization, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(organization=organization, id=invitation_id).first()
    if invitation is None:
        raise NotFound()
    return invitation


def invitation_get_by_token(*, org_slug: str, token: str) -> Invitation:
    """For the emailed link, which names its organization; NotFound for any mismatch."""
    invitation = (
        Invitation.objects.filter(organization__slug=org_slug, token=token)
        .select_related("organization")
        .first()
    )
    if invitation is None:
        raise NotFound()
    return invitation


def api_credential_list(*, organization: Organization) -> QuerySet[ApiCredential]:
    return ApiCredential.objects.filter(organization=organization).select_related("created_by")


def api_credential_get(*, organization: Organization, credential_id: int) -> ApiCredential:
    credential = api_credential_list(organization=organization).filter(id=credential_id).first()
    if credential is None:
        raise NotFound()
    return credential


def api_credential_find_active(*, access_key_id: str) -> ApiCredential | None:
    """The live credential with this key id, in any organization (for authentication only)."""
    return (
        ApiCredential.global_objects.select_related("organization", "created_by")
        .filter(access_key_id=access_key_id, revoked_at__isnull=True, created_by__is_active=True)
        .first()
    )
