"""Idempotent demo data: `python manage.py seed_demo [--json]`."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from apps.accounts import services
from apps.accounts.models import Membership, Organization, Role, User

DEMO_PASSWORD = "groundwork-demo"

# (organization slug, organization name, is_vendor, [(email, role), ...]); the first is the owner.
DEMO_ORGANIZATIONS = [
    (
        "demo",
        "Demo Labs",
        False,
        [
            ("owner@demo.test", Role.OWNER),
            ("requester@demo.test", Role.REQUESTER),
            ("reviewer@demo.test", Role.REVIEWER),
            ("worker1@demo.test", Role.WORKER),
            ("worker2@demo.test", Role.WORKER),
            ("worker3@demo.test", Role.WORKER),
        ],
    ),
    (
        "demo-vendor",
        "Acme Annotation (vendor)",
        True,
        [
            ("vendor-owner@vendor.test", Role.OWNER),
            ("manager@vendor.test", Role.VENDOR_MANAGER),
            ("vendor-worker1@vendor.test", Role.WORKER),
            ("vendor-worker2@vendor.test", Role.WORKER),
        ],
    ),
]


class Command(BaseCommand):
    help = "Create (or complete) the demo organizations and users. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print logins and a fresh API credential for the demo organization as JSON.",
        )

    @scopes_disabled()
    def handle(self, *args, **options):
        with transaction.atomic():
            logins = [login for spec in DEMO_ORGANIZATIONS for login in self._seed(*spec)]
        if not options["json"]:
            self.stdout.write(f"Demo data ready. Every demo password is {DEMO_PASSWORD!r}:")
            for login in logins:
                self.stdout.write(
                    f"  {login['email']:<30} {login['role']:<15} {login['organization']}"
                )
            return
        demo = Organization.objects.get(slug="demo")
        owner = User.objects.get(email=DEMO_ORGANIZATIONS[0][3][0][0])
        credential, secret = services.api_credential_create(
            organization=demo,
            name="seed_demo --json",
            role=Role.ADMIN,
            actor=owner,
            actor_role=Role.OWNER,
        )
        self.stdout.write(
            json.dumps(
                {
                    "base_url": settings.BASE_URL,
                    "organization": demo.slug,
                    "password": DEMO_PASSWORD,
                    "users": logins,
                    "access_key_id": credential.access_key_id,
                    "secret_access_key": secret,
                },
                indent=2,
            )
        )

    def _seed(self, slug: str, name: str, is_vendor: bool, people: list) -> list[dict]:
        users = [self._user(email) for email, _ in people]
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            organization = services.organization_create(
                user=users[0], name=name, slug=slug, is_vendor=is_vendor
            )
        for user, (_, role) in zip(users, people, strict=True):
            if not Membership.objects.filter(organization=organization, user=user).exists():
                services.membership_add(
                    organization=organization, user=user, role=role, actor=users[0]
                )
        return [
            {"email": user.email, "role": role.value, "organization": slug}
            for user, (_, role) in zip(users, people, strict=True)
        ]

    def _user(self, email: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            name = email.split("@")[0].replace("-", " ").title()
            user = services.user_create(
                email=email, password=DEMO_PASSWORD, name=name, is_verified=True
            )
        return user
