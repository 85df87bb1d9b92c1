"""Verification and adjustment projects over another project's output."""

import json

import pytest
from django.urls import reverse

from apps.core.errors import DomainError
from apps.datasets.manifest import label_verification_label, manifest_lines
from apps.datasets.models import Item
from apps.projects.models import Project
from apps.reviews import services
from apps.tasks import services as task_services
from apps.tasks.validation import InvalidAnswer
from apps.taskui.templating import render_task_template
from tests.tenancy import assert_other_organization_gets_404
from tests.work import answer, text_project

pytestmark = pytest.mark.django_db


def submit(worker, project, value):
    assignment = task_services.assignment_next(
        worker=worker, workteam_ids=[project.workteam_id], project_id=project.pk
    )
    return task_services.assignment_submit(assignment=assignment, worker=worker, answer=value)


@pytest.fixture
def labeled_source(owner):
    """Two texts, each answered by two of three workers: text 0 positive twice; text 1
    negative then positive (a tie: the first answer wins)."""
    project, people = text_project(owner, items=2, workers=3, answers_per_item=2)
    submit(people[0], project, answer("positive"))
    submit(people[0], project, answer("negative"))
    submit(people[1], project, answer("positive"))
    submit(people[1], project, answer("positive"))
    project.refresh_from_db()
    return project, people


def chain(owner, source, kind="verification", **fields):
    return services.project_chain_create(
        organization=owner.organization,
        actor=owner.user,
        source_project=source,
        kind=kind,
        name=fields.pop("name", f"sentiment-{kind}"),
        label_attribute_name=fields.pop("label_attribute_name", f"sentiment-{kind}"),
        workteam=source.workteam,
        **fields,
    )


def test_a_verification_project_carries_the_source_labels_on_its_items(owner, labeled_source):
    source, _ = labeled_source

    project = chain(owner, source)

    assert (project.task_type, project.status, project.label_names) == (
        "label_verification",
        "draft",
        ["correct", "incorrect"],
    )
    lines = [
        item.data for item in Item.objects.filter(dataset=project.dataset).order_by("line_number")
    ]
    assert [(line["source"], line["sentiment"]) for line in lines] == [
        ("text number 0", 0),
        ("text number 1", 1),  # a tie: the first submitted answer (negative) wins
    ]
    assert lines[0]["sentiment-metadata"]["class-name"] == "positive"
    assert lines[0]["sentiment-metadata"]["confidence"] == 1.0
    assert lines[1]["sentiment-metadata"]["class-name"] == "negative"
    assert lines[1]["sentiment-metadata"]["confidence"] == 0.5
    assert lines[0]["sentiment-metadata"]["job-name"] == "labeling-job/sentiment"


def test_workers_verify_in_the_queue_and_the_output_keeps_both_labels(owner, labeled_source):
    source, people = labeled_source
    project = chain(owner, source, answers_per_item=1)
    task_services.project_start(project=project, actor=owner.user)
    task_services.project_tasks_create(project=project)
    project.refresh_from_db()
    item = Item.objects.filter(dataset=project.dataset).order_by("line_number").first()
    page = render_task_template(source=project.ui_template, task_input=item.data)
    assert "Label: <strong>positive</strong>" in page
    assert "text number 0" in page

    with pytest.raises(InvalidAnswer):
        submit(people[2], project, {"verdict": {"label": "maybe"}})
    verified = submit(
        people[2], project, {"verdict": {"label": "incorrect"}, "comment": "It is neutral"}
    )

    label = label_verification_label(
        class_index=1,
        class_name=verified.answer["verdict"]["label"],
        confidence=0.0,
        comments=[verified.answer["comment"]],
        job_name=project.name,
        creation_date=verified.submitted_at,
    )
    [line] = manifest_lines(
        [verified.task.item], "sentiment-verification", {verified.task.item_id: label}
    )
    output = json.loads(line)
    assert output["sentiment"] == 0
    assert output["sentiment-metadata"]["class-name"] == "positive"
    assert output["sentiment-verification"] == "1"
    assert output["sentiment-verification-metadata"]["worker-feedback"] == [
        {"comment": "It is neutral"}
    ]


def test_an_adjustment_project_shows_the_prior_label_in_the_source_type(owner, labeled_source):
    source, _ = labeled_source

    project = chain(owner, source, kind="adjustment")

    assert (project.task_type, project.label_names) == (
        "text_classification",
        ["positive", "negative"],
    )
    item = Item.objects.filter(dataset=project.dataset).order_by("line_number").first()
    page = render_task_template(source=project.ui_template, task_input=item.data)
    assert 'header="Prior label: positive. Choose the right one."' in page


def test_an_entity_adjustment_is_prefilled_with_the_prior_entities(owner):
    source, people = text_project(
        owner,
        items=1,
        workers=1,
        task_type="named_entity_recognition",
        label_attribute_name="entities",
        labels=[{"label": "person"}, {"label": "place"}],
    )
    entity = {"label": "place", "startOffset": 5, "endOffset": 11}
    submit(people[0], source, {"crowd-entity-annotation": {"entities": [entity]}})
    source.refresh_from_db()

    project = chain(owner, source, kind="adjustment", label_attribute_name="entities-fixed")

    item = Item.objects.get(dataset=project.dataset)
    assert item.data["entities"]["annotations"]["entities"] == [entity]
    page = render_task_template(source=project.ui_template, task_input=item.data)
    assert 'initial-value="[{&#34;label&#34;: &#34;place&#34;' in page


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "rework"}, "kind"),
        ({"label_attribute_name": "sentiment"}, "label_attribute_name"),
        ({"name": "bad name!"}, "name"),
    ],
)
def test_bad_chains_are_refused_and_write_nothing(owner, labeled_source, fields, field):
    source, _ = labeled_source
    projects = Project.objects.count()

    with pytest.raises(DomainError) as refused:
        chain(owner, source, **fields)

    assert list(refused.value.details) == [field]
    assert Project.objects.count() == projects


def test_a_source_without_labels_cannot_be_chained(owner):
    source, _ = text_project(owner, items=1, workers=1)

    with pytest.raises(DomainError) as refused:
        chain(owner, source)

    assert refused.value.details == {"source_project_id": ["The source project has no labels yet."]}


def test_chain_through_the_api_and_404_for_another_organization(
    owner, owner_client, labeled_source
):
    source, _ = labeled_source
    url = reverse(
        "project-chain", kwargs={"org_slug": owner.organization.slug, "project_id": source.pk}
    )
    body = {
        "kind": "verification",
        "name": "check-sentiment",
        "label_attribute_name": "sentiment-checked",
        "workteam_id": source.workteam_id,
        "verdict_labels": ["right", "wrong"],
    }

    assert_other_organization_gets_404(
        url, method="post", data=body, unchanged=[Project.objects.all()]
    )
    response = owner_client.post(url, body, format="json")
    bad = owner_client.post(url, {**body, "name": "again", "kind": "nope"}, format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["task_type"], response.json()["labels"][0]["label"]) == (
        "label_verification",
        "right",
    )
    assert bad.status_code == 400
    assert list(bad.json()["details"]) == ["kind"]
