"""Server-side checks of image answers: exact messages, and nothing stored on refusal."""

import math
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.errors import DomainError
from apps.tasks.models import Assignment, Task
from apps.tasks.validation import polygon_problem, validate_answer
from tests.images.helpers import image_project, mask_base64

IMAGE = {"width": 800, "height": 600}


def project_of(task_type: str, labels=("cat", "dog")):
    return SimpleNamespace(task_type=task_type, label_names=list(labels))


def item_of(width=800, height=600):
    return SimpleNamespace(width=width, height=height, data={"source-ref": "1.png"})


def problem(task_type: str, value: dict, item=None, labels=("cat", "dog")) -> str:
    with pytest.raises(DomainError) as refused:
        validate_answer(
            project=project_of(task_type, labels), item=item or item_of(), answer={"x": value}
        )
    return refused.value.message


def box(**changes) -> dict:
    return {"label": "cat", "left": 10, "top": 20, "width": 100, "height": 50, **changes}


def test_boxes_inside_the_image_with_known_labels_pass():
    value = {"boundingBoxes": [box(), box(label="dog", left=700, width=100)]}
    validate_answer(project=project_of("bounding_box"), item=item_of(), answer={"b": value})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"left": 750}, "Box #1 (750, 20, 100x50) reaches outside the 800x600 image."),
        ({"top": -1}, "Box #1 (10, -1, 100x50) reaches outside the 800x600 image."),
        ({"width": -5}, "Box #1 has a width or height of zero or less (-5x50)."),
        ({"height": 0}, "Box #1 has a width or height of zero or less (100x0)."),
        ({"width": math.nan}, "Box #1 width must be a finite number, not NaN."),
        ({"left": math.inf}, "Box #1 left must be a finite number, not Infinity."),
        ({"top": "20"}, 'Box #1 top must be a finite number, not "20".'),
        ({"height": True}, "Box #1 height must be a finite number, not true."),
        ({"label": "horse"}, "Unknown label 'horse'; expected one of: cat, dog."),
    ],
)
def test_bad_boxes_are_refused_naming_the_box(changes, message):
    value = {"boundingBoxes": [box(**changes)], "inputImageProperties": IMAGE}
    assert problem("bounding_box", value) == message


def test_a_reported_image_size_must_match_the_probed_one():
    value = {"boundingBoxes": [], "inputImageProperties": {"width": 400, "height": 300}}
    assert problem("bounding_box", value) == (
        "inputImageProperties says 400x300, but the image is 800x600."
    )


def test_an_unprobed_item_is_checked_against_the_reported_size():
    unprobed = item_of(width=None, height=None)
    value = {
        "boundingBoxes": [box(left=390)],
        "inputImageProperties": {"width": 400, "height": 300},
    }
    assert problem("bounding_box", value, item=unprobed) == (
        "Box #1 (390, 20, 100x50) reaches outside the 400x300 image."
    )
    assert problem("bounding_box", {"boundingBoxes": []}, item=unprobed) == (
        "inputImageProperties (the image's width and height) is missing."
    )


def test_a_box_answer_of_the_wrong_shape_is_refused():
    assert problem("bounding_box", {"boxes": []}) == (
        'Expected {"boundingBoxes": [{label, left, top, width, height}, ...], '
        '"inputImageProperties": {...}}.'
    )


def square(x=100, y=100, size=50) -> list[dict]:
    return [
        {"x": x, "y": y},
        {"x": x + size, "y": y},
        {"x": x + size, "y": y + size},
        {"x": x, "y": y + size},
    ]


def test_simple_polygons_pass_also_with_an_explicit_closing_vertex():
    closed = square() + [square()[0]]
    value = {
        "polygons": [{"label": "cat", "vertices": square()}, {"label": "dog", "vertices": closed}]
    }
    validate_answer(project=project_of("polygon"), item=item_of(), answer={"p": value})


@pytest.mark.parametrize(
    ("vertices", "message"),
    [
        (
            [{"x": 0, "y": 0}, {"x": 100, "y": 100}, {"x": 100, "y": 0}, {"x": 0, "y": 100}],
            "Polygon #1 intersects itself (edges 1 and 3 cross).",
        ),
        ([{"x": 0, "y": 0}, {"x": 10, "y": 10}], "Polygon #1 needs a list of at least 3 vertices."),
        (
            [{"x": 0, "y": 0}, {"x": 10, "y": 10}, {"x": 0, "y": 0}],
            "Polygon #1 is not closed: a polygon needs at least 3 distinct vertices.",
        ),
        (
            [{"x": 0, "y": 0}, {"x": 10, "y": 10}, {"x": 20, "y": 20}],
            "Polygon #1 has no area (its vertices lie on one line).",
        ),
        (square(x=790), "Polygon #1 vertex #2 (840, 100) is outside the 800x600 image."),
        (
            [{"x": 1, "y": math.nan}, *square()],
            "Polygon #1 vertex #1 y must be a finite number, not NaN.",
        ),
    ],
)
def test_bad_polygons_are_refused(vertices, message):
    value = {"polygons": [{"label": "cat", "vertices": vertices}], "inputImageProperties": IMAGE}
    assert problem("polygon", value) == message


