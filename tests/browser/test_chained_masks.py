"""Chained projects over a semantic segmentation project in the worker's browser: the
consolidated mask laid over the image for verification, and read into the canvas of the
sandboxed, origin-less frame for adjustment (through its signed, CORS-readable URL)."""

import base64
import json
import re

from django.test import TestCase

from apps.reviews import services as review_services
from apps.tasks import services as task_services
from apps.tasks.models import Assignment
from apps.tasks.quality import project_output_lines
from tests.browser.conftest import screenshot
from tests.browser.images import Canvas
from tests.browser.test_segmentation_work import (  # noqa: F401  (an autouse fixture)
    BLUE,
    ORANGE,
    WHITE,
    _object_urls_on_the_live_server,
    fill,
    pixels,
    start_work,
)
from tests.browser.test_work_flow import FRAME
from tests.images.helpers import image_project, mask_base64

SIZE = {"width": 640, "height": 480}
PRIOR_REF = "semantic-segmentation/annotations/consolidated-annotation/output/1/mask.png"


def chained_mask_project(owner, kind: str, label_attribute_name: str):
    """A road/sky project over one 640x480 image whose worker painted the top 100 rows sky
    and the bottom 100 road (consolidated), and a started `kind` project over it; returns
    (chained project, worker)."""
    source, (worker,) = image_project(
        owner,
        "semantic_segmentation",
        ["road", "sky"],
        sizes=[(640, 480)],
        label_attribute_name="mask-ref",
    )
    assignment = task_services.assignment_next(
        worker=worker, workteam_ids=[source.workteam_id], project_id=source.pk
    )
    png = mask_base64(640, 480, {"#ff7f0e": (0, 0, 639, 99), "#1f77b4": (0, 380, 639, 479)})
    with TestCase.captureOnCommitCallbacks(execute=True):  # the mask consolidation job
        task_services.assignment_submit(
            assignment=assignment,
            worker=worker,
            answer={
                "crowd-semantic-segmentation": {
                    "inputImageProperties": SIZE,
                    "labelMappings": {"road": {"color": "#1f77b4"}, "sky": {"color": "#ff7f0e"}},
                    "labeledImage": {"pngImageData": png},
                }
            },
        )
    chained = review_services.project_chain_create(
        organization=owner.organization,
        actor=owner.user,
        source_project=source,
        kind=kind,
        name=f"masks-{kind}",
        label_attribute_name=label_attribute_name,
        workteam=source.workteam,
        answers_per_item=1,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_services.project_start(project=chained, actor=owner.user)
    chained.refresh_from_db()
    return chained, worker


def test_a_verifier_sees_the_prior_mask_over_the_image_and_answers(owner, worker_page):
    project, worker = chained_mask_project(owner, "verification", "mask-checked")
    page = worker_page(worker)

    frame = start_work(page)
    mask = frame.locator("crowd-image-classifier .overlay-mask")
    mask.evaluate("(img) => img.complete || new Promise((r) => img.addEventListener('load', r))")
    assert mask.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [640, 480]
    frame.locator("crowd-image-classifier button.choice", has_text="incorrect").click()
    frame.locator("crowd-text-area textarea").fill("The road is wider.")
    screenshot(page, "work-chained-mask-verification")
    frame.locator("crowd-form > .crowd-form__actions crowd-button").click()
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    assert Assignment.objects.get(project=project).answer == {
        "verdict": {"label": "incorrect"},
        "comment": "The road is wider.",
    }
    [line] = [json.loads(text) for text in project_output_lines(project=project)]
    assert line["mask-ref"] == PRIOR_REF
    assert line["mask-checked-metadata"]["class-name"] == "incorrect"
    assert page.console_errors == []


def test_an_adjuster_starts_from_the_prior_mask_and_the_output_keeps_both(owner, worker_page):
    project, worker = chained_mask_project(owner, "adjustment", "mask-fixed-ref")
    page = worker_page(worker)

    frame = start_work(page)
    canvas = Canvas(page, frame, "crowd-semantic-segmentation", frame_selector=FRAME)
    element = frame.locator("crowd-semantic-segmentation")
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
    assert element.evaluate("(element) => element.value.initialValueModified") is False
    fill(page, canvas, 0, 380, 100, 200)  # the first label, road: widen the road upwards
    screenshot(page, "work-chained-mask-adjustment")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/work/tasks/$"))

    value = Assignment.objects.get(project=project).answer["crowd-semantic-segmentation"]
    assert value["initialValueModified"] is True
    png = base64.b64decode(value["labeledImage"]["pngImageData"])
    # sky and road as before, the new road above it, the rest background
    assert pixels(png, (320, 50), (320, 430), (50, 300), (320, 300)) == [ORANGE, BLUE, BLUE, WHITE]
    [line] = [json.loads(text) for text in project_output_lines(project=project)]
    assert line["mask-ref"] == PRIOR_REF
    assert line["mask-fixed-ref"] == (
        "masks-adjustment/annotations/consolidated-annotation/output/1/mask.png"
    )
    assert line["mask-fixed-ref-metadata"]["job-name"] == "labeling-job/masks-adjustment"
    assert page.console_errors == []
