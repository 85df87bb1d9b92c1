"""Who may do an organization's work: workforces, workteams, workers, qualifications, vendors.

Shapes follow Ground Truth (Workforce, Workteam, SourceIpConfig, OidcConfig,
MemberDefinition, NotificationConfiguration) so the boto3 layer can describe them.

Cross-organization reads. A worker's work spans organizations (a private team here, the
public crowd there, a vendor's routed work elsewhere), and a vendor sees subscriptions that
requesters own. Those reads go through `global_objects` managers, used only by the
selectors in `apps/workforces/selectors.py` that filter by worker or vendor explicitly;
every other read uses the scoped default manager.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TenantModel, TimeStampedModel

WORKTEAM_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
WORKFORCE_NAME_PATTERN = r"^[a-zA-Z0-9]([a-zA-Z0-9\-]){0,62}$"
MAX_SOURCE_CIDRS = 10  # Ground Truth's SourceIpConfig limit
MAX_OIDC_GROUPS = 10  # OidcMemberDefinition.Groups limit


class WorkerProfile(TimeStampedModel):
    """One per person who works, across every organization they work for.

    `status` is set by platform staff only (global suspension); a requester's block is a
    `WorkerBlock` and affects that requester's work only.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worker_profile"
    )
    display_name = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    is_public_crowd = models.BooleanField(
        default=False, help_text="Opted into the public crowd: may take public marketplace work."
    )
    suspended_reason = models.TextField(blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The digest clock: new-work emails go out at most once an hour per worker.
    last_work_email_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "suspended"]), name="worker_profile_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or str(self.user)

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED


class WorkerPseudonym(TenantModel):
    """Index from a worker's anonymized id in one organization back to the person.

    The id itself is derived (`selectors.anonymized_worker_id`: an HMAC, stable and not
    reversible); this row only lets the organization act on an id it was shown (block,
    grant a qualification). `services.worker_pseudonym_record` writes it, idempotently,
    whenever an organization is shown a worker (team membership, an assignment).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    worker_id = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="pseudonym_unique_user"),
            models.UniqueConstraint(
                fields=["organization", "worker_id"], name="pseudonym_unique_id"
            ),
        ]

    def __str__(self) -> str:
        return self.worker_id


class Workforce(TenantModel):
    """Where workers come from.

    - private: one per organization (its own people), created on demand; may be limited
      to source CIDRs and may sign people in through the organization's OIDC provider.
    - vendor: one per vendor organization (`Organization.is_vendor`): the vendor's workers.
    - public: ONE per deployment, the platform crowd. It belongs to the platform
      organization (slug `settings.PLATFORM_ORGANIZATION_SLUG`), created on first use by
      `services.workforce_public_ensure`. Nobody is a member of the platform organization
      by default; staff administer it through the Django admin. Requesters use the crowd
      through public workteams of their own.
    """

    class Kind(models.TextChoices):
        PUBLIC = "public", "Public crowd"
        PRIVATE = "private", "Private"
        VENDOR = "vendor", "Vendor"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=63)
    # SourceIpConfig.Cidrs, normalized ("10.0.0.0/8"); empty: no restriction.
    source_cidrs = models.JSONField(default=list, blank=True)

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=Q(kind__in=["private", "vendor"]),
                name="workforce_one_per_kind_per_organization",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="public"), name="workforce_one_public"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["public", "private", "vendor"]), name="workforce_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class Qualification(TenantModel):
    """Something a worker has shown they can do, defined by one organization.

    Granted manually, or by passing its test: `test_items` with known answers, passed at
    `pass_score` (fraction of items answered exactly right). The test is labeled in the
    normal worker UI once tasks exist; `services.qualification_test_submit` grades it.
    """

    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    pass_score = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Fraction of test items to get right, 0-1; empty: no test, manual grants only.",
    )
    is_retake_allowed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="qualification_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(pass_score__isnull=True) | Q(pass_score__gte=0, pass_score__lte=1),
                name="qualification_pass_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QualificationTestItem(TenantModel):
    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="test_items"
    )
    position = models.PositiveIntegerField(default=0)
    input = models.JSONField(help_text="What the worker sees, shaped like an Item's data.")
    expected_answer = models.JSONField(help_text="The known answer; never shown to workers.")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.qualification_id}#{self.position}"


class QualificationTestAttempt(TenantModel):
    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="attempts"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=4, decimal_places=3)
    is_passed = models.BooleanField()

    def __str__(self) -> str:
        return f"{self.user_id} on {self.qualification_id}: {self.score}"


class QualificationGrant(TenantModel):
    class Source(models.TextChoices):
        MANUAL = "manual", "Granted manually"
        TEST = "test", "Passed the test"

    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="grants"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["qualification", "user"],
                condition=Q(revoked_at__isnull=True),
                name="qualification_grant_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.qualification_id} to {self.user_id}"


class VendorOffering(TenantModel):
    """What a vendor organization sells; requesters subscribe to it."""

    title = models.CharField(max_length=200)
    description = models.TextField()
    task_types = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    price_terms = models.TextField(blank=True)
    is_published = models.BooleanField(default=False)

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="vendor_offering_one_per_vendor"),
        ]

    def __str__(self) -> str:
        return self.title


class VendorSubscription(TenantModel):
    """A requester (`organization`) asks a vendor for its workforce; the vendor accepts.

    Read by the vendor through `global_objects` filtered on `vendor`.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    vendor = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    offering = models.ForeignKey(VendorOffering, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "vendor"],
                condition=Q(status__in=["requested", "active"]),
                name="vendor_subscription_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} -> {self.vendor_id} ({self.status})"


