"""New-work notifications: hourly email digests per worker, and signed team webhooks."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.core.jobs import enqueue_on_commit
from apps.core.webhooks import SIGNATURE_HEADER, webhook_attempt, webhook_signature  # noqa: F401
from apps.workforces import jobs
from apps.workforces.models import WebhookDelivery, WorkerProfile, WorkNotice, Workteam
from apps.workforces.selectors import workteam_eligible_workers

DIGEST_INTERVAL = timedelta(hours=1)
DIGEST_JOB_BATCH = 500  # users per digest job: one job per new-work event for small teams
WEBHOOK_MAX_ATTEMPTS = 5


@transaction.atomic
def workteam_notify_new_work(*, workteam: Workteam, project_name: str, count: int) -> int:
    """Tell `workteam`'s workers that `count` new tasks of `project_name` are waiting.

    Each eligible worker gets a notice, emailed in a digest at most once an hour; the
    team's webhook (if any) gets one signed POST. Both are sent by jobs after commit.
    Returns the number of workers notified. Called by projects when work becomes available.
    """
    project_name = (project_name or "").strip()
    if not project_name:
        raise DomainError.on_field("project_name", "Name the project.")
    if not isinstance(count, int) or count < 1:
        raise DomainError.on_field("count", "The number of new tasks is a positive integer.")
    user_ids = list(workteam_eligible_workers(workteam=workteam).values_list("id", flat=True))
    WorkerProfile.objects.bulk_create(
        [WorkerProfile(user_id=user_id) for user_id in user_ids], ignore_conflicts=True
    )
    WorkNotice.global_objects.bulk_create(
        [
            WorkNotice(
                organization_id=workteam.organization_id,
                user_id=user_id,
                workteam=workteam,
                project_name=project_name[:200],
                count=count,
            )
            for user_id in user_ids
        ]
    )
    for start in range(0, len(user_ids), DIGEST_JOB_BATCH):
        enqueue_on_commit(
            jobs.work_digests_send, user_ids=user_ids[start : start + DIGEST_JOB_BATCH]
        )
    if workteam.webhook_url:
        delivery = WebhookDelivery.objects.create(
            organization_id=workteam.organization_id,
            workteam=workteam,
            payload={
                "type": "work.available",
                "workteam": {"id": workteam.pk, "name": workteam.name},
                "project_name": project_name,
                "count": count,
                "created_at": timezone.now().isoformat(),
            },
        )
        enqueue_on_commit(
            jobs.webhook_deliver,
            organization_id=workteam.organization_id,
            delivery_id=delivery.pk,
        )
    return len(user_ids)


def work_digest_send(*, user_id: int) -> bool:
    """Email `user_id` their unsent notices, unless they were emailed in the last hour.

    The conditional UPDATE of the digest clock claims the send, so two jobs for the same
    worker send one email; a failed send puts the clock back and re-raises for a retry.
    Returns whether an email went out.
    """
    notices = list(
        WorkNotice.global_objects.filter(user_id=user_id, emailed_at__isnull=True)
        .select_related("workteam__organization")
        .order_by("id")
    )
    if not notices:
        return False
    now = timezone.now()
    profile = WorkerProfile.objects.filter(user_id=user_id).first()
    if profile is None or profile.is_suspended:
        return False
    claimed = WorkerProfile.objects.filter(
        Q(last_work_email_at__isnull=True) | Q(last_work_email_at__lte=now - DIGEST_INTERVAL),
        pk=profile.pk,
    ).update(last_work_email_at=now)
    if not claimed:
        return False  # emailed within the hour: the periodic job sends these later
    user = User.objects.get(pk=user_id)
    context = {
        "user": user,
        "notices": notices,
        "console_url": f"{settings.BASE_URL}{reverse('worker_console')}",
    }
    try:
        send_mail(
            subject=f"New work on Groundwork ({sum(n.count for n in notices)} tasks)",
            message=render_to_string("workforces/email/new_work.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
    except Exception:
        WorkerProfile.objects.filter(pk=profile.pk).update(
            last_work_email_at=profile.last_work_email_at
        )
        raise
    WorkNotice.global_objects.filter(id__in=[n.id for n in notices]).update(emailed_at=now)
    return True


def work_digests_due_user_ids(*, limit: int = 1000) -> list[int]:
    """Active workers with unsent notices whose last digest is at least an hour old (a
    suspended worker's notices wait, and do not crowd out others within `limit`)."""
    cutoff = timezone.now() - DIGEST_INTERVAL
    return list(
        WorkNotice.global_objects.filter(
            emailed_at__isnull=True, user__worker_profile__status=WorkerProfile.Status.ACTIVE
        )
        .filter(
            Q(user__worker_profile__last_work_email_at__isnull=True)
            | Q(user__worker_profile__last_work_email_at__lte=cutoff)
        )
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")[:limit]
    )


def webhook_delivery_attempt(*, delivery_id: int) -> str:
    """One attempt (`webhook_attempt`): "delivered", "retry" or "failed" (terminal)."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=WebhookDelivery.Status.PENDING,
        attempts__lt=WEBHOOK_MAX_ATTEMPTS,
    )
    delivery = claimed.select_related("workteam").first()
    if delivery is None:
        return "failed"  # delivered, failed or gone: nothing to do
    workteam = delivery.workteam
    return webhook_attempt(
        delivery,
        url=workteam.webhook_url,
        secret_encrypted=workteam.webhook_secret_encrypted,
        headers={"X-Groundwork-Delivery": str(delivery.pk)},
        max_attempts=WEBHOOK_MAX_ATTEMPTS,
    )
