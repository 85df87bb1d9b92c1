"""Review of labeling work: approve/reject (audited, once), re-queue, bulk, auto-approval."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.errors import DomainError
from apps.core.models import AuditEvent
from apps.projects.models import Project
from apps.reviews import jobs, services
from apps.tasks import services as task_services
from apps.tasks.models import Assignment, Task
from apps.workforces.selectors import anonymized_worker_id
from tests.factories import MembershipFactory
from tests.tenancy import assert_other_organization_gets_404
from tests.work import answer, text_project

pytestmark = pytest.mark.django_db


def submit(worker, project, label="positive"):
    assignment = task_services.assignment_next(
        worker=worker, workteam_ids=[project.workteam_id], project_id=project.pk
    )
    return task_services.assignment_submit(
        assignment=assignment, worker=worker, answer=answer(label)
    )


@pytest.fixture
def labeled(owner):
    """One item answered by one worker; a completed project with a third worker idle."""
    project, people = text_project(owner, items=1, workers=3)
    submitted = submit(people[0], project)
    project.refresh_from_db()
    return project, people, submitted


def test_approve_moves_pending_to_approved_once_and_is_audited(owner, labeled):
    _, _, submitted = labeled

    approved = services.assignment_approve(assignment=submitted, actor=owner.user, reason="Good")
    again = services.assignment_approve(assignment=submitted, actor=owner.user)

    assert (approved.review_status, approved.reviewed_by, approved.review_reason) == (
        "approved",
        owner.user,
        "Good",
    )
    assert again.reviewed_at == approved.reviewed_at
    audit = AuditEvent.objects.filter(action="assignment.approved")
    assert list(audit.values_list("target_id", "data")) == [
        (str(submitted.pk), {"reason": "Good", "automatic": False})
    ]


def test_reject_requeues_the_task_for_another_worker_never_the_same(owner, labeled):
    project, people, submitted = labeled
    assert project.status == "completed"

    rejected = services.assignment_reject(
        assignment=submitted, actor=owner.user, reason="Did not read the text"
    )

    project.refresh_from_db()
    task = Task.objects.get(pk=submitted.task_id)
    assert (rejected.review_status, rejected.review_reason) == (
        "rejected",
        "Did not read the text",
    )
    assert (task.status, task.answers_received, project.status) == ("open", 0, "in_progress")
    assert (
        task_services.assignment_next(worker=people[0], workteam_ids=[project.workteam_id]) is None
    )
    other = task_services.assignment_next(worker=people[1], workteam_ids=[project.workteam_id])
    assert other.task_id == task.pk
    audit = AuditEvent.objects.get(action="assignment.rejected")
    assert audit.data == {"reason": "Did not read the text", "requeued": True}


def test_a_reviewed_answer_cannot_be_reviewed_again(owner, labeled):
    _, _, submitted = labeled
    services.assignment_reject(assignment=submitted, actor=owner.user, reason="Wrong")

    with pytest.raises(services.AssignmentNotReviewable):
        services.assignment_approve(assignment=submitted, actor=owner.user)
    with pytest.raises(services.AssignmentNotReviewable):
        services.assignment_reject(assignment=submitted, actor=owner.user, reason="Again")

    assert Task.objects.get(pk=submitted.task_id).answers_received == 0


def test_reject_needs_a_reason_and_writes_nothing_without_one(owner, labeled):
    _, _, submitted = labeled

    with pytest.raises(DomainError) as refused:
        services.assignment_reject(assignment=submitted, actor=owner.user, reason="  ")

    assert refused.value.details == {"reason": ["Tell the worker why their answer was rejected."]}
    submitted.refresh_from_db()
    assert submitted.review_status == "pending"
    assert not AuditEvent.objects.filter(action="assignment.rejected").exists()


def test_auto_approval_approves_only_answers_older_than_the_project_delay(owner):
    project, people = text_project(owner, items=2, workers=2, auto_approval_delay_seconds=3600)
    old, new = submit(people[0], project), submit(people[1], project)
    Assignment.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(hours=2))

    assert jobs.assignments_auto_approve() == 1
    assert jobs.assignments_auto_approve() == 0  # idempotent

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.review_status, old.reviewed_by, new.review_status) == ("approved", None, "pending")
    assert AuditEvent.objects.get(action="assignment.approved").data == {
        "reason": "",
        "automatic": True,
    }


def test_a_zero_delay_project_is_approved_on_the_next_run(owner):
    project, people = text_project(owner, items=1, workers=1, auto_approval_delay_seconds=0)
    submitted = submit(people[0], project)

    assert jobs.assignments_auto_approve() == 1
    submitted.refresh_from_db()
    assert submitted.review_status == "approved"


def test_the_auto_approval_delay_is_bounded(owner):
    with pytest.raises(DomainError) as refused:
        text_project(owner, auto_approval_delay_seconds=31 * 24 * 3600, start=False)

    assert list(refused.value.details) == ["auto_approval_delay_seconds"]
    assert not Project.objects.exists()


# The API and the worker's page


def queue_url(project):
    return reverse(
        "review-queue", kwargs={"org_slug": project.organization.slug, "project_id": project.pk}
    )


def test_the_review_queue_filters_by_worker_label_and_disagreement(owner, owner_client):
    project, people = text_project(owner, items=2, workers=3, answers_per_item=2)
    a = submit(people[0], project, "positive")  # item 1
    b = submit(people[1], project, "negative")  # item 1: disagrees with a
    c = submit(people[0], project, "positive")  # item 2
    d = submit(people[2], project, "positive")  # item 2: agrees with c
    organization = owner.organization
    url = queue_url(project)

    everything = owner_client.get(url).json()["results"]
    by_worker = owner_client.get(
        url, {"worker_id": anonymized_worker_id(user=people[0], organization=organization)}
    ).json()["results"]
    negative = owner_client.get(url, {"label": "negative"}).json()["results"]
    disagreeing = owner_client.get(url, {"disagreement": "true"}).json()["results"]

    assert [row["id"] for row in everything] == [a.pk, b.pk, c.pk, d.pk]
    assert everything[1]["label"] == "negative"
    assert everything[1]["worker_id"] == anonymized_worker_id(
        user=people[1], organization=organization
    )
    assert [row["id"] for row in by_worker] == [a.pk, c.pk]
    assert [row["id"] for row in negative] == [b.pk]
    assert [row["id"] for row in disagreeing] == [a.pk, b.pk]


def test_approve_reject_and_bulk_approve_through_the_api(owner, owner_client):
    project, people = text_project(owner, items=3, workers=1)
    first, second, third = (submit(people[0], project) for _ in range(3))
    slug = owner.organization.slug

    rejected = owner_client.post(
        reverse("assignment-reject", kwargs={"org_slug": slug, "assignment_id": first.pk}),
        {"reason": "Sloppy"},
        format="json",
    )
    bulk = owner_client.post(
        reverse("review-bulk-approve", kwargs={"org_slug": slug, "project_id": project.pk}),
        {"assignment_ids": [second.pk, third.pk]},
        format="json",
    )
    approved_list = owner_client.get(queue_url(project), {"review_status": "approved"})

    assert rejected.json()["review_status"] == "rejected"
    assert rejected.json()["review_reason"] == "Sloppy"
    assert bulk.json() == {"approved": 2}
    assert [row["id"] for row in approved_list.json()["results"]] == [second.pk, third.pk]


def test_bulk_approve_with_a_foreign_id_approves_nothing(owner, owner_client):
    project, people = text_project(owner, items=1, workers=1)
    mine = submit(people[0], project)
    other_owner = MembershipFactory()
    theirs_project, theirs_people = text_project(other_owner, items=1, workers=1)
    theirs = submit(theirs_people[0], theirs_project)

    response = owner_client.post(
        reverse(
            "review-bulk-approve",
            kwargs={"org_slug": owner.organization.slug, "project_id": project.pk},
        ),
        {"assignment_ids": [mine.pk, theirs.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["details"] == {
        "assignment_ids": [f"Not answers of this project: {theirs.pk}."]
    }
    assert set(Assignment.objects.values_list("review_status", flat=True)) == {"pending"}


def test_reject_without_a_reason_is_400_and_writes_nothing(owner, owner_client, labeled):
    _, _, submitted = labeled

    response = owner_client.post(
        reverse(
            "assignment-reject",
            kwargs={"org_slug": owner.organization.slug, "assignment_id": submitted.pk},
        ),
        {},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["reason"]
    submitted.refresh_from_db()
    assert submitted.review_status == "pending"


def test_review_endpoints_give_404_to_another_organization(owner, labeled):
    project, _, submitted = labeled
    slug = owner.organization.slug
    assignments = [Assignment.objects.all(), Task.objects.all()]

    assert_other_organization_gets_404(queue_url(project))
    for name in ("assignment-approve", "assignment-reject"):
        assert_other_organization_gets_404(
            reverse(name, kwargs={"org_slug": slug, "assignment_id": submitted.pk}),
            method="post",
            data={"reason": "x"},
            unchanged=assignments,
        )
    assert_other_organization_gets_404(
        reverse("review-bulk-approve", kwargs={"org_slug": slug, "project_id": project.pk}),
        method="post",
        data={"assignment_ids": [submitted.pk]},
        unchanged=assignments,
    )


def test_the_rejected_worker_sees_the_reason_on_my_tasks(owner, labeled, client):
    _, people, submitted = labeled
    services.assignment_reject(assignment=submitted, actor=owner.user, reason="Read it again")
    client.force_login(people[0])

    page = client.get(reverse("work_tasks"))

    assert page.status_code == 200
    assert "Rejected" in page.content.decode()
    assert "Reason: Read it again" in page.content.decode()


def test_the_review_queue_query_count_does_not_grow_with_rows(
    owner, owner_client, django_assert_max_num_queries
):
    project, people = text_project(owner, items=6, workers=1)
    for _ in range(6):
        submit(people[0], project)

    with django_assert_max_num_queries(8):
        rows = owner_client.get(queue_url(project)).json()["results"]

    assert len(rows) == 6
