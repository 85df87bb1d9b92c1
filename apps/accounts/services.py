"""Every write to users, organizations, memberships, invitations and API credentials."""

import secrets
import string
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts import jobs
from apps.accounts.errors import (
    AlreadyMember,
    EmailTaken,
    InvitationEmailMismatch,
    InvitationNotPending,
    LastOwner,
    RoleNotGrantable,
    SlugTaken,
)
from apps.accounts.models import ApiCredential, Invitation, Membership, Organization, Role, User
from apps.accounts.permissions import ROLES_ADMINS_GRANT
from apps.core.crypto import encrypt
from apps.core.errors import DomainError
from apps.core.jobs import enqueue_on_commit
from apps.core.services import audit_record

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit, and the column's
ACCESS_KEY_ALPHABET = string.ascii_uppercase + string.digits
SECRET_KEY_ALPHABET = string.ascii_letters + string.digits + "+/"


def _normalized_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError.on_field("email", "Enter a valid email address.") from None
    if len(email) > EMAIL_MAX_LENGTH:
        raise DomainError.on_field(
            "email", f"An email address has at most {EMAIL_MAX_LENGTH} characters."
        )
    return email


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise DomainError.on_field(
            "role", f"Unknown role {role!r}; one of: {', '.join(Role.values)}."
        )


def _check_can_grant(*, actor_role: str, role: str) -> None:
    _check_role(role)
    if actor_role != Role.OWNER and role not in ROLES_ADMINS_GRANT:
        raise RoleNotGrantable()


# Users


@transaction.atomic
def user_create(*, email: str, password: str, name: str = "", is_verified: bool = False) -> User:
    """Create a login; `is_verified` marks the address confirmed (e.g. by an invitation link)."""
    email = _normalized_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken(email=["An account with this email address already exists."])
    user = User(email=email, name=name.strip())
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError("The password is too weak.", password=list(error.messages)) from None
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=is_verified)
    return user


# Organizations and memberships


@transaction.atomic
def organization_create(
    *, user: User, name: str, slug: str = "", is_vendor: bool = False
) -> Organization:
    """Create an organization with `user` as its owner."""
    name = name.strip()
    if not name:
        raise DomainError.on_field("name", "The organization needs a name.")
    slug = slugify(slug or name)[:60]
    if not slug:
        raise DomainError.on_field("slug", "The short name must contain letters or digits.")
    # The platform's own organization (owner of the public crowd) is created by the system.
    if (
        slug == settings.PLATFORM_ORGANIZATION_SLUG
        or Organization.objects.filter(slug=slug).exists()
    ):
        raise SlugTaken(slug=[f"The short name {slug!r} is taken."])
    try:
        with transaction.atomic():
            organization = Organization.objects.create(name=name, slug=slug, is_vendor=is_vendor)
    except IntegrityError:  # lost a race for the same slug
        raise SlugTaken(slug=[f"The short name {slug!r} is taken."]) from None
    membership_add(organization=organization, user=user, role=Role.OWNER, actor=user)
    return organization


@transaction.atomic
def membership_add(
    *, organization: Organization, user: User, role: str, actor: User | None
) -> Membership:
    """Add `user` with `role`; callers decide who may (invitation acceptance, demo setup)."""
    _check_role(role)
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise AlreadyMember()
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    audit_record(
        organization_id=organization.id,
        actor=actor or user,
        action="membership.created",
        target=membership,
        role=role,
    )
    return membership


