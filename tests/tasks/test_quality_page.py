"""The requester's quality page (settings, gold items) and unmarking gold (service, API)."""

import pytest
from django.urls import reverse

from apps.core.models import AuditEvent
from apps.datasets.models import Item
from apps.tasks import quality
from apps.tasks import services as task_services
from apps.tasks.models import GoldItem, ProjectQuality, Task
from apps.tasks.quality import control
from tests.factories import MembershipFactory
from tests.tenancy import assert_other_organization_gets_404
from tests.work import answer, text_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_page(client, owner):
    client.force_login(owner.user)
    return client


def page_url(project, name="project_quality_page", *args):
    return reverse(name, args=[project.organization.slug, project.pk, *args])


def item_at(project, line):
    return Item.objects.get(dataset=project.dataset, line_number=line)


def mark_gold(project, owner, line, label="positive"):
    item = item_at(project, line)
    quality.gold_items_set(
        project=project, actor=owner.user, items=[{"item_id": item.pk, "answer": {"label": label}}]
    )
    return item


SETTINGS = {
    "gold_rate": "0.2",
    "gold_min_answers": "3",
    "gold_pause_below": "0.6",
    "overlap_confidence_below": "0.8",
    "overlap_max_answers": "5",
}


def test_the_page_shows_the_settings_and_the_gold_items(owner_page, owner):
    project, _ = text_project(owner, items=3)
    mark_gold(project, owner, line=2, label="negative")

    response = owner_page.get(page_url(project))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="gold_rate" value="0.0"' in html
    assert "Gold items (1)" in html and "<code>negative</code>" in html
    assert page_url(project, "project_gold_remove", item_at(project, 2).pk) in html
    assert page_url(project) in owner_page.get(page_url(project, "project_page")).content.decode()


