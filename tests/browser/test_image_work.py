"""A worker labels images end to end: the queue, the signed image URL in the task frame,
the server's validation, the stored answer and the output manifest line it becomes."""

import base64
import io
import json
import re
from datetime import UTC, datetime

import pytest
from PIL import Image

from apps.datasets.manifest import StoredItem, manifest_lines
from apps.tasks.models import Assignment
from apps.tasks.output_labels import output_label_from_answer
from tests.browser.conftest import screenshot
from tests.browser.images import Canvas
from tests.browser.test_work_flow import FRAME, task_frame
from tests.images.helpers import image_project, video_project

WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _object_urls_on_the_live_server(settings, live_server):
    """Signed object URLs name BASE_URL; the frame's policy allows our own origin only."""
    settings.BASE_URL = live_server.url


def start_work(page):
    page.goto("/work/tasks/")
    page.get_by_role("button", name="Start").first.click()
    page.wait_for_url(re.compile(r"/work/assignments/\d+/$"))
    return task_frame(page)


def output_line(assignment: Assignment, **options) -> dict:
    item = assignment.task.item
    label = output_label_from_answer(
        project=assignment.project,
        item=item,
        answer=assignment.answer,
        confidence=1.0,
        creation_date=WHEN,
        **options,
    )
    stored = StoredItem(item.id, json.dumps(item.data))
    return json.loads(next(manifest_lines([stored], "label", {item.id: label})))


def test_worker_draws_boxes_on_a_stored_image_and_the_output_line_follows(owner, worker_page):
    project, (worker,) = image_project(
        owner, "bounding_box", ["car", "person"], sizes=[(1200, 900)]
    )
    page = worker_page(worker)
    frame = start_work(page)
    assert "/objects/" in frame.locator("crowd-bounding-box").get_attribute("src")
    canvas = Canvas(page, frame, "crowd-bounding-box", frame_selector=FRAME)
    canvas.drag((300, 225), (600, 450))
    page.keyboard.press("Escape")
    page.keyboard.press("2")
    canvas.drag((700, 100), (900, 700))
    screenshot(page, "work-bounding-box")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    assignment = Assignment.objects.select_related("task__item", "project").get(project=project)
    assert assignment.answer == {
        "boundingBox": {
            "inputImageProperties": {"width": 1200, "height": 900},
            "boundingBoxes": [
                {"label": "car", "left": 300, "top": 225, "width": 300, "height": 225},
                {"label": "person", "left": 700, "top": 100, "width": 200, "height": 600},
            ],
        }
    }
    assert output_line(assignment) == {
        "source-ref": "1.png",
        "label": {
            "image_size": [{"width": 1200, "height": 900, "depth": 3}],
            "annotations": [
                {"class_id": 0, "left": 300, "top": 225, "width": 300, "height": 225},
                {"class_id": 1, "left": 700, "top": 100, "width": 200, "height": 600},
            ],
        },
        "label-metadata": {
            "objects": [{"confidence": 1.0}, {"confidence": 1.0}],
            "class-map": {"0": "car", "1": "person"},
            "type": "groundtruth/object-detection",
            "job-name": "labeling-job/bounding-box",
            "human-annotated": "yes",
            "creation-date": "2026-11-28T12:00:00.000000",
        },
    }
    assert page.console_errors == []


def test_worker_paints_a_mask_that_the_server_accepts(owner, worker_page):
    project, (worker,) = image_project(
        owner,
        "semantic_segmentation",
        ["road", "sky"],
        sizes=[(640, 480)],
        label_attribute_name="mask-ref",
    )
    page = worker_page(worker)
    frame = start_work(page)
    canvas = Canvas(page, frame, "crowd-semantic-segmentation", frame_selector=FRAME)
    canvas.stroke([(100, 400), (500, 400)])
    page.keyboard.press("2")
    page.keyboard.press("p")
    for point in [(0, 0), (640, 0), (640, 150), (0, 150), (0, 0)]:
        canvas.click(*point)
    screenshot(page, "work-semantic-segmentation")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    answer = Assignment.objects.get(project=project).answer["crowd-semantic-segmentation"]
    assert answer["labelMappings"] == {"road": {"color": "#1f77b4"}, "sky": {"color": "#ff7f0e"}}
    png = base64.b64decode(answer["labeledImage"]["pngImageData"])
    with Image.open(io.BytesIO(png)) as mask:
        rgb = mask.convert("RGB")
        assert mask.size == (640, 480)
        assert rgb.getpixel((300, 400)) == (0x1F, 0x77, 0xB4)
        assert rgb.getpixel((320, 70)) == (0xFF, 0x7F, 0x0E)
        assert rgb.getpixel((320, 300)) == (255, 255, 255)


def test_worker_tracks_an_object_across_frames_with_interpolation(owner, worker_page):
    project, worker = video_project(owner, frames=4)
    page = worker_page(worker)
    frame = start_work(page)
    element = frame.locator("crowd-video-frames")
    canvas = Canvas(page, frame, "crowd-video-frames", frame_selector=FRAME)
    canvas.drag((100, 100), (200, 160))  # a car on frame 1
    page.keyboard.press("Escape")
    page.keyboard.press("2")
    canvas.drag((400, 200), (440, 300))  # a person on frame 1
    page.keyboard.press("c")  # both copied to frame 2, which is shown
    assert frame.locator("crowd-video-frames .frame-no").inner_text() == "Frame 2 / 4"
    page.keyboard.press("Delete")  # the selected person leaves from frame 2 on
    page.keyboard.press(".")
    page.keyboard.press(".")  # frame 4: the car stays where it was last placed
    canvas.drag((150, 130), (210, 160))  # move it: a keyframe; frame 3 interpolates
    page.keyboard.press(",")
    assert element.evaluate("(e) => e.frameShapes") == [[1, False]]
    screenshot(page, "work-video-tracking")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    value = Assignment.objects.get(project=project).answer["crowd-video-frames"]
    car = {"label": "car", "width": 100, "height": 60}
    ids = sorted({b["objectId"] for f in value["frames"] for b in f["boxes"]})
    car_id, person_id = ids
    assert value == {
        "inputImageProperties": {"width": 640, "height": 360},
        "frameCount": 4,
        "frames": [
            {
                "frameNo": 0,
                "boxes": [
                    {**car, "objectId": car_id, "left": 100, "top": 100, "keyframe": True},
                    {
                        "objectId": person_id,
                        "label": "person",
                        "left": 400,
                        "top": 200,
                        "width": 40,
                        "height": 100,
                        "keyframe": True,
                    },
                ],
            },
            {
                "frameNo": 1,
                "boxes": [{**car, "objectId": car_id, "left": 100, "top": 100, "keyframe": True}],
            },
            {
                "frameNo": 2,
                "boxes": [{**car, "objectId": car_id, "left": 130, "top": 115, "keyframe": False}],
            },
            {
                "frameNo": 3,
                "boxes": [{**car, "objectId": car_id, "left": 160, "top": 130, "keyframe": True}],
            },
        ],
    }
