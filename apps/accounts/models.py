import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.models import TenantModel, TimeStampedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. Email is the login; there is no username."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email.split("@")[0]


def new_account_id() -> str:
    # AWS-style 12-digit account number, used in this organization's ARNs.
    return f"{secrets.randbelow(9 * 10**11) + 10**11}"


class Organization(TimeStampedModel):
    """A tenant. Every row of tenant data belongs to exactly one."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    account_id = models.CharField(max_length=12, unique=True, default=new_account_id)
    is_vendor = models.BooleanField(
        default=False, help_text="Runs a managed workforce that requesters can subscribe to."
    )

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    REQUESTER = "requester", "Requester"
    REVIEWER = "reviewer", "Reviewer"
    WORKER = "worker", "Worker"
    VENDOR_MANAGER = "vendor_manager", "Vendor manager"


class Membership(TimeStampedModel):
    """A user's role in an organization.

    Not a TenantModel: memberships are how a request finds its tenants, so they are
    read across organizations by user; every selector filters by user or organization.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} as {self.role}"


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(TenantModel):
    """An emailed offer to join with a role; past `expires_at` a pending one is dead."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)  # None: the email is still to send

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization_id} as {self.role} ({self.status})"

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()


class ApiCredential(TenantModel):
    """An access key pair for programs acting in one organization with one role.

    The secret is encrypted, not hashed: SigV4 verification recomputes signatures
    with it. It is shown once, at creation.
    """

    name = models.CharField(max_length=100)
    access_key_id = models.CharField(max_length=20, unique=True)
    secret_encrypted = models.TextField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ADMIN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Authentication finds a key before any organization is known (SigV4 requests
    # carry no organization in the URL); only that one selector uses this manager.
    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.access_key_id} ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
