"""Verification and adjustment projects over a semantic segmentation project: the prior
(consolidated) mask shown over the image or pre-filled from a signed URL the sandboxed frame
can read, and output lines that keep the prior mask and add the new label."""

import io
import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from PIL import Image

from apps.core.errors import DomainError
from apps.datasets.models import Dataset, Item
from apps.datasets.objects import object_read_url
from apps.projects.models import Project
from apps.tasks.validation import InvalidAnswer
from apps.taskui.templating import render_task_template
from tests.images.helpers import image_project, mask_base64
from tests.reviews.test_chaining import chain, submit
from tests.reviews.test_chaining_images import Attributes, output_line, rendered, started

pytestmark = pytest.mark.django_db

WIDTH, HEIGHT = 40, 30
SIZE = {"width": WIDTH, "height": HEIGHT}
ROAD, SKY = "#1f77b4", "#ff7f0e"  # the built-in UI's (and the consolidation's) colours
PRIOR_REF = "semantic-segmentation/annotations/consolidated-annotation/output/1/mask.png"
COLOR_MAP = {
    "0": {"class-name": "BACKGROUND", "confidence": 1.0, "hex-color": "#ffffff"},
    "1": {"class-name": "road", "confidence": 1.0, "hex-color": ROAD},
    "2": {"class-name": "sky", "confidence": 1.0, "hex-color": SKY},
}


def mask_answer(regions: dict[str, tuple], **extra) -> dict:
    return {
        "crowd-semantic-segmentation": {
            "inputImageProperties": SIZE,
            "labelMappings": {"road": {"color": ROAD}, "sky": {"color": SKY}},
            "labeledImage": {"pngImageData": mask_base64(WIDTH, HEIGHT, regions)},
            **extra,
        }
    }


def stored_pixels(owner, ref: str, *points: tuple[int, int]) -> list[tuple]:
    path = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images" / ref
    with Image.open(io.BytesIO(path.read_bytes())) as image:
        rgb = image.convert("RGB")
        return [rgb.getpixel(point) for point in points]


@pytest.fixture
def masked_source(owner, django_capture_on_commit_callbacks):
    """A semantic segmentation project over one 40x30 image whose one worker painted the
    top rows sky and the bottom rows road, consolidated (the mask stored at PRIOR_REF)."""
    source, (worker,) = image_project(
        owner,
        "semantic_segmentation",
        ["road", "sky"],
        sizes=[(WIDTH, HEIGHT)],
        label_attribute_name="mask-ref",
    )
    with django_capture_on_commit_callbacks(execute=True):  # the mask job runs on commit
        submit(worker, source, mask_answer({SKY: (0, 0, 39, 9), ROAD: (0, 20, 39, 29)}))
    source.refresh_from_db()
    return source, worker


def assert_keeps_the_prior_mask(line: dict) -> None:
    assert line["source-ref"] == "1.png"
    assert line["mask-ref"] == PRIOR_REF
    metadata = line["mask-ref-metadata"]
    assert metadata["internal-color-map"] == COLOR_MAP
    assert (metadata["type"], metadata["job-name"]) == (
        "groundtruth/semantic-segmentation",
        "labeling-job/semantic-segmentation",
    )


def test_a_mask_verification_overlays_the_prior_mask_and_keeps_both_labels(owner, masked_source):
    source, worker = masked_source

    project = started(
        owner,
        chain(
            owner,
            source,
            name="masks-checked",
            label_attribute_name="mask-checked",
            answers_per_item=1,
        ),
    )

    element = rendered(project)["crowd-image-classifier"]
    assert (element["name"], element["src"]) == ("verdict", "/o/1.png")
    assert json.loads(element["categories"]) == ["correct", "incorrect"]
    assert json.loads(element["overlay"]) == {"semanticSegmentation": {"src": f"/o/{PRIOR_REF}"}}
    assert "crowd-text-area" in rendered(project)
    with pytest.raises(InvalidAnswer):
        submit(worker, project, {"verdict": {"label": "perhaps"}})
    submit(worker, project, {"verdict": {"label": "incorrect"}, "comment": "Sky too low"})

    line = output_line(project)
    assert_keeps_the_prior_mask(line)
    assert line["mask-checked"] == "1"
    metadata = line["mask-checked-metadata"]
    assert (metadata["class-name"], metadata["type"], metadata["job-name"]) == (
        "incorrect",
        "groundtruth/label-verification",
        "labeling-job/masks-checked",
    )
    assert metadata["worker-feedback"] == [{"comment": "Sky too low"}]