class Workteam(TenantModel):
    """The subset of a workforce that gets a project's tasks; owned by the requester.

    - private: `workforce` is the organization's own; members are `WorkteamMember` rows
      (chosen people, and people whose IdP groups match `oidc_groups`).
    - public: `workforce` is the platform crowd; every opted-in worker holding all
      `required_qualifications`.
    - vendor: `workforce` is the vendor's, `subscription` the active subscription; the
      vendor's managers route their own teams to it (`VendorRoute`).
    A vendor's own internal teams are `Workteam`s of the vendor organization over its
    vendor workforce, with members and no subscription.
    """

    name = models.CharField(max_length=63)
    description = models.CharField(max_length=200, blank=True)
    workforce = models.ForeignKey(Workforce, on_delete=models.PROTECT, related_name="+")
    subscription = models.ForeignKey(
        VendorSubscription, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    oidc_groups = models.JSONField(default=list, blank=True)
    required_qualifications = models.ManyToManyField(
        Qualification, through="WorkteamRequirement", related_name="+", blank=True
    )
    # NotificationConfiguration: our equivalent of the SNS topic.
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret_encrypted = models.TextField(blank=True)

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="workteam_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class WorkteamRequirement(TenantModel):
    workteam = models.ForeignKey(Workteam, on_delete=models.CASCADE, related_name="requirements")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["workteam", "qualification"], name="workteam_requirement_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workteam_id} needs {self.qualification_id}"


class WorkteamMember(TenantModel):
    """A person in a private team or a vendor's internal team."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Added by a manager"
        OIDC = "oidc", "IdP group"

    workteam = models.ForeignKey(Workteam, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["workteam", "user"], name="workteam_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.workteam_id}"


class VendorRoute(TenantModel):
    """A vendor (`organization`) sends one of its teams to work a subscriber's workteams."""

    subscription = models.ForeignKey(
        VendorSubscription, on_delete=models.CASCADE, related_name="routes"
    )
    team = models.ForeignKey(Workteam, on_delete=models.CASCADE, related_name="+")

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["subscription", "team"], name="vendor_route_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} -> {self.subscription_id}"


class WorkerBlock(TenantModel):
    """A requester keeps a worker off its work; lifted, not deleted, so history stays."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(lifted_at__isnull=True),
                name="worker_block_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} blocked by {self.organization_id}"


class OidcConfig(TenantModel):
    """An organization's OpenID Connect identity provider for its private workforce.

    Served to django-allauth's `openid_connect` provider as an app with provider id
    `org-<organization id>` (see `apps/workforces/oidc.py`); the secret stays encrypted
    at rest and is decrypted only to build that app.
    """

    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=1024)
    client_secret_encrypted = models.TextField()
    scope = models.CharField(max_length=1024, default="openid email profile")
    groups_claim = models.CharField(max_length=100, default="groups")
    extra_params = models.JSONField(default=dict, blank=True)
    is_enabled = models.BooleanField(default=True)

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="oidc_config_one_per_org"),
        ]

    def __str__(self) -> str:
        return self.issuer

    @property
    def provider_id(self) -> str:
        return f"org-{self.organization_id}"


class OidcIdentity(TenantModel):
    """The groups a person had at their last sign-in through the organization's IdP."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=255)
    groups = models.JSONField(default=list)
    last_sign_in_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="oidc_identity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.user_id})"


class WorkNotice(TenantModel):
    """New work announced to one worker, waiting for their next hourly digest email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    workteam = models.ForeignKey(Workteam, on_delete=models.CASCADE, related_name="+")
    project_name = models.CharField(max_length=200)
    count = models.PositiveIntegerField()
    emailed_at = models.DateTimeField(null=True, blank=True)

    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        indexes = [models.Index(fields=["user", "emailed_at"])]

    def __str__(self) -> str:
        return f"{self.count} in {self.project_name} for {self.user_id}"


class WebhookDelivery(TenantModel):
    """One signed POST to a workteam's webhook; the job retries it a bounded number of times."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    workteam = models.ForeignKey(Workteam, on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.workteam_id}: {self.status} after {self.attempts}"
