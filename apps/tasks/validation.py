"""Server-side answer checks per task type: a 400 naming the problem, nothing stored.

Answers arrive as the object a `crowd-form` submits: one key per named element. Built-in
templates have one element, so the value is read from the answer's single entry.
Spatial answers are checked against the image's size as probed at import (Item.width,
Item.height); for an item not probed yet, against the size the worker's browser reported
(`inputImageProperties`), which must then be given.
"""

import base64
import binascii
import json
import math
import re
from types import SimpleNamespace

from apps.core.errors import DomainError
from apps.projects.models import Project, TaskType
from apps.tasks.masks import BACKGROUND_COLOR

MAX_ANSWER_BYTES = 1_000_000  # custom answers: any JSON up to this size


class InvalidAnswer(DomainError):
    code = "invalid_answer"
    message = "The answer is not valid for this task."


def _fail(message: str) -> InvalidAnswer:
    return InvalidAnswer.on_field("answer", message)


def _single_value(answer: dict) -> object:
    if len(answer) != 1:
        raise _fail("The answer must contain exactly one labeled element.")
    return next(iter(answer.values()))


def _check_label(label: object, allowed: list[str]) -> str:
    if not isinstance(label, str) or label not in allowed:
        raise _fail(f"Unknown label {label!r}; expected one of: {', '.join(allowed)}.")
    return label


def _classification(value: object, project: Project, item) -> None:
    if not isinstance(value, dict) or "label" not in value:
        raise _fail('Expected {"label": <category>}.')
    _check_label(value["label"], project.label_names)


def _multilabel(value: object, project: Project, item) -> None:
    labels = value.get("labels") if isinstance(value, dict) else None
    if not isinstance(labels, list):
        raise _fail('Expected {"labels": [<category>, ...]}.')
    for label in labels:
        _check_label(label, project.label_names)
    if len(set(labels)) != len(labels):
        raise _fail("A label appears twice.")


def _entities(value: object, project: Project, item) -> None:
    entities = value.get("entities") if isinstance(value, dict) else None
    if not isinstance(entities, list):
        raise _fail('Expected {"entities": [{label, startOffset, endOffset}, ...]}.')
    text = item.data.get("source")
    length = len(text) if isinstance(text, str) else 0
    spans = []
    for number, entity in enumerate(entities, start=1):
        if not isinstance(entity, dict):
            raise _fail(f"Entity #{number} is not an object.")
        _check_label(entity.get("label"), project.label_names)
        start, end = entity.get("startOffset"), entity.get("endOffset")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            raise _fail(f"Entity #{number} needs integer startOffset and endOffset.")
        if not 0 <= start < end <= length:
            raise _fail(f"Entity #{number} ({start}-{end}) is outside the text (0-{length}).")
        spans.append((start, end, number))
    spans.sort()
    for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise _fail(f"Entities #{first} and #{second} overlap.")


def _verification(answer: dict, project: Project, item) -> None:
    """Label verification: a verdict among the project's labels, and an optional comment.

    Two shapes: Ground Truth's built-in UI submits one classifier element,
    `{"<name>": {"label": <verdict>, "workerComment"?: <text>}}`; a chained verification
    project (apps.reviews) submits `{"verdict": {"label": <verdict>}, "comment"?: <text>}`
    beside the elements that show the prior label."""
    if "verdict" in answer:
        verdict, comment = answer["verdict"], answer.get("comment", "")
    else:
        verdict = _single_value(answer)
        comment = verdict.get("workerComment", "") if isinstance(verdict, dict) else ""
    if not isinstance(verdict, dict) or "label" not in verdict:
        raise _fail('Expected {"verdict": {"label": <verdict>}, "comment": <optional text>}.')
    _check_label(verdict["label"], project.label_names)
    if not isinstance(comment, str) or len(comment) > 2000:
        raise _fail("The comment is text of at most 2000 characters.")


# Spatial answers