def test_a_mask_adjustment_prefills_the_prior_mask_and_writes_a_new_mask_label(
    owner, masked_source, django_capture_on_commit_callbacks
):
    source, worker = masked_source

    project = started(
        owner,
        chain(
            owner,
            source,
            kind="adjustment",
            name="masks-fixed",
            label_attribute_name="mask-fixed-ref",
            answers_per_item=1,
        ),
    )

    assert (project.task_type, project.label_names) == ("semantic_segmentation", ["road", "sky"])
    element = rendered(project)["crowd-semantic-segmentation"]
    assert (element["name"], element["src"]) == ("crowd-semantic-segmentation", "/o/1.png")
    assert json.loads(element["labels"]) == ["road", "sky"]
    assert json.loads(element["initial-value"]) == {
        "labelMappings": {  # BACKGROUND is no label of the project: the element skips it
            "BACKGROUND": {"color": "#ffffff"},
            "road": {"color": ROAD},
            "sky": {"color": SKY},
        },
        "src": f"/o/{PRIOR_REF}",
    }
    unknown_label = mask_answer({SKY: (0, 0, 39, 14)})
    unknown_label["crowd-semantic-segmentation"]["labelMappings"]["tree"] = {"color": "#2ca02c"}
    with pytest.raises(InvalidAnswer):  # the source type's validation applies
        submit(worker, project, unknown_label)
    adjusted = mask_answer({SKY: (0, 0, 39, 14), ROAD: (0, 20, 39, 29)}, initialValueModified=True)
    with django_capture_on_commit_callbacks(execute=True):
        submit(worker, project, adjusted)

    line = output_line(project)
    assert_keeps_the_prior_mask(line)
    ref = "masks-fixed/annotations/consolidated-annotation/output/1/mask.png"
    assert line["mask-fixed-ref"] == ref
    metadata = line["mask-fixed-ref-metadata"]
    assert (metadata["type"], metadata["job-name"]) == (
        "groundtruth/semantic-segmentation",
        "labeling-job/masks-fixed",
    )
    assert metadata["internal-color-map"] == COLOR_MAP
    # rows 10-14: sky now (background in the prior mask, which is left as it was)
    white, road, sky = (255, 255, 255), (0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E)
    assert stored_pixels(owner, ref, (5, 12), (5, 17), (5, 25)) == [sky, white, road]
    assert stored_pixels(owner, PRIOR_REF, (5, 12), (5, 5)) == [white, sky]


def test_the_prior_mask_url_opens_in_cors_mode_from_the_origin_less_frame(
    owner, masked_source, client
):
    """The element reads the mask into a canvas, in CORS mode, from a frame with no origin:
    the template signs the stored mask's ref like the image (never a raw path)."""
    source, _ = masked_source
    project = chain(
        owner, source, kind="adjustment", name="masks-fixed", label_attribute_name="fixed-ref"
    )
    item = Item.objects.get(dataset=project.dataset)
    page = render_task_template(
        source=project.ui_template,
        task_input=item.data,
        grant_read_access=lambda ref: object_read_url(item=item, ref=ref),
    )
    initial = json.loads(Attributes(page).tags["crowd-semantic-segmentation"]["initial-value"])

    response = client.get(urlsplit(initial["src"]).path, HTTP_ORIGIN="null")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    path = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images" / PRIOR_REF
    assert b"".join(response.streaming_content) == path.read_bytes()


def test_a_mask_adjustment_needs_a_ref_label_attribute_and_writes_nothing_without(
    owner, masked_source
):
    source, _ = masked_source
    before = (Project.objects.count(), Dataset.objects.count(), Item.objects.count())

    with pytest.raises(DomainError) as refused:
        chain(owner, source, kind="adjustment", name="masks-fixed", label_attribute_name="fixed")

    assert refused.value.details == {
        "label_attribute_name": ["For this task type the name must end in '-ref'."]
    }
    assert (Project.objects.count(), Dataset.objects.count(), Item.objects.count()) == before