def test_saving_the_settings_form_stores_them(owner_page, owner):
    project, _ = text_project(owner, items=2)

    response = owner_page.post(page_url(project), SETTINGS)

    assert (response.status_code, response.url) == (302, page_url(project))
    settings = ProjectQuality.objects.get(project=project)
    assert (
        settings.gold_rate,
        settings.gold_min_answers,
        settings.gold_pause_below,
        settings.overlap_confidence_below,
        settings.overlap_max_answers,
    ) == (0.2, 3, 0.6, 0.8, 5)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("gold_rate", "0.7", "less than or equal to 0.5"),
        ("gold_rate", "-0.1", "greater than or equal to 0.0"),
        ("gold_min_answers", "0", "greater than or equal to 1"),
        ("gold_pause_below", "lots", "Enter a number."),
        ("overlap_max_answers", "12", "less than or equal to 9"),
    ],
)
def test_a_setting_out_of_range_is_a_form_error_on_its_field_and_saves_nothing(
    owner_page, owner, field, value, message
):
    project, _ = text_project(owner, items=2)

    response = owner_page.post(page_url(project), {**SETTINGS, field: value})

    assert response.status_code == 400
    errors = response.context["settings_form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert message in response.content.decode()
    assert not ProjectQuality.objects.filter(project=project).exists()


def test_marking_a_line_as_gold_on_the_page_makes_its_task_gold(owner_page, owner):
    project, _ = text_project(owner, items=3)

    response = owner_page.post(
        page_url(project, "project_gold_add"), {"line": "3", "answer": "negative"}
    )

    assert (response.status_code, response.url) == (302, page_url(project))
    item = item_at(project, 3)
    assert GoldItem.objects.get(project=project).answer == {"label": "negative"}
    assert Task.objects.get(project=project, item=item).is_gold is True


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"line": "1", "answer": "neutral"}, "answer", "Select a valid choice"),
        ({"line": "9", "answer": "positive"}, "line", "The dataset has no line 9."),
        ({"line": "0", "answer": "positive"}, "line", "greater than or equal to 1"),
    ],
)
def test_a_bad_gold_item_is_a_form_error_on_its_field_and_marks_nothing(
    owner_page, owner, data, field, message
):
    project, _ = text_project(owner, items=3)

    response = owner_page.post(page_url(project, "project_gold_add"), data)

    assert response.status_code == 400
    errors = response.context["gold_form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert not GoldItem.objects.exists()
    assert not Task.objects.filter(is_gold=True).exists()


def test_a_gold_answer_the_task_type_refuses_is_an_error_on_the_answer(owner_page, owner):
    project, _ = text_project(
        owner,
        items=1,
        task_type="text_classification_multilabel",
        name="topics",
        label_attribute_name="topics",
    )
    blank = owner_page.get(page_url(project)).content.decode()
    assert 'name="answer"' in blank and "null</textarea>" not in blank

    response = owner_page.post(
        page_url(project, "project_gold_add"), {"line": "1", "answer": '{"labels": ["spam"]}'}
    )

    assert response.status_code == 400
    assert "spam" in response.context["gold_form"].errors["answer"][0]
    assert not GoldItem.objects.exists()


def test_unmarking_on_the_page_returns_an_unanswered_task_to_the_queue(owner_page, owner):
    project, (worker, _) = text_project(owner, items=2, answers_per_item=2)
    item = mark_gold(project, owner, line=1)

    response = owner_page.post(page_url(project, "project_gold_remove", item.pk))

    assert (response.status_code, response.url) == (302, page_url(project))
    assert not GoldItem.objects.exists()
    task = Task.objects.get(project=project, item=item)
    assert (task.is_gold, task.answers_needed, task.status) == (False, 2, "open")
    assert AuditEvent.objects.filter(action="project.gold_item_unset").count() == 1
    claimed = task_services.assignment_next(worker=worker, workteam_ids=[project.workteam_id])
    assert claimed.task.item_id == item.pk  # the oldest open task again


def test_unmarking_a_gold_task_with_enough_answers_labels_it(owner_client, owner, monkeypatch):
    project, workers = text_project(owner, items=2, answers_per_item=1)
    item = mark_gold(project, owner, line=1, label="negative")
    quality.project_settings_update(project=project, actor=owner.user, gold_rate=0.5)
    monkeypatch.setattr(control, "_draw", lambda: 0.1)  # below the rate: gold first
    for worker in workers:  # both answer the gold task as a test question
        assignment = task_services.assignment_next(
            worker=worker, workteam_ids=[project.workteam_id]
        )
        assert assignment.task.item_id == item.pk
        task_services.assignment_submit(
            assignment=assignment, worker=worker, answer=answer("positive")
        )

    response = owner_client.delete(
        reverse("project-gold-item", args=[owner.organization.slug, project.pk, item.pk])
    )

    assert response.status_code == 204
    task = Task.objects.get(project=project, item=item)
    assert (task.is_gold, task.status, task.answers_received) == (False, "answered", 2)
    assert (task.consolidated_label, task.confidence > 0.5) == ({"label": "positive"}, True)
    again = owner_client.delete(
        reverse("project-gold-item", args=[owner.organization.slug, project.pk, item.pk])
    )
    assert (again.status_code, again.json()["code"]) == (404, "not_found")


def test_gold_pages_and_unmarking_of_another_organization_are_404(client, owner):
    project, _ = text_project(owner, items=2)
    item = mark_gold(project, owner, line=1)
    client.force_login(MembershipFactory().user)

    assert client.get(page_url(project)).status_code == 404
    assert client.post(page_url(project), SETTINGS).status_code == 404
    gold_add = {"line": "2", "answer": "positive"}
    assert client.post(page_url(project, "project_gold_add"), gold_add).status_code == 404
    assert client.post(page_url(project, "project_gold_remove", item.pk)).status_code == 404
    assert_other_organization_gets_404(
        reverse("project-gold-item", args=[owner.organization.slug, project.pk, item.pk]),
        method="delete",
        unchanged=[GoldItem.objects.all(), Task.objects.filter(is_gold=True)],
    )
    assert GoldItem.objects.count() == 1
    assert not ProjectQuality.objects.filter(project=project).exists()