def _image_size(value: dict, item) -> tuple[int, int]:
    """(width, height) the coordinates must lie in; refuses a reported size that differs
    from the probed one (the worker saw another image)."""
    reported = value.get("inputImageProperties")
    width, height = getattr(item, "width", None), getattr(item, "height", None)
    if reported is not None:
        if not isinstance(reported, dict) or not all(
            _is_int(reported.get(key)) and reported[key] > 0 for key in ("width", "height")
        ):
            raise _fail("inputImageProperties needs positive integer width and height.")
        if width and height and (reported["width"], reported["height"]) != (width, height):
            raise _fail(
                f"inputImageProperties says {reported['width']}x{reported['height']}, "
                f"but the image is {width}x{height}."
            )
    if width and height:
        return width, height
    if reported is None:
        raise _fail("inputImageProperties (the image's width and height) is missing.")
    return reported["width"], reported["height"]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(f"{what} must be a finite number, not {json.dumps(value)[:40]}.")
    return float(value)


def _list_of(value: object, key: str, shape: str) -> list:
    items = value.get(key) if isinstance(value, dict) else None
    if not isinstance(items, list):
        raise _fail(f'Expected {{"{key}": [{shape}, ...], "inputImageProperties": {{...}}}}.')
    for number, entry in enumerate(items, start=1):
        if not isinstance(entry, dict):
            raise _fail(f"{key} #{number} is not an object.")
    return items


def _point(vertex: object, where: str, size: tuple[int, int]) -> tuple[float, float]:
    if not isinstance(vertex, dict):
        raise _fail(f"{where} is not an {{x, y}} object.")
    x, y = _number(vertex.get("x"), f"{where} x"), _number(vertex.get("y"), f"{where} y")
    if not (0 <= x <= size[0] and 0 <= y <= size[1]):
        raise _fail(f"{where} ({x:g}, {y:g}) is outside the {size[0]}x{size[1]} image.")
    return x, y


def _boxes(value: object, project: Project, item) -> None:
    boxes = _list_of(value, "boundingBoxes", "{label, left, top, width, height}")
    width, height = _image_size(value, item)
    for number, box in enumerate(boxes, start=1):
        _check_label(box.get("label"), project.label_names)
        _box_inside(box, f"Box #{number}", (width, height))


def _box_inside(box: dict, where: str, size: tuple[int, int]) -> None:
    width, height = size
    left, top = _number(box.get("left"), f"{where} left"), _number(box.get("top"), f"{where} top")
    w, h = (
        _number(box.get("width"), f"{where} width"),
        _number(box.get("height"), f"{where} height"),
    )
    if w <= 0 or h <= 0:
        raise _fail(f"{where} has a width or height of zero or less ({w:g}x{h:g}).")
    if left < 0 or top < 0 or left + w > width or top + h > height:
        raise _fail(
            f"{where} ({left:g}, {top:g}, {w:g}x{h:g}) reaches outside the {width}x{height} image."
        )


def _segments_cross(a, b, c, d) -> bool:
    def orient(p, q, r) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if 0 in (o1, o2, o3, o4):  # touching or collinear: overlapping edges count as crossing

        def on(p, q, r) -> bool:
            return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(
                p[1], q[1]
            )

        return (
            (o1 == 0 and on(a, b, c))
            or (o2 == 0 and on(a, b, d))
            or (o3 == 0 and on(c, d, a))
            or (o4 == 0 and on(c, d, b))
        )
    return (o1 > 0) != (o2 > 0) and (o3 > 0) != (o4 > 0)


MAX_VERTICES = 1_000  # per shape; the pairwise crossing check is quadratic (~0.5 s at 1,000)


def polygon_problem(points: list[tuple[float, float]]) -> str:
    """Why `points` is not a simple closed polygon, or "" (an explicit closing vertex equal
    to the first is allowed and dropped)."""
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 3:
        return "is not closed: a polygon needs at least 3 distinct vertices"
    count = len(points)
    edges = [(points[i], points[(i + 1) % count]) for i in range(count)]
    for i in range(count):
        for j in range(i + 1, count):
            if j == i + 1 or (i == 0 and j == count - 1):
                continue
            if _segments_cross(*edges[i], *edges[j]):
                return f"intersects itself (edges {i + 1} and {j + 1} cross)"
    area = sum(
        x1 * y2 - x2 * y1
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
    )
    if area == 0:
        return "has no area (its vertices lie on one line)"
    return ""


