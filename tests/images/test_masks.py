"""Segmentation tasks end to end through the services: workers' PNG masks -> a voted mask in
the dataset's storage, the task's label, worker quality and the output manifest line."""

import base64
import io
import json

import numpy as np
import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from apps.core.errors import DomainError
from apps.datasets.models import Item
from apps.tasks import quality
from apps.tasks import services as task_services
from apps.tasks.masks import mask_png, mask_read, palette_color
from apps.tasks.models import Assignment, Task, WorkerQuality
from apps.tasks.quality import control
from tests.images.helpers import image_project, mask_base64

pytestmark = pytest.mark.django_db
WIDTH, HEIGHT = 40, 30
SIZE = {"width": WIDTH, "height": HEIGHT}
ROAD, SKY = "#1f77b4", "#ff7f0e"  # the built-in UI's colours of labels 1 and 2


def semantic(regions: dict[str, tuple], mappings=None) -> dict:
    return {
        "crowd-semantic-segmentation": {
            "inputImageProperties": SIZE,
            "labelMappings": mappings or {"road": {"color": ROAD}, "sky": {"color": SKY}},
            "labeledImage": {"pngImageData": mask_base64(WIDTH, HEIGHT, regions)},
        }
    }


def instance(objects: list[tuple[str, str, tuple]]) -> dict:
    """`objects`: (label, colour, (left, top, right, bottom)) each."""
    return {
        "crowd-instance-segmentation": {
            "inputImageProperties": SIZE,
            "instances": [{"color": color, "label": label} for label, color, _ in objects],
            "labeledImage": {
                "pngImageData": mask_base64(WIDTH, HEIGHT, {c: box for _, c, box in objects})
            },
        }
    }


def work(project, worker, body):
    assignment = task_services.assignment_next(worker=worker, workteam_ids=[project.workteam_id])
    return task_services.assignment_submit(assignment=assignment, worker=worker, answer=body)


def stored(owner, ref: str) -> Image.Image:
    path = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images" / ref
    return Image.open(io.BytesIO(path.read_bytes()))


def columns(mask: np.ndarray, **spans: tuple[int, int]) -> np.ndarray:
    """The expected (HEIGHT, WIDTH) mask: class `int(name[1:])` over columns [from, to)."""
    expected = np.zeros((HEIGHT, WIDTH), dtype=np.uint8)
    for name, (start, stop) in spans.items():
        expected[:, start:stop] = int(name[1:])
    return expected


def semantic_project(owner, workers=3):
    return image_project(
        owner,
        "semantic_segmentation",
        ["road", "sky"],
        sizes=[(WIDTH, HEIGHT)],
        workers=workers,
        answers_per_item=workers,
        label_attribute_name="mask-ref",
    )


