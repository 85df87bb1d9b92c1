"""A worker adjusts a prior job's boxes in a chained adjustment project: the boxes arrive
pre-drawn, the mouse moves one and resizes another, and the stored answer and the output
manifest line carry the adjusted boxes beside the original ones."""

import json
import re

from django.test import TestCase

from apps.reviews import services as review_services
from apps.tasks import services as task_services
from apps.tasks.models import Assignment
from apps.tasks.quality import project_output_lines
from tests.browser.conftest import screenshot
from tests.browser.images import Canvas
from tests.browser.test_image_work import (  # noqa: F401  (an autouse fixture)
    _object_urls_on_the_live_server,
    start_work,
)
from tests.browser.test_work_flow import FRAME
from tests.images.helpers import image_project

SIZE = {"width": 1200, "height": 900}
CAR = {"label": "car", "left": 300, "top": 225, "width": 300, "height": 225}
PERSON = {"label": "person", "left": 700, "top": 100, "width": 200, "height": 600}


def box_adjustment_project(owner):
    """A box project over one 1200x900 image labeled with CAR and PERSON, and a started
    adjustment project over it; returns (source, adjustment, worker)."""
    source, (worker,) = image_project(owner, "bounding_box", ["car", "person"], sizes=[(1200, 900)])
    assignment = task_services.assignment_next(
        worker=worker, workteam_ids=[source.workteam_id], project_id=source.pk
    )
    task_services.assignment_submit(
        assignment=assignment,
        worker=worker,
        answer={"boundingBox": {"boundingBoxes": [CAR, PERSON], "inputImageProperties": SIZE}},
    )
    adjustment = review_services.project_chain_create(
        organization=owner.organization,
        actor=owner.user,
        source_project=source,
        kind="adjustment",
        name="boxes-fixed",
        label_attribute_name="label-fixed",
        workteam=source.workteam,
        answers_per_item=1,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_services.project_start(project=adjustment, actor=owner.user)
    adjustment.refresh_from_db()
    return source, adjustment, worker


def test_worker_moves_and_resizes_prefilled_boxes_and_the_output_keeps_both(owner, worker_page):
    source, adjustment, worker = box_adjustment_project(owner)
    page = worker_page(worker)

    frame = start_work(page)
    canvas = Canvas(page, frame, "crowd-bounding-box", frame_selector=FRAME)
    element = frame.locator("crowd-bounding-box")
    assert element.evaluate("(element) => element.value") == {
        "inputImageProperties": SIZE,
        "boundingBoxes": [PERSON, CAR],  # the consolidated label's order (top to bottom)
        "initialValueModified": False,
    }
    drawn = "(e) => e.shadowRoot.querySelectorAll('.items rect.shape').length"
    assert element.evaluate(drawn) == 2  # drawn, not just in the value
    canvas.drag((450, 330), (500, 380))  # grab the car's middle: move it
    canvas.drag((900, 700), (950, 760))  # the person's bottom-right corner: resize it
    screenshot(page, "work-chained-box-adjustment")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    moved = {**CAR, "left": 350, "top": 275}
    resized = {**PERSON, "width": 250, "height": 660}
    assignment = Assignment.objects.get(project=adjustment)
    assert assignment.answer == {
        "boundingBox": {
            "inputImageProperties": SIZE,
            "boundingBoxes": [resized, moved],
            "initialValueModified": True,
        }
    }
    [line] = [json.loads(text) for text in project_output_lines(project=adjustment)]
    image_size = [{**SIZE, "depth": 3}]
    assert line["label"] == {
        "image_size": image_size,
        "annotations": [
            {"class_id": 1, "left": 700, "top": 100, "width": 200, "height": 600},
            {"class_id": 0, "left": 300, "top": 225, "width": 300, "height": 225},
        ],
    }
    assert line["label-metadata"]["job-name"] == "labeling-job/bounding-box"
    assert line["label-fixed"] == {
        "image_size": image_size,
        "annotations": [
            {"class_id": 1, "left": 700, "top": 100, "width": 250, "height": 660},
            {"class_id": 0, "left": 350, "top": 275, "width": 300, "height": 225},
        ],
    }
    metadata = line["label-fixed-metadata"]
    assert (metadata["type"], metadata["job-name"], metadata["adjustment-status"]) == (
        "groundtruth/object-detection",
        "labeling-job/boxes-fixed",
        "adjusted",
    )
    assert page.console_errors == []
