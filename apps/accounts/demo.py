from django.conf import settings

from apps.accounts import services
from apps.accounts.models import Membership, Organization, Role, User
from apps.core.demo import demo_seeder

DEMO_PASSWORD = "groundwork-demo"

# (slug, name, is_vendor, [(email, role), ...]); the first person is the owner.
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


def _user(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        name = email.split("@")[0].replace("-", " ").title()
        user = services.user_create(
            email=email, password=DEMO_PASSWORD, name=name, is_verified=True
        )
    return user


def _organization(slug: str, name: str, is_vendor: bool, people: list) -> list[dict]:
    users = [_user(email) for email, _ in people]
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        organization = services.organization_create(
            user=users[0], name=name, slug=slug, is_vendor=is_vendor
        )
    for user, (_, role) in zip(users, people, strict=True):
        if not Membership.objects.filter(organization=organization, user=user).exists():
            services.membership_add(organization=organization, user=user, role=role, actor=users[0])
    return [
        {"email": user.email, "role": role.value, "organization": slug}
        for user, (_, role) in zip(users, people, strict=True)
    ]


@demo_seeder(order=10)
def seed_accounts(*, facts: dict) -> list[str]:
    users = [login for spec in DEMO_ORGANIZATIONS for login in _organization(*spec)]
    facts.update(
        base_url=settings.BASE_URL, organization="demo", password=DEMO_PASSWORD, users=users
    )
    if facts.get("want_credential"):
        demo = Organization.objects.get(slug="demo")
        credential, secret = services.api_credential_create(
            organization=demo,
            name="seed_demo --json",
            role=Role.ADMIN,
            actor=User.objects.get(email=DEMO_ORGANIZATIONS[0][3][0][0]),
            actor_role=Role.OWNER,
        )
        facts.update(access_key_id=credential.access_key_id, secret_access_key=secret)
    lines = [f"Demo logins (every password is {DEMO_PASSWORD!r}):"]
    lines += [f"  {user['email']:<30} {user['role']:<15} {user['organization']}" for user in users]
    return lines
