"""Video frame tasks: sequence files, answer validation against them, SeqLabel output."""

import pytest

from apps.core.errors import DomainError
from apps.datasets.models import Item
from apps.tasks.models import Task
from apps.tasks.output_labels import seq_label_from_answer
from apps.tasks.taskui import task_input
from apps.tasks.validation import validate_answer
from apps.tasks.video import SequenceInvalid, sequence_parse, sequence_read
from tests.images.helpers import video_project

pytestmark = pytest.mark.django_db

SIZE = {"width": 640, "height": 360}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "The sequence file is not a JSON object."),
        (
            {"prefix": "v1", "frames": [{"frame": "a.jpg"}], "number-of-frames": 1},
            'The sequence file\'s "prefix" must be a string ending in "/".',
        ),
        (
            {"prefix": "v1/", "frames": [], "number-of-frames": 0},
            '"frames" must list 1 to 10000 frames.',
        ),
        (
            {"prefix": "v1/", "frames": [{"frame": "a.jpg"}], "number-of-frames": 2},
            '"number-of-frames" is 2, but "frames" lists 1.',
        ),
        (
            {"prefix": "v1/", "frames": [{"frame-no": 1}], "number-of-frames": 1},
            'Frame #1 needs a "frame" file name.',
        ),
    ],
)
def test_bad_sequence_files_are_refused(data, message):
    with pytest.raises(SequenceInvalid) as refused:
        sequence_parse(data)
    assert refused.value.message == message


def test_a_sequence_file_is_read_from_the_items_storage_and_lists_frame_refs(owner):
    project, _ = video_project(owner, frames=3)
    item = Item.objects.get(dataset=project.dataset)

    assert sequence_read(item=item).frame_refs == [
        "video1/frame0001.png",
        "video1/frame0002.png",
        "video1/frame0003.png",
    ]
    built = task_input(project, item.data, item)
    assert (built["mode"], built["labels"]) == ("tracking", ["car", "person"])
    assert built["frames"][2] == "video1/frame0003.png"


def box(object_id=1, label="car", **changes):
    return {
        "objectId": object_id,
        "label": label,
        "left": 10,
        "top": 20,
        "width": 30,
        "height": 40,
        "keyframe": True,
        **changes,
    }


def answer(*frames, count=3):
    value = {"inputImageProperties": SIZE, "frameCount": count, "frames": list(frames)}
    return {"crowd-video-frames": value}


def problem(project, value) -> str:
    item = Task.objects.select_related("item").get(project=project).item
    with pytest.raises(DomainError) as refused:
        validate_answer(project=project, item=item, answer=value)
    return refused.value.message


def test_frame_answers_are_checked_against_the_sequence(owner):
    project, _ = video_project(owner, frames=3)
    item = Item.objects.get(dataset=project.dataset)
    good = answer(
        {"frameNo": 0, "boxes": [box()]}, {"frameNo": 2, "boxes": [box(), box(2, "person")]}
    )
    validate_answer(project=project, item=item, answer=good)

    assert problem(project, answer({"frameNo": 3, "boxes": []})) == (
        "Frame index 3 is past the sequence (3 frames: 0-2)."
    )
    assert problem(project, answer({"frameNo": 0, "boxes": []}, count=5)) == (
        "The answer is for 5 frames; the sequence has 3."
    )
    assert problem(project, answer({"frameNo": 1, "boxes": [box(left=630)]})) == (
        "Frame 1 box #1 (630, 20, 30x40) reaches outside the 640x360 image."
    )
    assert problem(project, answer({"frameNo": 1, "boxes": [box(), box()]})) == (
        "Frame 1 box #2: object 1 has two boxes in one frame."
    )
    assert problem(project, answer({"frameNo": -1, "boxes": []})) == (
        "frameNo must be a frame index (0 or more), not -1."
    )
    assert problem(project, answer({"frameNo": 0, "boxes": []}, {"frameNo": 0, "boxes": []})) == (
        "Frame 0 appears twice."
    )


def test_a_tracking_answer_becomes_seq_label_json_with_object_ids_and_names(owner):
    project, _ = video_project(owner, frames=3)
    value = answer(
        {"frameNo": 0, "boxes": [box(7), box(9, "person", left=100)]},
        {"frameNo": 1, "boxes": [box(7, left=12)]},
    )
    content = seq_label_from_answer(
        project=project, answer=value, frame_names=["f1.png", "f2.png", "f3.png"]
    )
    car = {
        "height": 40,
        "width": 30,
        "top": 20,
        "class-id": "0",
        "label-category-attributes": {},
        "object-id": "7",
        "object-name": "car:1",
    }
    assert content == {
        "tracking-annotations": [
            {
                "frame-no": "0",
                "frame": "f1.png",
                "annotations": [
                    {**car, "left": 10},
                    {
                        **car,
                        "left": 100,
                        "class-id": "1",
                        "object-id": "9",
                        "object-name": "person:1",
                    },
                ],
                "frame-attributes": {},
            },
            {
                "frame-no": "1",
                "frame": "f2.png",
                "annotations": [{**car, "left": 12}],
                "frame-attributes": {},
            },
        ]
    }
