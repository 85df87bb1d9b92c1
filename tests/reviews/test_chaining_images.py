"""Verification and adjustment projects over image annotation projects (boxes, polygons,
polylines, key points): the prior shapes shown over the image or pre-filled, the answers
validated in the right type, and output lines that keep the prior label."""

import json
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from apps.datasets.models import Dataset, Item
from apps.projects.models import Project
from apps.tasks import services as task_services
from apps.tasks.quality import project_output_lines
from apps.tasks.validation import InvalidAnswer
from apps.taskui.templating import render_task_template
from tests.images.helpers import image_project
from tests.reviews.test_chaining import chain, submit
from tests.tenancy import assert_other_organization_gets_404

pytestmark = pytest.mark.django_db

SIZE = {"width": 800, "height": 600}
SQUARE = [{"x": 100, "y": 100}, {"x": 300, "y": 100}, {"x": 300, "y": 250}]
WIRE = [{"x": 10, "y": 500}, {"x": 400, "y": 480}, {"x": 790, "y": 520}]

# task type -> (the element and its answer name, one answer's shapes, what the source's
# output line holds for them, an adjusted answer's shapes, what the adjusted line holds)
CASES = {
    "bounding_box": (
        "crowd-bounding-box",
        "boundingBox",
        {
            "boundingBoxes": [
                {"label": "person", "left": 40, "top": 50, "width": 200, "height": 300}
            ]
        },
        {"annotations": [{"class_id": 1, "left": 40, "top": 50, "width": 200, "height": 300}]},
        {
            "boundingBoxes": [
                {"label": "person", "left": 60, "top": 50, "width": 220, "height": 300}
            ]
        },
        {"annotations": [{"class_id": 1, "left": 60, "top": 50, "width": 220, "height": 300}]},
    ),
    "polygon": (
        "crowd-polygon",
        "crowd-polygon",
        {"polygons": [{"label": "person", "vertices": SQUARE}]},
        {"polygons": [{"class_id": 1, "vertices": SQUARE}]},
        {"polygons": [{"label": "car", "vertices": SQUARE}]},
        {"polygons": [{"class_id": 0, "vertices": SQUARE}]},
    ),
    "polyline": (
        "crowd-polyline",
        "crowd-polyline",
        {"polylines": [{"label": "person", "vertices": WIRE}]},
        {"polylines": [{"class_id": 1, "vertices": WIRE}]},
        {"polylines": [{"label": "person", "vertices": WIRE[:2]}]},
        {"polylines": [{"class_id": 1, "vertices": WIRE[:2]}]},
    ),
    "keypoint": (
        "crowd-keypoint",
        "crowd-keypoint",
        {"keypoints": [{"label": "person", "x": 410, "y": 90}]},
        {"keypoints": [{"class_id": 1, "x": 410, "y": 90}]},
        {"keypoints": [{"label": "person", "x": 420, "y": 95}]},
        {"keypoints": [{"class_id": 1, "x": 420, "y": 95}]},
    ),
}
# what the drawing elements take as `initial-value`, and the overlay shows, for CASES' answers
PRIOR = {
    "bounding_box": [{"label": "person", "left": 40, "top": 50, "width": 200, "height": 300}],
    "polygon": [{"label": "person", "vertices": SQUARE}],
    "polyline": [{"label": "person", "vertices": WIRE}],
    "keypoint": [{"label": "person", "x": 410, "y": 90}],
}
OVERLAY_KEYS = {
    "bounding_box": "boundingBox",
    "polygon": "polygon",
    "polyline": "polyline",
    "keypoint": "keypoint",
}
TYPES = {
    "bounding_box": "groundtruth/object-detection",
    "polygon": "groundtruth/polygon",
    "polyline": "groundtruth/polyline",
    "keypoint": "groundtruth/keypoint",
}
IMAGE = [{**SIZE, "depth": 3}]


