from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Invitation
from apps.core.jobs import OrganizationJob


@shared_task(
    base=OrganizationJob,
    name="accounts.invitation_send",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def invitation_send(*, organization_id: int, invitation_id: int) -> None:
    """Email the invitation link once per (re)issue.

    The conditional UPDATE claims the send, so a job that runs twice sends once;
    a failed send releases the claim and retries.
    """
    claimed = Invitation.objects.filter(
        id=invitation_id, status=Invitation.Status.PENDING, sent_at__isnull=True
    ).update(sent_at=timezone.now())
    if not claimed:
        return
    invitation = Invitation.objects.select_related("organization", "invited_by").get(
        id=invitation_id
    )
    path = reverse(
        "invitation_accept",
        kwargs={"org_slug": invitation.organization.slug, "token": invitation.token},
    )
    context = {"invitation": invitation, "accept_url": f"{settings.BASE_URL}{path}"}
    try:
        send_mail(
            subject=f"You are invited to {invitation.organization.name} on Groundwork",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    except Exception:
        Invitation.objects.filter(id=invitation_id).update(sent_at=None)
        raise
