"""Segmentation in the worker's browser: painting objects of an instance segmentation task
through to the consolidated mask, and a prior mask read into the sandboxed frame's canvas."""

import base64
import io
import re
from types import SimpleNamespace

from django.conf import settings
from PIL import Image

from apps.tasks.masks import palette_color
from apps.tasks.models import Assignment, Task
from apps.tasks.validation import validate_answer
from apps.taskui.builtin import builtin_template
from tests.browser.conftest import render_in_preview, screenshot
from tests.browser.images import Canvas, serve_images
from tests.browser.test_image_work import (  # noqa: F401  (an autouse fixture)
    _object_urls_on_the_live_server,
    start_work,
)
from tests.browser.test_work_flow import FRAME
from tests.images.helpers import image_project, mask_base64

BLUE, ORANGE, WHITE = (0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E), (255, 255, 255)


def pixels(png: bytes, *points: tuple[int, int]) -> list[tuple]:
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        return [rgb.getpixel(point) for point in points]


def fill(page, canvas, left, top, right, bottom) -> None:
    """A rectangle with the polygon fill tool, closed on its first point."""
    page.keyboard.press("p")
    for point in [(left, top), (right, top), (right, bottom), (left, bottom), (left, top)]:
        canvas.click(*point)


def test_worker_paints_two_objects_of_one_label_and_the_mask_is_stored(owner, worker_page):
    project, (worker,) = image_project(
        owner,
        "instance_segmentation",
        ["cat", "dog"],
        sizes=[(640, 480)],
        label_attribute_name="objects-ref",
    )
    page = worker_page(worker)
    frame = start_work(page)
    canvas = Canvas(page, frame, "crowd-instance-segmentation", frame_selector=FRAME)
    fill(page, canvas, 0, 0, 200, 480)  # the first cat (the element starts one)
    page.keyboard.press("n")  # another cat
    fill(page, canvas, 300, 0, 400, 480)
    screenshot(page, "work-instance-segmentation")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    value = Assignment.objects.get(project=project).answer["crowd-instance-segmentation"]
    assert value["inputImageProperties"] == {"width": 640, "height": 480}
    assert value["instances"] == [
        {"color": "#1f77b4", "label": "cat"},
        {"color": "#ff7f0e", "label": "cat"},
    ]
    png = base64.b64decode(value["labeledImage"]["pngImageData"])
    assert pixels(png, (100, 240), (350, 240), (250, 240), (500, 240)) == [
        BLUE,
        ORANGE,
        WHITE,
        WHITE,
    ]
    # One answer per item: consolidated after the submit's commit, that answer unchanged.
    task = Task.objects.get(project=project)
    ref = "instance-segmentation/annotations/consolidated-annotation/output/1/mask.png"
    assert task.consolidated_label == {
        "inputImageProperties": {"width": 640, "height": 480},
        "instances": value["instances"],
        "labeledImage": {"ref": ref},
    }
    stored = (settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images" / ref).read_bytes()
    assert pixels(stored, (100, 240), (350, 240), (250, 240)) == [BLUE, ORANGE, WHITE]


PRIOR_TEMPLATE = """
<crowd-form>
  <crowd-semantic-segmentation name="mask" labels='["road", "sky"]'
    src="{{ task.input["source-ref"] | grant_read_access }}"
    initial-value='{"labelMappings": {"road": {"color": "#1f77b4"}, "sky": {"color": "#ff7f0e"}},
      "src": "{{ task.input["prior-ref"] | grant_read_access }}"}'>
  </crowd-semantic-segmentation>
</crowd-form>
"""


def test_a_prior_mask_from_storage_prefills_the_canvas_in_the_sandboxed_frame(owner, worker_page):
    """The frame has no origin, so the element reads the signed /objects/ URL in CORS mode:
    without Access-Control-Allow-Origin the canvas would be tainted and the mask empty."""
    project, (worker,) = image_project(
        owner,
        "semantic_segmentation",
        ["road", "sky"],
        sizes=[(640, 480)],
        label_attribute_name="mask-ref",
        ui_template=PRIOR_TEMPLATE,
        extra={1: {"prior-ref": "prior.png"}},
    )
    prior = mask_base64(640, 480, {"#1f77b4": (0, 0, 99, 99), "#ff7f0e": (200, 200, 299, 299)})
    root = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images"
    (root / "prior.png").write_bytes(base64.b64decode(prior))
    page = worker_page(worker)
    frame = start_work(page)
    element = frame.locator("crowd-semantic-segmentation")
    Canvas(page, frame, "crowd-semantic-segmentation", frame_selector=FRAME)
    element.evaluate(
        """(element) => new Promise((resolve, reject) => {
            const started = Date.now();
            const poll = () => element._initialMask ? resolve()
                : Date.now() - started > 5000 ? reject(new Error(
                    element.shadowRoot.querySelector('.message')?.textContent || 'no mask'))
                : setTimeout(poll, 50);
            poll();
        })"""
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    value = Assignment.objects.get(project=project).answer["mask"]
    assert value["initialValueModified"] is False
    png = base64.b64decode(value["labeledImage"]["pngImageData"])
    assert pixels(png, (50, 50), (250, 250), (400, 400)) == [BLUE, ORANGE, WHITE]
    assert page.console_errors == []


def test_past_ten_labels_the_semantic_element_keeps_one_colour_per_label(page, requester):
    """The server's consolidated masks paint in the same sequence (masks.palette_color)."""
    labels = [f"class {n}" for n in range(12)]
    urls = serve_images(page, {"scene.png": (80, 60)})
    frame = render_in_preview(
        page,
        requester,
        template=builtin_template("SemanticSegmentation"),
        task_input={"taskObject": urls["scene.png"], "labels": labels},
    )
    colors = frame.locator("crowd-semantic-segmentation").evaluate(
        "(element) => element.labels.map((label) => element.labelColor(label))"
    )
    assert colors == [palette_color(n) for n in range(12)]
    mappings = {label: {"color": color} for label, color in zip(labels, colors, strict=True)}
    png = mask_base64(80, 60, {colors[11]: (0, 0, 9, 9)})
    validate_answer(  # twelve distinct colours: the answer passes
        project=SimpleNamespace(task_type="semantic_segmentation", label_names=labels),
        item=SimpleNamespace(width=80, height=60),
        answer={"mask": {"labelMappings": mappings, "labeledImage": {"pngImageData": png}}},
    )