def test_polygon_problem_sees_a_vertex_touching_another_edge():
    # A "bow" whose fourth vertex lies on the first edge.
    assert polygon_problem([(0, 0), (100, 0), (100, 100), (50, 0)]).startswith("intersects itself")
    assert polygon_problem([(0, 0), (100, 0), (100, 100), (0, 100)]) == ""


def test_polylines_need_two_vertices_and_lines_exactly_two():
    ok = {"polylines": [{"label": "cat", "vertices": square()}], "inputImageProperties": IMAGE}
    validate_answer(project=project_of("polyline"), item=item_of(), answer={"l": ok})
    short = {
        "polylines": [{"label": "cat", "vertices": square()[:1]}],
        "inputImageProperties": IMAGE,
    }
    assert problem("polyline", short) == "Polyline #1 needs a list of at least 2 vertices."
    three = {"lines": [{"label": "dog", "vertices": square()[:3]}], "inputImageProperties": IMAGE}
    assert problem("polyline", three) == "Line #1 must have exactly 2 vertices."


def test_keypoints_inside_the_image():
    ok = {"keypoints": [{"label": "cat", "x": 0, "y": 600}], "inputImageProperties": IMAGE}
    validate_answer(project=project_of("keypoint"), item=item_of(), answer={"k": ok})
    outside = {"keypoints": [{"label": "dog", "x": 801, "y": 3}], "inputImageProperties": IMAGE}
    assert problem("keypoint", outside) == "Key point #1 (801, 3) is outside the 800x600 image."


def segmentation(png: str, mappings=None) -> dict:
    return {
        "inputImageProperties": IMAGE,
        "labelMappings": mappings or {"cat": {"color": "#1f77b4"}, "dog": {"color": "#ff7f0e"}},
        "labeledImage": {"pngImageData": png},
    }


def test_a_mask_of_the_image_size_in_label_colours_passes():
    png = mask_base64(800, 600, {"#1f77b4": (0, 0, 99, 99), "#ff7f0e": (200, 200, 300, 300)})
    validate_answer(
        project=project_of("semantic_segmentation"), item=item_of(), answer={"s": segmentation(png)}
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (segmentation(mask_base64(400, 300, {})), "The mask is 400x300; the image is 800x600."),
        (segmentation(mask_base64(800, 600, {}, fmt="JPEG")), "The mask is not a PNG image."),
        (segmentation("bm90IGEgcG5n"), "The mask is not a PNG image."),
        (segmentation("***"), "labeledImage.pngImageData is not valid base64."),
        (
            segmentation(mask_base64(800, 600, {"#00ff00": (0, 0, 5, 5)})),
            "The mask holds the colour #00ff00, which belongs to no label.",
        ),
        (
            segmentation(mask_base64(800, 600, {}), {"cat": {"color": "#ffffff"}}),
            "Label 'cat' uses white, the background colour.",
        ),
        (
            segmentation(mask_base64(800, 600, {}), {"cat": {"color": "red"}}),
            'Label \'cat\' needs a "color" like "#1f77b4".',
        ),
        (
            segmentation(
                mask_base64(800, 600, {}),
                {"cat": {"color": "#1f77b4"}, "dog": {"color": "#1F77B4"}},
            ),
            "Two labels share one colour.",
        ),
        (
            {"inputImageProperties": IMAGE, "labelMappings": {}},
            "labeledImage.pngImageData (the mask PNG, base64) is missing.",
        ),
    ],
)
def test_bad_masks_are_refused(value, message):
    assert problem("semantic_segmentation", value) == message


# Through the worker API: a refused answer stores nothing.


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_box_outside_the_image_is_400_over_the_api_and_nothing_is_stored(owner):
    _, (worker,) = image_project(owner, "bounding_box", ["cat", "dog"], sizes=[(640, 480)])
    client = client_for(worker)
    assignment = client.post(reverse("work-next"), {}, format="json").json()
    bad = {
        "boundingBox": {
            "boundingBoxes": [box(left=600)],
            "inputImageProperties": {"width": 640, "height": 480},
        }
    }

    response = client.post(
        reverse("work-submit", args=[assignment["id"]]), {"answer": bad}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_answer"
    assert (
        response.json()["message"] == "Box #1 (600, 20, 100x50) reaches outside the 640x480 image."
    )
    stored = Assignment.objects.get(pk=assignment["id"])
    assert (stored.status, stored.answer) == (Assignment.Status.ACTIVE, None)
    assert Task.objects.get().answers_received == 0

    good = {
        "boundingBox": {
            "boundingBoxes": [box(left=500)],
            "inputImageProperties": {"width": 640, "height": 480},
        }
    }
    response = client.post(
        reverse("work-submit", args=[assignment["id"]]), {"answer": good}, format="json"
    )
    assert response.status_code == 200
    assert Assignment.objects.get(pk=assignment["id"]).answer == good
