"""Built-in task UIs: ordinary Liquid templates shipped in `apps/taskui/builtin/`.

Each reads `task.input.source` (the item's text), `task.input.labels`,
`task.input.header`, `task.input.shortInstructions` and `task.input.fullInstructions`;
the projects app merges the project's labels and instructions into the item to build
that input. The header comment of each file says what it submits.
"""

from functools import cache
from pathlib import Path

from apps.core.errors import NotFound

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"

# task type (Ground Truth's <Type>, as in PRE-<Type>) -> template file
BUILTIN_TEMPLATES = {
    "TextMultiClass": "text_classification.liquid",
    "TextMultiClassMultiLabel": "text_classification_multilabel.liquid",
    "NamedEntityRecognition": "named_entity_recognition.liquid",
    "ImageMultiClass": "image_classification.liquid",
    "ImageMultiClassMultiLabel": "image_classification_multilabel.liquid",
    "BoundingBox": "bounding_box.liquid",
    "SemanticSegmentation": "semantic_segmentation.liquid",
    "InstanceSegmentation": "instance_segmentation.liquid",  # ours: not a Ground Truth type
    "LabelVerification": "label_verification.liquid",
    "Keypoint": "keypoint.liquid",
    "Polygon": "polygon.liquid",
    "Polyline": "polyline.liquid",
    "VideoClassification": "video_classification.liquid",
    "VideoObjectDetection": "video_frames.liquid",
    "VideoObjectTracking": "video_frames.liquid",
}

BUILTIN_LABELS = {
    "TextMultiClass": "Text classification (one label)",
    "TextMultiClassMultiLabel": "Text classification (several labels)",
    "NamedEntityRecognition": "Named entity recognition",
    "ImageMultiClass": "Image classification (one label)",
    "ImageMultiClassMultiLabel": "Image classification (several labels)",
    "BoundingBox": "Bounding boxes",
    "SemanticSegmentation": "Semantic segmentation",
    "InstanceSegmentation": "Instance segmentation",
    "LabelVerification": "Label verification",
    "Keypoint": "Key points",
    "Polygon": "Polygons",
    "Polyline": "Polylines",
    "VideoClassification": "Video clip classification",
    "VideoObjectDetection": "Video frame object detection",
    "VideoObjectTracking": "Video frame object tracking",
}

# The image samples point at a placeholder: replace it with a reachable image URL.
SAMPLE_IMAGE = "https://images.example.com/street.jpg"


def _image_sample(labels: list[str], short: str, **extra) -> dict:
    return {
        "taskObject": SAMPLE_IMAGE,
        "labels": labels,
        "shortInstructions": f"<p>{short}</p>",
        "fullInstructions": "<p>Zoom with the mouse wheel, pan with Space and drag.</p>",
        **extra,
    }


SAMPLE_INPUTS = {
    "TextMultiClass": {
        "source": "The delivery was two days late, but the support team refunded the shipping.",
        "labels": ["Positive", "Negative", "Neutral"],
        "shortInstructions": "<p>Choose the sentiment the <b>writer</b> expresses.</p>",
        "fullInstructions": "<p>Mixed feelings: choose the stronger one.</p>",
    },
    "TextMultiClassMultiLabel": {
        "source": "Great camera and battery life, though the screen scratches easily.",
        "labels": ["Camera", "Battery", "Screen", "Price"],
        "shortInstructions": "<p>Choose every topic the review talks about.</p>",
        "fullInstructions": "<p>A topic counts when the review says something about it.</p>",
    },
    "NamedEntityRecognition": {
        "source": "Ada Lovelace met Charles Babbage in London in June 1833.",
        "labels": [
            {"label": "person", "shortDisplayName": "PER", "fullDisplayName": "Person"},
            {"label": "location", "shortDisplayName": "LOC", "fullDisplayName": "Location"},
            {"label": "date", "shortDisplayName": "DAT", "fullDisplayName": "Date"},
        ],
        "shortInstructions": "<p>Select a name with the mouse, then pick its label.</p>",
        "fullInstructions": "<p>Mark people, places and dates. Leave titles out.</p>",
    },
    "ImageMultiClass": _image_sample(["Street", "Park", "Indoor"], "Choose the scene."),
    "ImageMultiClassMultiLabel": _image_sample(
        ["Car", "Bicycle", "Person", "Dog"], "Choose everything you can see."
    ),
    "BoundingBox": _image_sample(["Car", "Person"], "Draw a tight box around each one."),
    "SemanticSegmentation": _image_sample(
        ["Road", "Sidewalk", "Sky"], "Paint every pixel of each region."
    ),
    "InstanceSegmentation": _image_sample(
        ["Car", "Person"], "Paint each car and person; N starts another object."
    ),
    "LabelVerification": _image_sample(
        ["Correct", "Incorrect"],
        "Is every car boxed tightly?",
        overlay={
            "boundingBox": {
                "labels": ["Car"],
                "value": [{"label": "Car", "left": 40, "top": 60, "width": 200, "height": 120}],
            }
        },
    ),
    "Keypoint": _image_sample(["Left eye", "Right eye", "Nose"], "Click each key point."),
    "Polygon": _image_sample(["Building", "Tree"], "Outline each one; close on the first point."),
    "Polyline": _image_sample(["Lane marking", "Curb"], "Trace each line; Enter finishes."),
    "VideoObjectDetection": {
        "frames": [f"https://images.example.com/video1/frame{n:04d}.jpg" for n in range(1, 4)],
        "mode": "detection",
        "labels": ["Car", "Person"],
        "shortInstructions": "<p>Box every car and person in each frame.</p>",
        "fullInstructions": "<p>C copies the boxes to the next frame.</p>",
    },
    "VideoObjectTracking": {
        "frames": [f"https://images.example.com/video1/frame{n:04d}.jpg" for n in range(1, 4)],
        "mode": "tracking",
        "labels": ["Car", "Person"],
        "shortInstructions": "<p>Follow each car and person through the frames.</p>",
        "fullInstructions": "<p>Adjust a box on a later frame; frames between interpolate.</p>",
    },
    "VideoClassification": {
        "taskObject": "https://videos.example.com/clip.mp4",
        "labels": ["Cooking", "Sports", "Music"],
        "shortInstructions": "<p>Watch the clip, then choose its topic.</p>",
        "fullInstructions": "<p>Choose what most of the clip shows.</p>",
    },
}


@cache
def builtin_template(task_type: str) -> str:
    """The Liquid source of the built-in UI for `task_type`; NotFound if there is none."""
    filename = BUILTIN_TEMPLATES.get(task_type)
    if filename is None:
        raise NotFound(f"No built-in task UI for task type {task_type!r}.")
    return (BUILTIN_DIR / filename).read_text(encoding="utf-8")
