from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Invitation, Role
from tests.factories import MembershipFactory
from tests.tenancy import assert_other_organization_gets_404

pytestmark = pytest.mark.django_db


def invitations_url(organization) -> str:
    return reverse("invitation-list", kwargs={"org_slug": organization.slug})


def invitation_url(invitation) -> str:
    return reverse(
        "invitation-detail",
        kwargs={"org_slug": invitation.organization.slug, "invitation_id": invitation.id},
    )


def invite(client, organization, email="new.person@example.com", role="worker"):
    return client.post(invitations_url(organization), {"email": email, "role": role}, format="json")


def test_invitation_is_emailed_after_commit(
    owner_client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(owner_client, owner.organization, email="New.Person@Example.com")

    assert response.status_code == 201
    assert response.json()["email"] == "new.person@example.com"
    invitation = Invitation.objects.get()
    assert invitation.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert f"/orgs/{owner.organization.slug}/invitations/{invitation.token}/" in message.body


def test_invitation_send_job_twice_sends_once(
    owner_client, owner, django_capture_on_commit_callbacks
):
    from apps.accounts.jobs import invitation_send

    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, owner.organization)
    invitation = Invitation.objects.get()

    invitation_send.apply(
        kwargs={"organization_id": owner.organization_id, "invitation_id": invitation.id}
    )

    assert len(mail.outbox) == 1


def test_reinviting_renews_and_resends(owner_client, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, owner.organization, role="worker")
    with django_capture_on_commit_callbacks(execute=True):
        invite(owner_client, owner.organization, role="reviewer")

    invitation = Invitation.objects.get()
    assert invitation.role == Role.REVIEWER
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("email", ["not-an-email", "", "a@b", "x" * 300 + "@example.com"])
def test_invalid_email_is_rejected_and_nothing_sent(
    owner_client, owner, email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(owner_client, owner.organization, email=email)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["details"]) == ["email"]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_a_member_is_a_conflict(owner_client, owner):
    response = invite(owner_client, owner.organization, email=owner.user.email)

    assert response.status_code == 409
    assert response.json()["code"] == "already_member"
    assert not Invitation.objects.exists()


def test_malformed_json_is_a_clear_400(owner_client, owner):
    response = owner_client.post(
        invitations_url(owner.organization), data='{"email": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert response.json()["message"].startswith("JSON parse error")
    assert not Invitation.objects.exists()


def test_worker_cannot_invite(api_client, owner):
    worker = MembershipFactory(organization=owner.organization, role=Role.WORKER)
    api_client.force_authenticate(worker.user)

    response = invite(api_client, owner.organization)

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_revoke_then_revoke_again(owner_client, owner):
    invite(owner_client, owner.organization)
    invitation = Invitation.objects.get()

    first = owner_client.delete(invitation_url(invitation))
    second = owner_client.delete(invitation_url(invitation))

    assert first.status_code == 200 and first.json()["status"] == "revoked"
    assert second.status_code == 410 and second.json()["code"] == "invitation_not_pending"


def test_pending_list_omits_expired_invitations(owner_client, owner):
    invite(owner_client, owner.organization, email="fresh@example.com")
    invite(owner_client, owner.organization, email="stale@example.com")
    Invitation.objects.filter(email="stale@example.com").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    response = owner_client.get(invitations_url(owner.organization))

    assert [row["email"] for row in response.json()["results"]] == ["fresh@example.com"]


def test_invitations_return_404_to_another_organization(owner_client, owner):
    invite(owner_client, owner.organization)
    invitation = Invitation.objects.get()

    assert_other_organization_gets_404(invitations_url(owner.organization))
    assert_other_organization_gets_404(
        invitations_url(owner.organization),
        method="post",
        data={"email": "x@example.com", "role": "worker"},
        unchanged=[Invitation.objects.all()],
    )
    assert_other_organization_gets_404(invitation_url(invitation))
    assert_other_organization_gets_404(
        invitation_url(invitation), method="delete", unchanged=[Invitation.objects.all()]
    )