def _vertex_shapes(value: object, project: Project, item, *, key: str, minimum: int) -> None:
    shapes = _list_of(value, key, "{label, vertices: [{x, y}, ...]}")
    size = _image_size(value, item)
    noun = {"polygons": "Polygon", "polylines": "Polyline", "lines": "Line"}[key]
    for number, shape in enumerate(shapes, start=1):
        where = f"{noun} #{number}"
        _check_label(shape.get("label"), project.label_names)
        vertices = shape.get("vertices")
        if not isinstance(vertices, list) or not minimum <= len(vertices) <= MAX_VERTICES:
            raise _fail(f"{where} needs a list of at least {minimum} vertices.")
        points = [_point(v, f"{where} vertex #{n}", size) for n, v in enumerate(vertices, 1)]
        if key == "lines" and len(points) != 2:
            raise _fail(f"{where} must have exactly 2 vertices.")
        if key == "polygons":
            problem = polygon_problem(points)
            if problem:
                raise _fail(f"{where} {problem}.")


def _polygons(value: object, project: Project, item) -> None:
    _vertex_shapes(value, project, item, key="polygons", minimum=3)


def _polylines(value: object, project: Project, item) -> None:
    key = "lines" if isinstance(value, dict) and "lines" in value else "polylines"
    _vertex_shapes(value, project, item, key=key, minimum=2)


def _keypoints(value: object, project: Project, item) -> None:
    points = _list_of(value, "keypoints", "{label, x, y}")
    size = _image_size(value, item)
    for number, point in enumerate(points, start=1):
        _check_label(point.get("label"), project.label_names)
        _point(point, f"Key point #{number}", size)


HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_MASK_ANSWER_BYTES = 2_000_000  # under Django's default request body limit (2.5 MB)
MAX_INSTANCES = 255  # the mask's index is one byte, 0 the background


def mask_image(value: dict) -> bytes:
    """The PNG bytes of a segmentation answer (base64-decoded, not yet checked)."""
    labeled = value.get("labeledImage")
    data = labeled.get("pngImageData") if isinstance(labeled, dict) else None
    if not isinstance(data, str) or not data:
        raise _fail("labeledImage.pngImageData (the mask PNG, base64) is missing.")
    if data.startswith("data:"):
        data = data.partition(",")[2]
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise _fail("labeledImage.pngImageData is not valid base64.") from None


def _mask(value: dict, item, *, colors: list[str], noun: str) -> None:
    """The mask is a PNG of exactly the image's size holding only the given colours and
    the white background (read as consolidation reads it: one rule)."""
    from apps.tasks.masks import MaskUnreadable, mask_read

    size = _image_size(value, item)
    try:
        mask_read(mask_image(value), size=size, colors=colors, noun=noun)
    except MaskUnreadable as error:
        raise _fail(str(error)) from None


def _color_of(entry: object, where: str) -> str:
    color = entry.get("color") if isinstance(entry, dict) else None
    if not isinstance(color, str) or not HEX_COLOR.match(color):
        raise _fail(f'{where} needs a "color" like "#1f77b4".')
    if color.lower() == BACKGROUND_COLOR:
        raise _fail(f"{where} uses white, the background colour.")
    return color


def _semantic_segmentation(value: object, project: Project, item) -> None:
    mappings = value.get("labelMappings") if isinstance(value, dict) else None
    if not isinstance(mappings, dict):
        raise _fail('Expected {"labelMappings": {<label>: {"color"}}, "labeledImage": {...}}.')
    colors = {}
    for label, mapping in mappings.items():
        _check_label(label, project.label_names)
        colors[label] = _color_of(mapping, f"Label {label!r}")
    if len({color.lower() for color in colors.values()}) != len(colors):
        raise _fail("Two labels share one colour.")
    _mask(value, item, colors=list(colors.values()), noun="label")


def _instance_segmentation(value: object, project: Project, item) -> None:
    """One colour per object; a label may repeat (two cats), a colour may not."""
    instances = _list_of(value, "instances", "{color, label}")
    if len(instances) > MAX_INSTANCES:
        raise _fail(f"At most {MAX_INSTANCES} objects fit in one mask.")
    colors = []
    for number, instance in enumerate(instances, start=1):
        _check_label(instance.get("label"), project.label_names)
        colors.append(_color_of(instance, f"Object #{number}"))
    if len({color.lower() for color in colors}) != len(colors):
        raise _fail("Two objects share one colour.")
    _mask(value, item, colors=colors, noun="object")


