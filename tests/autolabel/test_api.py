"""The automated-labeling API and page: settings, figures, rounds, spot-checks."""

import pytest
from django.urls import reverse

from apps.autolabel import services
from apps.autolabel.models import AutolabelSettings, SpotCheck
from apps.tasks.models import Task
from tests.autolabel.helpers import autolabel_project, enable, label_by_people, text_truth
from tests.tenancy import assert_other_organization_gets_404

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_datasets(settings):
    settings.AUTOLABEL_MIN_ITEMS = 150


def url(name, project):
    return reverse(name, args=[project.organization.slug, project.pk])


def auto_labeled_project(owner):
    project, workers = autolabel_project(owner)
    enable(project, owner)
    services.autolabel_round_run(project_id=project.pk)
    label_by_people(project, workers, text_truth, 100)
    services.autolabel_round_run(project_id=project.pk)
    return project


def test_enabling_through_the_api_reports_the_state(owner, owner_client):
    project, _ = autolabel_project(owner, items=160, start=False)

    response = owner_client.put(
        url("project-autolabel", project), {"enabled": True, "target_accuracy": 0.97}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["settings"]["state"] == "running"
    assert body["settings"]["target_accuracy"] == 0.97
    assert (body["items"], body["human_labeled"], body["model_labeled"]) == (0, 0, 0)


def test_a_refused_enable_names_the_reason_and_writes_nothing(owner, owner_client, settings):
    settings.AUTOLABEL_MIN_ITEMS = 1250
    project, _ = autolabel_project(owner, items=160, start=False)

    response = owner_client.put(url("project-autolabel", project), {"enabled": True}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "autolabel_refused"
    assert "The dataset has 160 items" in response.json()["details"]["dataset"][0]
    assert not AutolabelSettings.objects.filter(project=project, state="running").exists()


def test_a_bad_target_is_a_400_naming_the_field(owner, owner_client):
    project, _ = autolabel_project(owner, items=160, start=False)

    response = owner_client.put(
        url("project-autolabel", project), {"enabled": True, "target_accuracy": 2}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["target_accuracy"]
    assert not AutolabelSettings.objects.filter(project=project).exists()


def test_every_autolabel_endpoint_is_404_to_another_organization(owner):
    project, _ = autolabel_project(owner, items=160, start=False)

    for name in ("project-autolabel", "project-autolabel-rounds", "project-autolabel-spot-checks"):
        assert_other_organization_gets_404(url(name, project))


def test_another_organization_cannot_enable_or_spot_check(owner, api_client):
    from tests.factories import MembershipFactory

    project, _ = autolabel_project(owner, items=160, start=False)
    api_client.force_authenticate(MembershipFactory().user)

    enabled = api_client.put(url("project-autolabel", project), {"enabled": True}, format="json")
    checked = api_client.post(
        url("project-autolabel-spot-checks", project),
        {"task_id": 1, "is_correct": True},
        format="json",
    )

    assert (enabled.status_code, checked.status_code) == (404, 404)
    assert not AutolabelSettings.objects.exists()
    assert not SpotCheck.objects.exists()


def test_rounds_figures_spot_checks_and_the_page(owner, owner_client, client):
    project = auto_labeled_project(owner)

    rounds = owner_client.get(url("project-autolabel-rounds", project)).json()["results"]
    assert [(r["number"], r["outcome"]) for r in rounds] == [(2, "auto_labeled"), (1, "waiting")]
    sample = owner_client.get(url("project-autolabel-spot-checks", project)).json()
    assert len(sample) == 20
    right, wrong = sample[0], sample[1]
    first = owner_client.post(
        url("project-autolabel-spot-checks", project),
        {"task_id": right["task_id"], "is_correct": True},
        format="json",
    )
    second = owner_client.post(
        url("project-autolabel-spot-checks", project),
        {"task_id": wrong["task_id"], "is_correct": False, "corrected_label": "negative"},
        format="json",
    )
    again = owner_client.post(
        url("project-autolabel-spot-checks", project),
        {"task_id": right["task_id"], "is_correct": False},
        format="json",
    )

    assert (first.status_code, second.status_code, again.status_code) == (201, 201, 409)
    corrected = Task.objects.get(pk=wrong["task_id"])
    assert (corrected.consolidated_label, corrected.label_model_version) == (
        {"label": "negative"},
        "",
    )
    summary = owner_client.get(url("project-autolabel", project)).json()
    model = Task.objects.filter(project=project).exclude(label_model_version="").count()
    assert (summary["human_labeled"], summary["model_labeled"]) == (101, model)
    assert (summary["spot_checks"], summary["spot_checks_correct"]) == (2, 1)
    validated = rounds[0]
    hits = validated["accuracy_above"] * validated["validation_above"] + 1
    assert summary["estimated_accuracy"] == pytest.approx(
        hits / (validated["validation_above"] + 2)
    )
    assert summary["estimated_low"] < summary["estimated_accuracy"] < summary["estimated_high"]
    client.force_login(owner.user)
    page = client.get(reverse("autolabel_page", args=[owner.organization.slug, project.pk]))
    assert page.status_code == 200
    assert "Labeled by the model" in page.content.decode()


def test_spot_checks_far_below_the_target_stop_the_loop(owner):
    project = auto_labeled_project(owner)
    tasks = list(
        Task.objects.filter(project=project)
        .exclude(label_model_version="")
        .values_list("pk", flat=True)[:10]
    )

    for task_id in tasks[:9]:
        services.spot_check_record(
            project=project, task_id=task_id, actor=owner.user, is_correct=False
        )
    assert AutolabelSettings.objects.get(project=project).state == "running"  # too few yet
    for task_id in tasks[9:]:
        services.spot_check_record(
            project=project, task_id=task_id, actor=owner.user, is_correct=False
        )

    settings_row = AutolabelSettings.objects.get(project=project)
    assert settings_row.state == "stopped"
    assert settings_row.stop_reason.startswith("Spot-checks found 0 of 10 auto-labels right")
    assert services.autolabel_round_run(project_id=project.pk) is None