def test_semantic_masks_are_voted_per_pixel_weighted_by_worker_quality_after_the_submit(
    owner, django_capture_on_commit_callbacks
):
    project, (sure, unsure, idle) = semantic_project(owner)
    for worker, accuracy in ((sure, 0.9), (unsure, 0.6), (idle, 0.6)):
        WorkerQuality.objects.create(
            organization=owner.organization, project=project, worker=worker, accuracy=accuracy
        )
    task = Task.objects.get(project=project)
    work(project, sure, semantic({ROAD: (0, 0, 19, 29)}))  # road over columns 0-19
    # Another template's colours: mapped through this answer's own labelMappings.
    other = {"road": {"color": "#00ff00"}, "sky": {"color": "#0000ff"}}
    work(project, unsure, semantic({"#0000ff": (0, 0, 9, 29), "#00ff00": (10, 0, 19, 29)}, other))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        work(project, idle, semantic({}))  # all background
    task.refresh_from_db()
    assert (task.status, task.consolidated_label) == (Task.Status.ANSWERED, None)  # not yet

    for callback in callbacks:  # after the commit: the background job
        callback()

    task.refresh_from_db()
    ref = "semantic-segmentation/annotations/consolidated-annotation/output/1/mask.png"
    assert task.consolidated_label == {
        "inputImageProperties": SIZE,
        "labelMappings": {"road": {"color": ROAD}, "sky": {"color": SKY}},
        "labeledImage": {"ref": ref},
    }
    # Columns 0-9: road 0.9 against sky 0.6 and background 0.6 (a plain majority would
    # tie there); 10-19: road 1.5 against 0.6. Confidence over the 600 labelled pixels.
    with stored(owner, ref) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "P", (WIDTH, HEIGHT))
        rgb = image.convert("RGB")
        assert [rgb.getpixel((x, 15)) for x in (5, 15, 25)] == [
            (0x1F, 0x77, 0xB4),
            (0x1F, 0x77, 0xB4),
            (255, 255, 255),
        ]
    mask = mask_read(
        (settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images" / ref).read_bytes(),
        size=(WIDTH, HEIGHT),
        colors=[ROAD, SKY],
    )
    assert np.array_equal(mask, columns(mask, c1=(0, 20)))
    assert task.confidence == pytest.approx((0.9 / 2.1 + 1.5 / 2.1) / 2)
    # Each worker's pixel agreement with the result, shrunk by two answers at 0.7.
    recorded = {
        q.worker_id: (q.consolidated_answers, q.agreement, q.accuracy)
        for q in WorkerQuality.objects.filter(project=project)
    }
    assert recorded == {
        sure.pk: (1, 1.0, pytest.approx((1 + 1.4) / 3)),
        unsure.pk: (1, 0.5, pytest.approx((0.5 + 1.4) / 3)),
        idle.pk: (1, 0.0, pytest.approx(1.4 / 3)),
    }


def test_the_consolidation_job_run_twice_writes_the_same_label_and_counts_quality_once(
    owner, django_capture_on_commit_callbacks
):
    project, workers = semantic_project(owner, workers=2)
    with django_capture_on_commit_callbacks(execute=True):
        for worker in workers:
            work(project, worker, semantic({SKY: (0, 0, 39, 9)}))
    task = Task.objects.select_related("item__dataset__storage", "project").get()
    first = (task.consolidated_label, task.confidence)

    assert quality.task_masks_consolidate(task=task) == 1.0

    task.refresh_from_db()
    assert (task.consolidated_label, task.confidence) == first
    assert sorted(
        WorkerQuality.objects.filter(project=project).values_list("consolidated_answers", flat=True)
    ) == [1, 1]


def test_the_output_line_names_the_stored_mask_with_its_colour_map(
    owner, django_capture_on_commit_callbacks
):
    project, workers = semantic_project(owner, workers=2)
    with django_capture_on_commit_callbacks(execute=True):
        work(project, workers[0], semantic({SKY: (0, 0, 39, 9)}))
        work(project, workers[1], semantic({SKY: (0, 0, 39, 4)}))
    task = Task.objects.get(project=project)

    (line,) = [json.loads(text) for text in quality.project_output_lines(project=project)]

    # Rows 0-4 both, 5-9 one of two: half the labelled pixels at full agreement.
    confidence = 0.75
    assert task.confidence == pytest.approx(confidence)
    assert line == {
        "source-ref": "1.png",
        "mask-ref": "semantic-segmentation/annotations/consolidated-annotation/output/1/mask.png",
        "mask-ref-metadata": {
            "internal-color-map": {
                "0": {"class-name": "BACKGROUND", "confidence": confidence, "hex-color": "#ffffff"},
                "1": {"class-name": "road", "confidence": confidence, "hex-color": ROAD},
                "2": {"class-name": "sky", "confidence": confidence, "hex-color": SKY},
            },
            "type": "groundtruth/semantic-segmentation",
            "job-name": "labeling-job/semantic-segmentation",
            "human-annotated": "yes",
            "creation-date": task.consolidated_at.replace(tzinfo=None).isoformat(
                timespec="microseconds"
            ),
        },
    }


def test_instance_masks_take_the_answer_agreeing_most_with_the_class_vote(
    owner, django_capture_on_commit_callbacks
):
    project, (two_cats, one_big_cat, a_dog) = image_project(
        owner,
        "instance_segmentation",
        ["cat", "dog"],
        sizes=[(WIDTH, HEIGHT)],
        workers=3,
        answers_per_item=3,
        label_attribute_name="objects-ref",
    )
    cats = [("cat", "#d62728", (0, 0, 9, 29)), ("cat", "#9467bd", (10, 0, 19, 29))]
    with django_capture_on_commit_callbacks(execute=True):
        work(project, one_big_cat, instance([("cat", "#2ca02c", (0, 0, 19, 29))]))
        work(project, two_cats, instance(cats))
        work(project, a_dog, instance([("dog", "#2ca02c", (0, 0, 9, 29))]))
    task = Task.objects.get(project=project)

    # Both cat answers agree fully with the per-pixel class vote (cat over columns 0-19);
    # the tie goes to the lower worker id: the two-cat answer, objects and colours kept.
    ref = "instance-segmentation/annotations/consolidated-annotation/output/1/mask.png"
    assert task.consolidated_label == {
        "inputImageProperties": SIZE,
        "instances": [{"color": "#d62728", "label": "cat"}, {"color": "#9467bd", "label": "cat"}],
        "labeledImage": {"ref": ref},
    }
    assert task.confidence == 1.0
    with stored(owner, ref) as image:
        rgb = image.convert("RGB")
        assert [rgb.getpixel((x, 3)) for x in (5, 15, 25)] == [
            (0xD6, 0x27, 0x28),
            (0x94, 0x67, 0xBD),
            (255, 255, 255),
        ]
    (line,) = [json.loads(text) for text in quality.project_output_lines(project=project)]
    assert line["objects-ref"] == ref
    metadata = line["objects-ref-metadata"]
    assert metadata["type"] == "groundtruth/instance-segmentation"
    assert metadata["internal-color-map"] == {
        "0": {"class-name": "BACKGROUND", "confidence": 1.0, "hex-color": "#ffffff"},
        "1": {"class-name": "cat", "confidence": 1.0, "hex-color": "#d62728"},
        "2": {"class-name": "cat", "confidence": 1.0, "hex-color": "#9467bd"},
    }
    assert WorkerQuality.objects.get(project=project, worker=a_dog).agreement == 0.0


# Refused answers: a 400 naming the problem, nothing stored, nothing consolidated.


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def png_base64(fmt: str, size=(WIDTH, HEIGHT)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()).decode()


def with_png(answer: dict, png: str) -> dict:
    ((name, value),) = answer.items()
    return {name: {**value, "labeledImage": {"pngImageData": png}}}


@pytest.mark.parametrize(
    ("task_type", "answer", "message"),
    [
        (
            "semantic_segmentation",
            with_png(semantic({}), png_base64("PNG", size=(20, 15))),
            "The mask is 20x15; the image is 40x30.",
        ),
        (
            "semantic_segmentation",
            with_png(semantic({}), png_base64("JPEG")),
            "The mask is not a PNG image.",
        ),
        (
            "semantic_segmentation",
            semantic({"#123456": (0, 0, 3, 3)}),
            "The mask holds the colour #123456, which belongs to no label.",
        ),
        (
            "semantic_segmentation",
            with_png(semantic({}), base64.b64encode(b"\x89PNG\r\n\x1a\nbroken").decode()),
            "The mask is not a readable PNG image.",
        ),
        (
            "instance_segmentation",
            with_png(
                instance([("road", ROAD, (0, 0, 3, 3))]),
                mask_base64(WIDTH, HEIGHT, {SKY: (0, 0, 3, 3)}),
            ),
            "The mask holds the colour #ff7f0e, which belongs to no object.",
        ),
        (
            "instance_segmentation",
            instance([("road", ROAD, (0, 0, 3, 3)), ("sky", "#1F77B4", (5, 5, 6, 6))]),
            "Two objects share one colour.",
        ),
        (
            "instance_segmentation",
            instance([("horse", ROAD, (0, 0, 3, 3))]),
            "Unknown label 'horse'; expected one of: road, sky.",
        ),
        (
            "instance_segmentation",
            with_png(instance([]), png_base64("PNG", size=(41, 30))),
            "The mask is 41x30; the image is 40x30.",
        ),
    ],
)
def test_a_bad_mask_is_400_and_nothing_is_stored(owner, task_type, answer, message):
    project, (worker,) = image_project(
        owner,
        task_type,
        ["road", "sky"],
        sizes=[(WIDTH, HEIGHT)],
        label_attribute_name="mask-ref",
    )
    client = client_for(worker)
    assignment = client.post(reverse("work-next"), {}, format="json").json()

    response = client.post(
        reverse("work-submit", args=[assignment["id"]]), {"answer": answer}, format="json"
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["message"]) == ("invalid_answer", message)
    stored_answer = Assignment.objects.get(pk=assignment["id"])
    assert (stored_answer.status, stored_answer.answer) == (Assignment.Status.ACTIVE, None)
    task = Task.objects.get(project=project)
    assert (task.answers_received, task.consolidated_label) == (0, None)
    output = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images" / project.name
    assert not output.exists()


def test_the_palette_follows_the_elements_colours_and_round_trips():
    assert [palette_color(n) for n in (0, 9, 10, 11, 30)] == [
        "#1f77b4",
        "#17becf",
        "#c839d5",
        "#c1dc5b",
        "#28bd99",
    ]
    assert len({palette_color(n) for n in range(255)} | {"#ffffff"}) == 256
    mask = np.array([[0, 1, 2], [2, 1, 0]], dtype=np.uint8)
    colors = [palette_color(0), palette_color(1)]
    assert np.array_equal(mask_read(mask_png(mask, colors), size=(3, 2), colors=colors), mask)


def test_gold_masks_score_an_answer_right_when_half_the_labelled_pixels_agree(owner, monkeypatch):
    project, (close, far) = semantic_project(owner, workers=2)
    item_id = Task.objects.get(project=project).item_id
    gold = semantic({SKY: (0, 0, 39, 9)})["crowd-semantic-segmentation"]  # rows 0-9
    quality.gold_items_set(
        project=project, actor=owner.user, items=[{"item_id": item_id, "answer": gold}]
    )
    quality.project_settings_update(project=project, actor=owner.user, gold_rate=0.5)
    monkeypatch.setattr(control, "_draw", lambda: 0.0)  # every claim draws gold

    work(project, close, semantic({SKY: (0, 0, 39, 5)}))  # 6 of 10 rows: 0.6 of the union
    work(project, far, semantic({SKY: (0, 0, 39, 3), ROAD: (0, 4, 39, 9)}))  # 4 of 10 rows

    scores = dict(
        WorkerQuality.objects.filter(project=project).values_list("worker_id", "gold_correct")
    )
    assert scores == {close.pk: 1, far.pk: 0}


def test_answers_for_an_unprobed_image_seen_at_two_sizes_leave_the_task_unlabeled(
    owner, caplog, django_capture_on_commit_callbacks
):
    project, workers = semantic_project(owner, workers=2)
    Item.objects.filter(dataset=project.dataset).update(width=None, height=None)  # not probed
    smaller = semantic({})["crowd-semantic-segmentation"]
    smaller["inputImageProperties"] = {"width": 20, "height": 15}
    smaller["labeledImage"]["pngImageData"] = mask_base64(20, 15, {})
    with django_capture_on_commit_callbacks(execute=True):
        work(project, workers[0], semantic({}))
        work(project, workers[1], {"crowd-semantic-segmentation": smaller})

    task = Task.objects.get(project=project)
    assert (task.status, task.consolidated_label, task.confidence) == ("answered", None, None)
    assert "answers for images of (40, 30) and (20, 15) pixels" in caplog.text
    output = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images" / project.name
    assert not output.exists()


def test_an_instance_segmentation_label_attribute_must_end_in_ref(owner):
    with pytest.raises(DomainError) as refused:
        image_project(owner, "instance_segmentation", ["cat"], label_attribute_name="objects")
    assert refused.value.message == "For this task type the name must end in '-ref'."
