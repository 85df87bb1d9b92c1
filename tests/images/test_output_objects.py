"""Masks and SeqLabel files are written into the dataset's storage where Ground Truth puts
them, and the output line names them."""

import base64
import json
from datetime import UTC, datetime

import pytest
from django.conf import settings

from apps.tasks.models import Task
from apps.tasks.output_labels import output_label_for_item
from tests.images.helpers import image_project, mask_base64, video_project

pytestmark = pytest.mark.django_db
WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_a_semantic_segmentation_mask_is_stored_and_named_by_the_label(owner):
    project, _ = image_project(
        owner, "semantic_segmentation", ["road"], sizes=[(64, 48)], label_attribute_name="mask-ref"
    )
    item = Task.objects.select_related("item__dataset__storage").get(project=project).item
    png = mask_base64(64, 48, {"#1f77b4": (0, 0, 10, 10)})
    answer = {
        "crowd-semantic-segmentation": {
            "inputImageProperties": {"width": 64, "height": 48},
            "labelMappings": {"road": {"color": "#1f77b4"}},
            "labeledImage": {"pngImageData": png},
        }
    }

    label = output_label_for_item(
        project=project, item=item, answer=answer, confidence=1.0, creation_date=WHEN
    )

    key = "semantic-segmentation/annotations/consolidated-annotation/output/1/mask.png"
    assert label.value == key
    stored = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images" / key
    assert stored.read_bytes() == base64.b64decode(png)
    assert label.metadata["internal-color-map"]["1"] == {
        "class-name": "road",
        "confidence": 1.0,
        "hex-color": "#1f77b4",
    }


def test_a_tracking_answer_is_stored_as_seq_label_json(owner):
    project, _ = video_project(owner, frames=2)
    item = Task.objects.select_related("item__dataset__storage").get(project=project).item
    box = {"objectId": 3, "label": "person", "left": 1, "top": 2, "width": 3, "height": 4}
    answer = {
        "crowd-video-frames": {
            "inputImageProperties": {"width": 640, "height": 360},
            "frameCount": 2,
            "frames": [{"frameNo": 1, "boxes": [{**box, "keyframe": True}]}],
        }
    }

    label = output_label_for_item(
        project=project, item=item, answer=answer, confidence=1.0, creation_date=WHEN
    )

    key = "tracking/annotations/consolidated-annotation/output/1/SeqLabel.json"
    assert label.value == key
    assert label.metadata["type"] == "groundtruth/video-object-tracking"
    stored = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "videos" / key
    assert json.loads(stored.read_text()) == {
        "tracking-annotations": [
            {
                "frame-no": "1",
                "frame": "frame0002.png",
                "annotations": [
                    {
                        "height": 4,
                        "width": 3,
                        "top": 2,
                        "left": 1,
                        "class-id": "1",
                        "label-category-attributes": {},
                        "object-id": "3",
                        "object-name": "person:1",
                    }
                ],
                "frame-attributes": {},
            }
        ]
    }
