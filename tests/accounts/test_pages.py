import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import ApiCredential, Invitation, Membership, Role, User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_page(client, owner):
    client.force_login(owner.user)
    return client


def test_home_lists_organizations_with_roles_and_the_switcher(client):
    membership = MembershipFactory(role=Role.REVIEWER)
    MembershipFactory(user=membership.user, role=Role.WORKER)
    client.force_login(membership.user)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="org-switcher"') == 1
    for m in Membership.objects.filter(user=membership.user):
        assert m.organization.name in html
    assert "Reviewer" in html and "Worker" in html


def test_anonymous_home_is_the_landing_page(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert reverse("account_signup") in response.content.decode()


def test_create_organization_from_the_home_page(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("home"), {"name": "Bird Watchers"})

    assert response.status_code == 302 and response.url == "/orgs/bird-watchers/"
    assert Membership.objects.get(user=user).role == Role.OWNER


def test_create_organization_with_a_taken_slug_shows_the_error(owner_page, owner):
    response = owner_page.post(reverse("home"), {"name": "Copy", "slug": owner.organization.slug})

    assert response.status_code == 400
    assert "is taken" in response.content.decode()


def test_member_management_invite_change_role_and_remove(
    owner_page, owner, django_capture_on_commit_callbacks
):
    slug = owner.organization.slug
    worker = MembershipFactory(organization=owner.organization, role=Role.WORKER)

    with django_capture_on_commit_callbacks(execute=True):
        invited = owner_page.post(
            reverse("members", args=[slug]), {"email": "x@example.com", "role": "reviewer"}
        )
    changed = owner_page.post(reverse("member_role", args=[slug, worker.id]), {"role": "requester"})
    page = owner_page.get(reverse("members", args=[slug]))

    assert invited.status_code == changed.status_code == 302
    assert Invitation.objects.get().email == "x@example.com" and len(mail.outbox) == 1
    assert Membership.objects.get(pk=worker.pk).role == Role.REQUESTER
    assert "x@example.com" in page.content.decode()

    removed = owner_page.post(reverse("member_remove", args=[slug, worker.id]))
    assert removed.status_code == 302
    assert not Membership.objects.filter(pk=worker.pk).exists()


def test_invite_with_a_bad_email_rerenders_with_400(owner_page, owner):
    response = owner_page.post(
        reverse("members", args=[owner.organization.slug]), {"email": "nope", "role": "worker"}
    )

    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_removing_the_last_owner_is_refused_on_the_page(owner_page, owner):
    response = owner_page.post(reverse("member_remove", args=[owner.organization.slug, owner.id]))

    assert response.status_code == 400
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_worker_sees_members_page_refused(client, owner):
    worker = MembershipFactory(organization=owner.organization, role=Role.WORKER)
    client.force_login(worker.user)

    assert client.get(reverse("members", args=[owner.organization.slug])).status_code == 403


def test_pages_of_another_organization_are_404(client, owner):
    outsider = MembershipFactory()
    member = MembershipFactory(organization=owner.organization, role=Role.WORKER)
    client.force_login(outsider.user)
    slug = owner.organization.slug

    for url in [
        reverse("organization", args=[slug]),
        reverse("members", args=[slug]),
        reverse("credentials", args=[slug]),
    ]:
        assert client.get(url).status_code == 404
    response = client.post(reverse("member_remove", args=[slug, member.id]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=member.pk).exists()


def test_member_ids_of_another_organization_are_404_on_my_pages(owner_page, owner):
    foreign = MembershipFactory(role=Role.WORKER)

    response = owner_page.post(
        reverse("member_role", args=[owner.organization.slug, foreign.id]), {"role": "admin"}
    )

    assert response.status_code == 404
    assert Membership.objects.get(pk=foreign.pk).role == Role.WORKER


def test_credential_page_shows_the_secret_once_then_revokes(owner_page, owner):
    slug = owner.organization.slug

    created = owner_page.post(reverse("credentials", args=[slug]), {"name": "etl", "role": "admin"})
    listed = owner_page.get(reverse("credentials", args=[slug]))

    credential = ApiCredential.objects.get()
    secret = re.search(
        r"Secret access key</dt><dd><code>([^<]+)</code>", created.content.decode()
    ).group(1)
    assert created.status_code == 201 and len(secret) == 40
    assert credential.access_key_id in listed.content.decode()
    assert secret not in listed.content.decode()

    owner_page.post(reverse("credential_revoke", args=[slug, credential.id]))
    credential.refresh_from_db()
    assert credential.revoked_at is not None


def test_invitation_accept_creates_the_account_and_membership(
    client, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("members", args=[owner.organization.slug]),
            {"email": "newbie@example.com", "role": "worker"},
        )
    client.logout()
    accept_path = re.search(r"http://testserver(/orgs/\S+/)", mail.outbox[0].body).group(1)

    page = client.get(accept_path)
    response = client.post(
        accept_path,
        {"name": "New Bie", "password1": "a-long-passphrase", "password2": "a-long-passphrase"},
    )

    assert page.status_code == 200 and "newbie@example.com" in page.content.decode()
    assert response.status_code == 302
    user = User.objects.get(email="newbie@example.com")
    assert Membership.objects.get(user=user).role == Role.WORKER
    assert user.emailaddress_set.get().verified is True
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED
    assert client.get(accept_path).status_code == 410  # used up


def test_invitation_accept_with_a_weak_password_writes_nothing(client, owner):
    invitation = _invitation(owner, "weak@example.com")

    response = client.post(_accept_url(invitation), {"password1": "123", "password2": "123"})

    assert response.status_code == 400
    assert not User.objects.filter(email="weak@example.com").exists()
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_invitation_accept_by_a_signed_in_user_with_another_email_is_refused(client, owner):
    invitation = _invitation(owner, "intended@example.com")
    stranger = UserFactory()
    client.force_login(stranger)

    response = client.post(_accept_url(invitation))

    assert response.status_code == 403
    assert not Membership.objects.filter(user=stranger).exists()


def test_invitation_accept_by_the_signed_in_invitee(client, owner):
    invitee = UserFactory(email="member@example.com")
    invitation = _invitation(owner, invitee.email)
    client.force_login(invitee)

    response = client.post(_accept_url(invitation))

    assert response.status_code == 302
    assert Membership.objects.get(user=invitee, organization=owner.organization).role == Role.WORKER


def test_invitation_token_under_another_organization_is_404(client, owner):
    invitation = _invitation(owner, "x@example.com")
    other = MembershipFactory()

    response = client.get(
        reverse("invitation_accept", args=[other.organization.slug, invitation.token])
    )

    assert response.status_code == 404


def _invitation(owner, email):
    from apps.accounts import services

    return services.invitation_create(
        organization=owner.organization,
        email=email,
        role=Role.WORKER,
        actor=owner.user,
        actor_role=Role.OWNER,
    )


def _accept_url(invitation):
    return reverse("invitation_accept", args=[invitation.organization.slug, invitation.token])