class Attributes(HTMLParser):
    """The attributes of every element of a page, by tag (as a browser decodes them)."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: dict[str, dict] = {}
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = dict(attrs)


def labeled_image_source(owner, task_type: str):
    """A `task_type` project over one 800x600 image, labeled by its one worker with CASES'
    shapes; returns (project, worker)."""
    name, shapes = CASES[task_type][1:3]
    source, (worker,) = image_project(owner, task_type, ["car", "person"], sizes=[(800, 600)])
    submit(worker, source, {name: {**shapes, "inputImageProperties": SIZE}})
    source.refresh_from_db()
    return source, worker


def rendered(project: Project) -> dict[str, dict]:
    item = Item.objects.get(dataset=project.dataset)
    page = render_task_template(
        source=project.ui_template, task_input=item.data, grant_read_access=lambda ref: f"/o/{ref}"
    )
    return Attributes(page).tags


def started(owner, project: Project) -> Project:
    task_services.project_start(project=project, actor=owner.user)
    task_services.project_tasks_create(project=project)
    project.refresh_from_db()
    return project


def output_line(project: Project) -> dict:
    [line] = list(project_output_lines(project=project))
    return json.loads(line)


def assert_keeps_the_prior_label(line: dict, task_type: str) -> None:
    assert line["source-ref"] == "1.png"
    assert line["label"] == {"image_size": IMAGE, **CASES[task_type][3]}
    assert line["label-metadata"]["type"] == TYPES[task_type]
    assert line["label-metadata"]["class-map"] == {"0": "car", "1": "person"}
    assert line["label-metadata"]["job-name"] == f"labeling-job/{task_type.replace('_', '-')}"


@pytest.mark.parametrize("task_type", list(CASES))
def test_an_image_verification_shows_the_prior_shapes_and_keeps_both_labels(owner, task_type):
    source, worker = labeled_image_source(owner, task_type)

    project = started(
        owner,
        chain(
            owner,
            source,
            name="shapes-checked",
            label_attribute_name="label-checked",
            answers_per_item=1,
        ),
    )

    element = rendered(project)["crowd-image-classifier"]
    assert (element["name"], element["src"]) == ("verdict", "/o/1.png")
    assert json.loads(element["categories"]) == ["correct", "incorrect"]
    assert json.loads(element["overlay"]) == {
        OVERLAY_KEYS[task_type]: {"labels": ["car", "person"], "value": PRIOR[task_type]}
    }
    assert "crowd-text-area" in rendered(project)
    with pytest.raises(InvalidAnswer):
        submit(worker, project, {"verdict": {"label": "perhaps"}})
    submit(worker, project, {"verdict": {"label": "incorrect"}, "comment": "Too wide"})

    line = output_line(project)
    assert_keeps_the_prior_label(line, task_type)
    assert line["label-checked"] == "1"  # the verdict's class index, as a string
    metadata = line["label-checked-metadata"]
    assert (metadata["class-name"], metadata["type"], metadata["job-name"]) == (
        "incorrect",
        "groundtruth/label-verification",
        "labeling-job/shapes-checked",
    )
    assert metadata["worker-feedback"] == [{"comment": "Too wide"}]


@pytest.mark.parametrize("task_type", list(CASES))
def test_an_image_adjustment_prefills_the_prior_shapes_in_the_source_type(owner, task_type):
    tag, name, _shapes, _prior, adjusted, adjusted_output = CASES[task_type]
    source, worker = labeled_image_source(owner, task_type)

    project = started(
        owner,
        chain(
            owner,
            source,
            kind="adjustment",
            name="shapes-fixed",
            label_attribute_name="label-fixed",
            answers_per_item=1,
        ),
    )

    assert (project.task_type, project.label_names) == (task_type, ["car", "person"])
    element = rendered(project)[tag]
    assert (element["name"], element["src"]) == (name, "/o/1.png")
    assert json.loads(element["labels"]) == ["car", "person"]
    assert json.loads(element["initial-value"]) == PRIOR[task_type]
    [(key, [shape])] = adjusted.items()
    unknown_label = {key: [{**shape, "label": "tree"}], "inputImageProperties": SIZE}
    with pytest.raises(InvalidAnswer):  # the source type's validation applies
        submit(worker, project, {name: unknown_label})
    answer = {name: {**adjusted, "inputImageProperties": SIZE, "initialValueModified": True}}
    submit(worker, project, answer)

    line = output_line(project)
    assert_keeps_the_prior_label(line, task_type)
    assert line["label-fixed"] == {"image_size": IMAGE, **adjusted_output}
    metadata = line["label-fixed-metadata"]
    assert (metadata["type"], metadata["job-name"]) == (
        TYPES[task_type],
        "labeling-job/shapes-fixed",
    )
    assert metadata["class-map"] == {"0": "car", "1": "person"}
    if task_type == "bounding_box":  # Ground Truth's AdjustmentBoundingBox output
        assert metadata["adjustment-status"] == "adjusted"


def chain_url(owner, project: Project) -> str:
    return reverse(
        "project-chain", kwargs={"org_slug": owner.organization.slug, "project_id": project.pk}
    )


def test_an_instance_segmentation_source_is_refused_with_a_400_naming_it(owner, owner_client):
    source, _ = image_project(
        owner, "instance_segmentation", ["car"], label_attribute_name="objects-ref"
    )
    before = (Project.objects.count(), Dataset.objects.count())
    body = {
        "kind": "adjustment",
        "name": "objects-fixed",
        "label_attribute_name": "objects-fixed-ref",
        "workteam_id": source.workteam_id,
    }

    response = owner_client.post(chain_url(owner, source), body, format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {
        "source_project_id": [
            "A project of type instance_segmentation cannot be chained for adjustment yet."
        ]
    }
    assert (Project.objects.count(), Dataset.objects.count()) == before


def test_another_organizations_image_project_cannot_be_chained(owner, owner_client):
    source, _ = labeled_image_source(owner, "polygon")
    body = {
        "kind": "verification",
        "name": "shapes-checked",
        "label_attribute_name": "label-checked",
        "workteam_id": source.workteam_id,
    }

    assert_other_organization_gets_404(
        chain_url(owner, source),
        method="post",
        data=body,
        unchanged=[Project.objects.all(), Dataset.objects.all()],
    )
    response = owner_client.post(chain_url(owner, source), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["task_type"] == "label_verification"