def _video_frames(value: object, project: Project, item) -> None:
    """Boxes per frame of the item's sequence: frame numbers inside it, each box inside the
    frame size the browser reported, one box per object and frame, known labels."""
    from apps.tasks.video import sequence_read

    frames = _list_of(value, "frames", "{frameNo, boxes: [...]}")
    count = len(sequence_read(item=item).frames)
    reported = value.get("frameCount")
    if reported is not None and reported != count:
        raise _fail(f"The answer is for {json.dumps(reported)} frames; the sequence has {count}.")
    size = _image_size(value, SimpleNamespace(width=None, height=None))
    seen_frames = set()
    for frame in frames:
        number = frame.get("frameNo")
        if not _is_int(number) or number < 0:
            raise _fail(f"frameNo must be a frame index (0 or more), not {json.dumps(number)}.")
        if number >= count:
            raise _fail(
                f"Frame index {number} is past the sequence ({count} frames: 0-{count - 1})."
            )
        if number in seen_frames:
            raise _fail(f"Frame {number} appears twice.")
        seen_frames.add(number)
        boxes = frame.get("boxes")
        if not isinstance(boxes, list):
            raise _fail(f"Frame {number} needs a list of boxes.")
        objects = set()
        for box_number, box in enumerate(boxes, start=1):
            where = f"Frame {number} box #{box_number}"
            if not isinstance(box, dict):
                raise _fail(f"{where} is not an object.")
            _check_label(box.get("label"), project.label_names)
            object_id = box.get("objectId")
            if not _is_int(object_id) or object_id < 0:
                raise _fail(f"{where} needs an integer objectId.")
            if object_id in objects:
                raise _fail(f"{where}: object {object_id} has two boxes in one frame.")
            objects.add(object_id)
            _box_inside(box, where, size)


VALIDATORS = {
    TaskType.TEXT_CLASSIFICATION: _classification,
    TaskType.IMAGE_CLASSIFICATION: _classification,
    TaskType.VIDEO_CLASSIFICATION: _classification,
    TaskType.TEXT_CLASSIFICATION_MULTILABEL: _multilabel,
    TaskType.IMAGE_CLASSIFICATION_MULTILABEL: _multilabel,
    TaskType.NAMED_ENTITY_RECOGNITION: _entities,
    TaskType.BOUNDING_BOX: _boxes,
    TaskType.POLYGON: _polygons,
    TaskType.POLYLINE: _polylines,
    TaskType.KEYPOINT: _keypoints,
    TaskType.SEMANTIC_SEGMENTATION: _semantic_segmentation,
    TaskType.INSTANCE_SEGMENTATION: _instance_segmentation,
    TaskType.VIDEO_OBJECT_DETECTION: _video_frames,
    TaskType.VIDEO_OBJECT_TRACKING: _video_frames,
}
# Answers that carry a mask PNG, or boxes for every frame of a video, may be larger.
MAX_BYTES = {
    TaskType.SEMANTIC_SEGMENTATION: MAX_MASK_ANSWER_BYTES,
    TaskType.INSTANCE_SEGMENTATION: MAX_MASK_ANSWER_BYTES,
    TaskType.VIDEO_OBJECT_DETECTION: MAX_MASK_ANSWER_BYTES,
    TaskType.VIDEO_OBJECT_TRACKING: MAX_MASK_ANSWER_BYTES,
}


def validate_answer(*, project: Project, item, answer: object) -> None:
    if not isinstance(answer, dict):
        raise _fail("The answer must be a JSON object.")
    limit = max(MAX_ANSWER_BYTES, MAX_BYTES.get(project.task_type, 0))
    size = len(json.dumps(answer, separators=(",", ":")).encode())
    if size > limit:
        raise _fail(f"The answer is {size} bytes; at most {limit} are accepted.")
    if project.task_type == TaskType.LABEL_VERIFICATION:
        _verification(answer, project, item)
        return
    validator = VALIDATORS.get(project.task_type)
    if validator is not None:
        validator(_single_value(answer), project, item)
