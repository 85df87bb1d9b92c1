"""A project's output manifest: downloaded, exported from a shell, chained into a dataset."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.datasets.models import Dataset, Item
from apps.tasks import quality
from apps.tasks import services as task_services
from tests.tenancy import assert_other_organization_gets_404
from tests.work import answer, text_project

pytestmark = pytest.mark.django_db


def labeled(owner):
    """Three texts: the first two answered (positive, negative), the third not yet."""
    project, (worker, _) = text_project(owner, items=3)
    for label in ("positive", "negative"):
        assignment = task_services.assignment_next(
            worker=worker, workteam_ids=[project.workteam_id]
        )
        task_services.assignment_submit(assignment=assignment, worker=worker, answer=answer(label))
    return project


def streamed(response) -> list[dict]:
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_the_output_carries_consolidated_labels_and_leaves_unlabeled_lines_as_they_are(
    owner, owner_client
):
    project = labeled(owner)

    response = owner_client.get(
        reverse("project-output", args=[owner.organization.slug, project.id])
    )

    lines = streamed(response)
    assert response["Content-Disposition"] == 'attachment; filename="sentiment.manifest"'
    assert [line["source"] for line in lines] == [f"text number {n}" for n in range(3)]
    assert [line.get("sentiment") for line in lines] == [0, 1, None]
    metadata = lines[0]["sentiment-metadata"]
    assert (metadata["class-name"], metadata["human-annotated"], metadata["type"]) == (
        "positive",
        "yes",
        "groundtruth/text-classification",
    )
    assert metadata["job-name"] == "labeling-job/sentiment"
    assert "sentiment-metadata" not in lines[2]


def test_gold_items_are_not_part_of_the_output(owner, owner_client):
    project = labeled(owner)
    gold = Item.objects.get(dataset=project.dataset, line_number=3)
    quality.gold_items_set(
        project=project,
        actor=owner.user,
        items=[{"item_id": gold.pk, "answer": {"label": "positive"}}],
    )

    lines = list(quality.project_output_lines(project=project))

    assert len(lines) == 2 and "text number 2" not in "".join(lines)


def test_the_shell_command_exports_the_same_lines_by_project_name(owner, tmp_path):
    project = labeled(owner)
    target = tmp_path / "out.manifest"

    call_command(
        "export_manifest", org=owner.organization.slug, project="sentiment", out=str(target)
    )

    assert target.read_text() == "".join(quality.project_output_lines(project=project))
    with pytest.raises(CommandError, match="No project 'nope'"):
        call_command("export_manifest", org=owner.organization.slug, project="nope", out="-")


def test_a_dataset_from_the_output_keeps_the_labels_and_filters_by_one(
    owner, owner_client, django_capture_on_commit_callbacks
):
    project = labeled(owner)
    url = reverse("project-output-dataset", args=[owner.organization.slug, project.id])

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            url,
            {"name": "positives", "filter_attribute": "sentiment", "filter_value": 0},
            format="json",
        )

    assert response.status_code == 201, response.content
    dataset = Dataset.objects.get(name="positives")
    [item] = Item.objects.filter(dataset=dataset)
    assert item.data["source"] == "text number 0"
    assert item.data["sentiment"] == 0
    assert item.data["sentiment-metadata"]["class-name"] == "positive"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "x", "filter_attribute": "sentiment"}, "filter_value"),
        ({"name": "reviews"}, "name"),  # taken by the project's own dataset
    ],
)
def test_bad_chaining_requests_name_the_field_and_create_nothing(owner, owner_client, body, field):
    project = labeled(owner)
    before = Dataset.objects.count()

    response = owner_client.post(
        reverse("project-output-dataset", args=[owner.organization.slug, project.id]),
        body,
        format="json",
    )

    assert 400 <= response.status_code < 500
    assert field in response.json()["details"]
    assert Dataset.objects.count() == before


def test_another_organizations_project_output_is_a_404(owner):
    project = labeled(owner)
    slug = owner.organization.slug
    assert_other_organization_gets_404(reverse("project-output", args=[slug, project.id]))
    assert_other_organization_gets_404(
        reverse("project-output-dataset", args=[slug, project.id]),
        method="post",
        data={"name": "stolen"},
        unchanged=[Dataset.objects.all()],
    )


SIZE = {"width": 200, "height": 100}
SHAPE_ANSWERS = {
    # task type: (two workers' answers, the consolidated value in the output line)
    "polygon": (
        [
            {"polygons": [{"label": "roof", "vertices": [{"x": x, "y": y} for x, y in square]}]}
            for square in (
                [(10, 10), (50, 10), (50, 50), (10, 50)],
                [(12, 10), (52, 10), (52, 50), (12, 50)],
            )
        ],
        {
            "polygons": [
                {
                    "class_id": 0,
                    "vertices": [
                        {"x": 10, "y": 10},
                        {"x": 50, "y": 10},
                        {"x": 50, "y": 50},
                        {"x": 10, "y": 50},
                    ],
                }
            ]
        },
    ),
    "polyline": (
        [
            {"polylines": [{"label": "door", "vertices": [{"x": 5, "y": 5}, {"x": 90, "y": y}]}]}
            for y in (60, 60)
        ],
        {"polylines": [{"class_id": 1, "vertices": [{"x": 5, "y": 5}, {"x": 90, "y": 60}]}]},
    ),
    "keypoint": (
        [{"keypoints": [{"label": "door", "x": x, "y": 40}]} for x in (100, 102)],
        {"keypoints": [{"class_id": 1, "x": 101, "y": 40}]},
    ),
}


@pytest.mark.parametrize("task_type", sorted(SHAPE_ANSWERS))
def test_consolidated_polygons_polylines_and_key_points_are_output_lines(owner, task_type):
    answers, expected = SHAPE_ANSWERS[task_type]
    project, workers = text_project(
        owner,
        items=1,
        task_type=task_type,
        name="shapes",
        label_attribute_name="shapes",
        labels=[{"label": "roof"}, {"label": "door"}],
        answers_per_item=2,
    )
    for worker, value in zip(workers, answers, strict=True):
        assignment = task_services.assignment_next(
            worker=worker, workteam_ids=[project.workteam_id]
        )
        task_services.assignment_submit(
            assignment=assignment,
            worker=worker,
            answer={"annotatedResult": {**value, "inputImageProperties": SIZE}},
        )

    [line] = [json.loads(text) for text in quality.project_output_lines(project=project)]

    assert line["shapes"] == {"image_size": [{**SIZE, "depth": 3}], **expected}
    metadata = line["shapes-metadata"]
    assert metadata["type"] == f"groundtruth/{task_type}"
    assert metadata["class-map"] == {"0": "roof", "1": "door"}
    assert metadata["human-annotated"] == "yes"
    assert metadata["job-name"] == "labeling-job/shapes"
    [found] = metadata["objects"]
    assert 0.5 < found["confidence"] <= 1.0
    assert set(metadata) == {
        "objects",
        "class-map",
        "type",
        "human-annotated",
        "creation-date",
        "job-name",
    }
