"""Report endpoints and pages: exact figures, anonymized workers, tenancy, CSV, query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.projects.models import Project
from apps.reporting import jobs, services
from apps.reporting.models import ProjectStats
from apps.tasks import services as task_services
from apps.workforces.selectors import anonymized_worker_id
from tests.factories import MembershipFactory
from tests.reporting.test_stats import T0, submit, take, timed
from tests.tenancy import assert_other_organization_gets_404
from tests.work import text_project

pytestmark = pytest.mark.django_db


def worked_project(owner):
    project, (ann, bob) = text_project(owner, items=4, workers=2)
    timed(submit(project, ann), taken=T0, seconds=12)
    timed(submit(project, bob), taken=T0 + timedelta(minutes=1), seconds=8)
    task_services.assignment_release(assignment=take(project, bob), worker=bob)
    services.project_stats_refresh(project=project)
    return project, ann, bob


def api_url(name, project) -> str:
    return reverse(name, args=[project.organization.slug, project.id])


def test_the_report_api_gives_the_figures(owner, owner_client):
    project, _, _ = worked_project(owner)

    body = owner_client.get(api_url("project-report", project)).json()

    assert body["stats"]["tasks_total"] == 4
    assert body["stats"]["answers_submitted"] == 2
    assert body["stats"]["assignments_released"] == 1
    assert (body["stats"]["median_seconds"], body["stats"]["p90_seconds"]) == (8.0, 12.0)
    assert body["label_counters"]["Unlabeled"] == 2
    assert body["daily"] == [{"at": "2026-11-20", "answers": 2}]
    assert len(body["hourly"]) == 48


def test_the_first_view_computes_missing_figures(owner, owner_client):
    project, (ann, _) = text_project(owner, items=2)
    submit(project, ann)

    body = owner_client.get(api_url("project-report", project)).json()

    assert body["stats"]["answers_submitted"] == 1
    assert ProjectStats.objects.filter(project=project).count() == 1


def test_worker_figures_show_only_anonymized_ids(owner, owner_client):
    project, ann, bob = worked_project(owner)

    response = owner_client.get(api_url("project-report-workers", project))

    rows = {row["worker_id"]: row["answers_submitted"] for row in response.json()["results"]}
    assert rows == {
        anonymized_worker_id(user=ann, organization=owner.organization): 1,
        anonymized_worker_id(user=bob, organization=owner.organization): 1,
    }
    assert ann.email not in response.content.decode()


def test_the_activity_api_filters_and_pages(owner, owner_client):
    project, ann, bob = worked_project(owner)
    url = api_url("project-activity", project)
    bob_id = anonymized_worker_id(user=bob, organization=owner.organization)

    everything = owner_client.get(url).json()
    bobs = owner_client.get(url, {"worker_id": bob_id, "kind": "released"}).json()

    assert [event["kind"] for event in everything["results"]] == [
        "released",
        "accepted",
        "submitted",
        "accepted",
        "submitted",
        "accepted",
    ]
    assert everything["next_before"] is None
    assert [(e["kind"], e["worker_id"]) for e in bobs["results"]] == [("released", bob_id)]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"kind": "teleported"}, 400, "kind"),
        ({"before": "yesterday"}, 400, "before"),
        ({"since": "soon"}, 400, "since"),
        ({"worker_id": "WNOBODY"}, 404, None),
    ],
)
def test_bad_activity_filters_are_refused(owner, owner_client, params, status, field):
    project, _, _ = worked_project(owner)

    response = owner_client.get(api_url("project-activity", project), params)

    assert response.status_code == status
    if field:
        assert field in response.json()["details"]


def test_refresh_recomputes_in_a_job(owner, owner_client, django_capture_on_commit_callbacks):
    project, (ann, _) = text_project(owner, items=2)
    services.project_stats_refresh(project=project)
    submit(project, ann)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(api_url("project-report-refresh", project))

    assert response.status_code == 202
    assert ProjectStats.objects.get(project=project).answers_submitted == 1


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("project-report", "get"),
        ("project-report-refresh", "post"),
        ("project-report-workers", "get"),
        ("project-activity", "get"),
    ],
)
def test_another_organizations_project_is_a_404(owner, name, method):
    project, _, _ = worked_project(owner)
    assert_other_organization_gets_404(api_url(name, project), method=method)


def test_workers_cannot_read_project_reports(owner):
    project, ann, _ = worked_project(owner)
    client = APIClient()
    client.force_authenticate(ann)

    assert client.get(api_url("project-report", project)).status_code == 403
    assert client.get(api_url("project-activity", project)).status_code == 403


def test_a_worker_sees_only_their_own_figures(owner):
    project, ann, bob = worked_project(owner)
    client = APIClient()
    client.force_login(ann)

    rows = client.get(reverse("work-report")).json()["results"]
    page = Client()
    page.force_login(ann)
    html = page.get(reverse("work_report")).content.decode()

    assert rows == [
        {
            "project": "sentiment",
            "answers_submitted": 1,
            "assignments_declined": 0,
            "assignments_released": 0,
            "assignments_expired": 0,
            "median_seconds": 12.0,
            "p90_seconds": 12.0,
            "earnings": "0.0000",
            "answers_approved": 0,
            "answers_rejected": 0,
            "accuracy": None,
            "agreement": None,
            "gold_answers": None,
            "gold_accuracy": None,
        }
    ]
    assert "sentiment" in html and bob.email not in html


def page_url(name, project) -> str:
    return reverse(name, kwargs={"org_slug": project.organization.slug, "project_id": project.id})


def test_the_dashboard_page_shows_charts_and_tables_in_few_queries(
    owner, django_assert_num_queries
):
    project, ann, _ = worked_project(owner)
    client = Client()
    client.force_login(owner.user)

    # session, user, organization and membership, project, figures (5), escrow, one per
    # event kind (8)
    with django_assert_num_queries(21):
        response = client.get(page_url("project_report", project))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") == 5 and 'role="img"' in html
    assert "<title>Labeled: 2</title>" in html
    assert anonymized_worker_id(user=ann, organization=owner.organization) in html
    assert ann.email not in html


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_downloads_stream_every_table(owner):
    project, ann, bob = worked_project(owner)
    client = Client()
    client.force_login(owner.user)
    ann_id = anonymized_worker_id(user=ann, organization=owner.organization)

    workers = read_csv(client.get(page_url("project_workers_csv", project)))
    answers = read_csv(client.get(page_url("project_answers_csv", project)))
    activity = read_csv(client.get(page_url("project_activity_csv", project) + "?kind=submitted"))

    assert workers[0] == [
        "worker_id",
        "answers",
        "declined",
        "released",
        "expired",
        "median_seconds",
        "p90_seconds",
        "approved",
        "rejected",
        "earnings",
        "accuracy",
        "agreement",
        "gold_accuracy",
    ]
    assert sorted(row[:10] for row in workers[1:]) == sorted(
        [
            [ann_id, "1", "0", "0", "0", "12.0", "12.0", "0", "0", "0.0000"],
            [anonymized_worker_id(user=bob, organization=owner.organization)]
            + ["1", "0", "1", "0", "8.0", "8.0", "0", "0", "0.0000"],
        ]
    )
    assert answers == [["hour", "answers"], ["2026-11-20T09:00:00+00:00", "2"]]
    assert [row[1] for row in activity] == ["event", "submitted", "submitted"]
    assert activity[2][2] == ann_id


def test_report_pages_of_another_organization_are_404(owner):
    project, _, _ = worked_project(owner)
    outsider = MembershipFactory()
    client = Client()
    client.force_login(outsider.user)

    for name in ("project_report", "project_workers_csv", "project_activity_csv"):
        assert client.get(page_url(name, project)).status_code == 404


def test_the_periodic_sweep_refreshes_running_and_newly_ended_projects(
    owner, django_capture_on_commit_callbacks
):
    running, _ = text_project(owner, items=1, name="running")
    ended, _ = text_project(owner, items=1, name="ended", dataset_name="other", team_name="second")
    services.project_stats_refresh(project=ended)
    Project.objects.filter(pk=ended.pk).update(status="stopped", ended_at=T0)
    draft, _ = text_project(
        owner, items=1, name="draft", dataset_name="third", team_name="third", start=False
    )

    with django_capture_on_commit_callbacks(execute=True):
        due = jobs.project_stats_refresh_due()

    assert due == 1  # running; ended was refreshed after it ended; drafts never
    assert set(ProjectStats.objects.values_list("project_id", flat=True)) == {
        running.pk,
        ended.pk,
    }
    assert not ProjectStats.objects.filter(project=draft).exists()


def test_the_organization_overview_rolls_up_projects_teams_and_months(owner, owner_client):
    first, ann, _ = worked_project(owner)  # 2 answers in 2026-11
    second, (cyd,) = text_project(
        owner, items=2, workers=1, name="second", dataset_name="more", team_name="second-team"
    )
    timed(submit(second, cyd), taken=T0.replace(month=10), seconds=4)
    services.project_stats_refresh(project=second)

    body = owner_client.get(reverse("organization-overview", args=[owner.organization.slug])).json()
    page = Client()
    page.force_login(owner.user)
    html = page.get(reverse("organization_report", args=[owner.organization.slug])).content
    projects_csv = read_csv(
        page.get(reverse("organization_projects_csv", args=[owner.organization.slug]))
    )

    assert [(p["name"], p["tasks_total"], p["answers_submitted"]) for p in body["projects"]] == [
        ("second", 2, 1),
        ("sentiment", 4, 2),
    ]
    unpaid = {"vendor": "", "cost": "0.0000", "approved": 0, "rejected": 0}
    assert body["teams"] == [
        {"team": "annotators", "projects": 1, "tasks": 4, "labeled": 2, "answers": 2, **unpaid},
        {"team": "second-team", "projects": 1, "tasks": 2, "labeled": 1, "answers": 1, **unpaid},
    ]
    assert body["spend"] == "0.0000"
    # consolidated when each task got its answer: now, whatever time the answers say
    assert body["labeled_monthly"] == [{"month": f"{timezone.now():%Y-%m}", "items": 3}]
    assert [row["answers"] for row in body["leaderboards"]["annotators"]] == [1, 1]
    assert body["leaderboards"]["second-team"] == [
        {
            "worker_id": anonymized_worker_id(user=cyd, organization=owner.organization),
            "answers": 1,
            "approved": 0,
            "earnings": "0.0000",
        }
    ]
    assert body["monthly"] == [
        {"month": "2026-10", "answers": 1},
        {"month": "2026-11", "answers": 2},
    ]
    assert b"Answers per month, all projects" in html
    teams_csv = read_csv(
        page.get(reverse("organization_teams_csv", args=[owner.organization.slug]))
    )
    assert teams_csv[0] == [
        "team",
        "vendor",
        "projects",
        "tasks",
        "labeled",
        "answers",
        "approved",
        "rejected",
        "cost",
    ]
    assert teams_csv[1] == ["annotators", "", "1", "4", "2", "2", "0", "0", "0.0000"]
    assert [row[:6] for row in projects_csv[1:]] == [
        ["second", "in_progress", "second-team", "2", "1", "1"],
        ["sentiment", "in_progress", "annotators", "4", "2", "2"],
    ]


def test_the_overview_of_another_organization_is_a_404(owner):
    worked_project(owner)
    assert_other_organization_gets_404(
        reverse("organization-overview", args=[owner.organization.slug])
    )
    outsider = MembershipFactory()
    client = Client()
    client.force_login(outsider.user)
    url = reverse("organization_report", args=[owner.organization.slug])
    assert client.get(url).status_code == 404