def _lock_membership(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().get(pk=membership.pk)


def _check_not_last_owner(membership: Membership) -> None:
    # Lock every owner row (in pk order, like every locker) so two admins demoting
    # the last two owners at once cannot both succeed.
    owners = list(
        Membership.objects.select_for_update()
        .filter(organization_id=membership.organization_id, role=Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if owners == [membership.pk]:
        raise LastOwner()


@transaction.atomic
def membership_change_role(
    *, membership: Membership, role: str, actor: User, actor_role: str
) -> Membership:
    membership = _lock_membership(membership)
    _check_can_grant(actor_role=actor_role, role=role)
    if membership.role == Role.OWNER and actor_role != Role.OWNER:
        raise RoleNotGrantable()
    if membership.role == Role.OWNER and role != Role.OWNER:
        _check_not_last_owner(membership)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit_record(
        organization_id=membership.organization_id,
        actor=actor,
        action="membership.role_changed",
        target=membership,
        previous=previous,
        role=role,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User, actor_role: str) -> None:
    """Remove a member; their API credentials in this organization are revoked with them."""
    membership = _lock_membership(membership)
    if membership.role == Role.OWNER:
        if actor_role != Role.OWNER:
            raise RoleNotGrantable()
        _check_not_last_owner(membership)
    ApiCredential.objects.filter(
        organization_id=membership.organization_id,
        created_by_id=membership.user_id,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    audit_record(
        organization_id=membership.organization_id,
        actor=actor,
        action="membership.removed",
        target=membership,
        user_id=membership.user_id,
        role=membership.role,
    )
    membership.delete()


# Invitations


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, role: str, actor: User, actor_role: str
) -> Invitation:
    """Invite `email` to join with `role`; the email is sent by a job after commit.

    Inviting an address that already has a pending invitation renews that invitation
    (new role, new expiry) and sends it again.
    """
    email = _normalized_email(email)
    _check_can_grant(actor_role=actor_role, role=role)
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise AlreadyMember(email=["This person is already a member of the organization."])
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_LIFETIME_DAYS)
    invitation = (
        Invitation.objects.select_for_update()
        .filter(organization=organization, email=email, status=Invitation.Status.PENDING)
        .first()
    )
    if invitation is None:
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            invited_by=actor,
            expires_at=expires_at,
        )
    else:
        invitation.role, invitation.invited_by, invitation.expires_at = role, actor, expires_at
        invitation.sent_at = None
        invitation.save(update_fields=["role", "invited_by", "expires_at", "sent_at", "updated_at"])
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="invitation.sent",
        target=invitation,
        email=email,
        role=role,
    )
    enqueue_on_commit(
        jobs.invitation_send, organization_id=organization.id, invitation_id=invitation.id
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    updated = Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.REVOKED, updated_at=timezone.now()
    )
    if not updated:
        raise InvitationNotPending()
    invitation.refresh_from_db()
    audit_record(
        organization_id=invitation.organization_id,
        actor=actor,
        action="invitation.revoked",
        target=invitation,
    )
    return invitation


def _claim_invitation(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationNotPending()
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """The signed-in `user` accepts; the invitation must be addressed to their email."""
    invitation = _claim_invitation(invitation)
    if user.email.lower() != invitation.email:
        raise InvitationEmailMismatch()
    membership = membership_add(
        organization=invitation.organization, user=user, role=invitation.role, actor=user
    )
    # Following the emailed link proves the address, as allauth's own confirmation does.
    EmailAddress.objects.filter(user=user, email__iexact=invitation.email).update(verified=True)
    invitation.status, invitation.accepted_by = Invitation.Status.ACCEPTED, user
    invitation.save(update_fields=["status", "accepted_by", "updated_at"])
    audit_record(
        organization_id=invitation.organization_id,
        actor=user,
        action="invitation.accepted",
        target=invitation,
        role=invitation.role,
    )
    return membership


@transaction.atomic
def invitation_accept_with_signup(
    *, invitation: Invitation, password: str, name: str = ""
) -> Membership:
    """Accept for someone without an account: create it, verified by the emailed link."""
    _claim_invitation(invitation)
    user = user_create(email=invitation.email, password=password, name=name, is_verified=True)
    return invitation_accept(invitation=invitation, user=user)


# API credentials


def _random_string(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@transaction.atomic
def api_credential_create(
    *, organization: Organization, name: str, role: str, actor: User, actor_role: str
) -> tuple[ApiCredential, str]:
    """Create a key pair; returns it with the secret, which is never readable again via the API."""
    name = name.strip()
    if not name:
        raise DomainError.on_field(
            "name", "Give the credential a name, e.g. the program that will use it."
        )
    _check_can_grant(actor_role=actor_role, role=role)
    secret = _random_string(SECRET_KEY_ALPHABET, 40)  # the shape of an AWS secret access key
    credential = ApiCredential.objects.create(
        organization=organization,
        name=name,
        role=role,
        access_key_id="GWAK" + _random_string(ACCESS_KEY_ALPHABET, 16),
        secret_encrypted=encrypt(secret),
        created_by=actor,
    )
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="api_credential.created",
        target=credential,
        role=role,
    )
    return credential, secret


@transaction.atomic
def api_credential_revoke(*, credential: ApiCredential, actor: User) -> ApiCredential:
    """Revoke now; idempotent (revoking a revoked credential changes nothing)."""
    now = timezone.now()
    updated = ApiCredential.objects.filter(pk=credential.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    credential.refresh_from_db()
    if updated:
        audit_record(
            organization_id=credential.organization_id,
            actor=actor,
            action="api_credential.revoked",
            target=credential,
        )
    return credential


def api_credential_mark_used(*, credential: ApiCredential) -> None:
    """Record use at most once a minute, so authentication does not write on every request."""
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > timedelta(minutes=1):
        ApiCredential.global_objects.filter(pk=credential.pk).update(last_used_at=now)
