"""Factories keep related rows in one organization; stateful rows come from services."""

import factory
from allauth.account.models import EmailAddress

from apps.accounts import services
from apps.accounts.models import Membership, Organization, Role, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create:
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    """A member of a fresh organization unless `organization=` is given."""

    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


def api_credential(membership: Membership, role: str = Role.ADMIN) -> tuple:
    """A real credential created through the service; returns (credential, bearer header)."""
    credential, secret = services.api_credential_create(
        organization=membership.organization,
        name="test",
        role=role,
        actor=membership.user,
        actor_role=Role.OWNER,
    )
    return credential, f"Bearer {credential.access_key_id}:{secret}"
