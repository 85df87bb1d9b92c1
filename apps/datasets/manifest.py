"""Manifest formats: reading and validating input lines, writing augmented output lines.

Formats follow shared/specs/aws-compat.md §7.1 (input) and §7.2 (output). Everything here
streams: one line in memory at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from apps.datasets.errors import StoragePathRefused
from apps.datasets.models import SOURCE_REF_MAX_LENGTH
from apps.datasets.storages import clean_relative_path

MAX_LINE_BYTES = 100_000  # "a line over 100 KB" is refused (spec: objects <= 100,000 chars)
MAX_ATTRIBUTE_CHARS = 20_000
UTF8_BOM = b"\xef\xbb\xbf"


class LineInvalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ValidLine:
    text: str  # the line's JSON text, as read
    data: dict
    source_ref: str | None


def read_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the line ending), or None for a line over the limit,
    whose rest is skipped without ever holding it in memory."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE_BYTES + 3)
        if not line:
            return
        number += 1
        if number == 1 and line.startswith(UTF8_BOM):
            line = line[len(UTF8_BOM) :]
        if not line.endswith(b"\n") and len(line) > MAX_LINE_BYTES:
            while True:  # drain the oversize line in bounded reads
                rest = stream.readline(1 << 16)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
            continue
        line = line.rstrip(b"\r\n") if line.endswith(b"\n") else line
        if len(line) > MAX_LINE_BYTES:
            yield number, None
            continue
        yield number, line


@dataclass
class RefRules:
    """Where `source-ref`s of one organization may point: its S3 storages' buckets and
    prefixes, and (for relative paths) the dataset's own storage."""

    s3_locations: list[tuple[str, str]] = field(default_factory=list)  # (bucket, prefix)
    has_dataset_storage: bool = False

    def normalize(self, ref: str) -> str:
        if ref.startswith("s3://"):
            bucket, _, key = ref[5:].partition("/")
            for allowed_bucket, prefix in self.s3_locations:
                if bucket == allowed_bucket and key.startswith(prefix) and len(key) > len(prefix):
                    return ref
            raise LineInvalid(
                f'"source-ref" {ref[:200]!r} is not inside a storage registered by this '
                "organization."
            )
        if "://" in ref or ref.startswith(("/", "~")):
            raise LineInvalid(
                f'"source-ref" {ref[:200]!r} must be an s3:// URI inside a registered storage '
                "or a path inside the dataset's storage."
            )
        if not self.has_dataset_storage:
            raise LineInvalid(
                f'"source-ref" {ref[:200]!r} is a relative path, but the dataset has no storage.'
            )
        try:
            return clean_relative_path(ref, field="source-ref", allow_empty=False)
        except StoragePathRefused as refused:
            raise LineInvalid(f'"source-ref" {ref[:200]!r}: {refused.message}') from None


class LineValidator:
    """Checks one line against §7.1 and the organization's storages; remembers refs seen
    (as 8-byte hashes: ~60 bytes a ref, not the ref itself) to refuse duplicates."""

    def __init__(self, rules: RefRules, seen_refs: set[int] | None = None) -> None:
        self.rules = rules
        self.seen_refs = seen_refs if seen_refs is not None else set()

    def check(self, raw: bytes | None) -> ValidLine | None:
        """The valid line, None for a blank one; raises LineInvalid."""
        if raw is None:
            raise LineInvalid(f"The line is longer than {MAX_LINE_BYTES:,} bytes.")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise LineInvalid("The line is not valid UTF-8.") from None
        if not text.strip():
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise LineInvalid(
                f"The line is not valid JSON: {error.msg} at column {error.colno}."
            ) from None
        if type(data) is not dict:
            raise LineInvalid("The line is not a JSON object.")
        has_source, has_ref = "source" in data, "source-ref" in data
        if has_source and has_ref:
            raise LineInvalid('The line has both "source" and "source-ref"; give exactly one.')
        if not has_source and not has_ref:
            raise LineInvalid('The line has neither "source" nor "source-ref"; give exactly one.')
        for key, value in data.items():
            if key[:1] == "$":
                raise LineInvalid(f"Attribute names must not start with '$' ({key[:50]!r}).")
            if type(value) is str and len(value) > MAX_ATTRIBUTE_CHARS:
                raise LineInvalid(
                    f"The attribute {key[:50]!r} is longer than {MAX_ATTRIBUTE_CHARS:,} characters."
                )
        if "\\u0000" in text:
            raise LineInvalid("The line contains a NUL character (\\u0000), which is not stored.")
        if "\\ud" in text or "\\uD" in text:
            try:  # a lone surrogate escape parses in Python but is not valid Unicode
                json.dumps(data, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                raise LineInvalid("The line contains an unpaired Unicode surrogate.") from None
        source_ref = None
        if has_ref:
            ref = data["source-ref"]
            if type(ref) is not str or not ref:
                raise LineInvalid('"source-ref" must be a non-empty string.')
            if len(ref) > SOURCE_REF_MAX_LENGTH:
                raise LineInvalid(
                    f'"source-ref" is longer than {SOURCE_REF_MAX_LENGTH:,} characters.'
                )
            source_ref = self.rules.normalize(ref)
        elif type(data["source"]) is not str:
            raise LineInvalid('"source" must be a string (the inline text).')
        return ValidLine(text=text, data=data, source_ref=source_ref)

    def remember(self, line: ValidLine) -> None:
        """Refuse a ref already in the dataset or earlier in this manifest."""
        if line.source_ref is None:
            return
        digest = ref_hash(line.source_ref)
        if digest in self.seen_refs:
            raise LineInvalid(f'Duplicate "source-ref" {line.source_ref[:200]!r}.')
        self.seen_refs.add(digest)


def ref_hash(ref: str) -> int:
    # Python's str hash is salted per process but stable within it: all this set needs.
    return hash(ref)


def matches_filter(data: dict, attribute: str, value: Any) -> bool:
    """`label == value` on a label attribute: the label itself, or its class name."""
    if data.get(attribute) == value:
        return True
    metadata = data.get(f"{attribute}-metadata")
    return isinstance(metadata, dict) and metadata.get("class-name") == value


# Output (augmented) manifest, §7.2


@dataclass(frozen=True)
class OutputLabel:
    """What one Item's line gains: `<attribute>: value`, `<attribute>-metadata: metadata`."""

    value: Any
    metadata: dict


class StoredItem:
    """An Item as read for export: its id and its data's JSON text, parsed only if needed."""

    __slots__ = ("_data", "id", "json_text")

    def __init__(self, item_id: int, json_text: str) -> None:
        self.id = item_id
        self.json_text = json_text
        self._data = None

    @property
    def data(self) -> dict:
        if self._data is None:
            self._data = json.loads(self.json_text)
        return self._data


def _json_encoder():
    """A reusable UTF-8 JSON encoder: the C encoder built once, not on every call as
    `json.dumps` does (a third of the writer's time per line); the pure one otherwise."""
    try:
        from json.encoder import c_make_encoder, encode_basestring
    except ImportError:  # pragma: no cover - CPython always has it
        c_make_encoder = None
    encoder = json.JSONEncoder(ensure_ascii=False)
    if c_make_encoder is None:  # pragma: no cover
        return encoder.encode
    make = c_make_encoder(
        None, encoder.default, encode_basestring, None, ": ", ", ", False, False, True
    )

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return encode_basestring(value)
        return "".join(make(value, 0))

    return encode


encode_json = _json_encoder()


def manifest_lines(
    items: Iterable[Any],
    label_attribute: str | None = None,
    labels: Mapping[int, OutputLabel] | None = None,
) -> Iterator[str]:
    """One output line per Item (anything with `.id` and `.data`), in the order given.

    Items with a label in `labels` (keyed by Item id) gain `<label_attribute>` and
    `<label_attribute>-metadata`, replacing keys of those names; every other key is kept.
    Unlabeled items are copied unchanged, as Ground Truth does in intermediate manifests.
    A `StoredItem`'s JSON text is written as is, and a label appended to it as text when
    its keys are not there yet: no parse and re-serialization per line.
    """
    encode = encode_json
    metadata_attribute = f"{label_attribute}-metadata"
    quoted = encode(label_attribute) if label_attribute else ""
    quoted_metadata = encode(metadata_attribute) if label_attribute else ""
    for item in items:
        label = labels.get(item.id) if labels and label_attribute else None
        text = getattr(item, "json_text", None)
        if label is None:
            yield f"{text if text is not None else encode(item.data)}\n"
            continue
        if (
            text is not None
            and len(text) > 2
            and text[-1] == "}"
            and quoted not in text
            and quoted_metadata not in text
        ):
            pair = encode({label_attribute: label.value, metadata_attribute: label.metadata})
            yield f"{text[:-1]}, {pair[1:]}\n"
            continue
        data = dict(item.data)
        data[label_attribute] = label.value
        data[metadata_attribute] = label.metadata
        yield f"{encode(data)}\n"


def encode_lines(lines: Iterable[str], *, chunk_bytes: int = 1 << 20) -> Iterator[bytes]:
    """UTF-8 chunks of about `chunk_bytes`, for streaming responses and storage writes."""
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= chunk_bytes:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def _creation_date(value: datetime) -> str:
    """UTC, written without a zone as in the spec's examples; takes aware datetimes only."""
    if value.tzinfo is None:
        raise ValueError("creation_date must be an aware datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _common(task_type: str, job_name: str, creation_date: datetime, human_annotated: bool) -> dict:
    return {
        "type": task_type,
        "job-name": f"labeling-job/{job_name}",
        "human-annotated": "yes" if human_annotated else "no",
        "creation-date": _creation_date(creation_date),
    }


CLASSIFICATION_TYPES = {
    "image": "groundtruth/image-classification",
    "text": "groundtruth/text-classification",
    # The sources show no type string for video clips (spec §7.2); this one follows the pattern.
    "video": "groundtruth/video-classification",
}


def classification_label(
    *,
    media: str,
    class_index: int,
    class_name: str,
    confidence: float,
    job_name: str,
    creation_date: datetime,
    human_annotated: bool = True,
) -> OutputLabel:
    """Single-label image, text or video classification."""
    metadata = {"class-name": class_name, "confidence": confidence}
    metadata.update(_common(CLASSIFICATION_TYPES[media], job_name, creation_date, human_annotated))
    return OutputLabel(value=class_index, metadata=metadata)


def multilabel_label(
    *,
    media: str,
    class_indices: list[int],
    class_names: Mapping[int, str],
    confidences: Mapping[int, float],
    job_name: str,
    creation_date: datetime,
    human_annotated: bool = True,
) -> OutputLabel:
    """Multi-label image or text classification."""
    metadata = {
        "class-map": {str(index): class_names[index] for index in class_indices},
        "confidence-map": {str(index): confidences[index] for index in class_indices},
    }
    metadata.update(
        _common(
            f"{CLASSIFICATION_TYPES[media]}-multilabel", job_name, creation_date, human_annotated
        )
    )
    return OutputLabel(value=list(class_indices), metadata=metadata)


@dataclass(frozen=True)
class Box:
    class_id: int
    left: int
    top: int
    width: int
    height: int
    confidence: float


def bounding_box_label(
    *,
    image_width: int,
    image_height: int,
    image_depth: int = 3,
    boxes: list[Box],
    class_names: Mapping[int, str],
    job_name: str,
    creation_date: datetime,
    human_annotated: bool = True,
    adjustment_status: str | None = None,
) -> OutputLabel:
    """Bounding boxes (object detection), and its adjustment variant."""
    value = {
        "image_size": [{"width": image_width, "height": image_height, "depth": image_depth}],
        "annotations": [
            {
                "class_id": b.class_id,
                "left": b.left,
                "top": b.top,
                "width": b.width,
                "height": b.height,
            }
            for b in boxes
        ],
    }
    metadata = {
        "objects": [{"confidence": b.confidence} for b in boxes],
        "class-map": {str(class_id): name for class_id, name in sorted(class_names.items())},
    }
    metadata.update(
        _common("groundtruth/object-detection", job_name, creation_date, human_annotated)
    )
    if adjustment_status is not None:
        metadata["adjustment-status"] = adjustment_status
    return OutputLabel(value=value, metadata=metadata)


# Image polygons, polylines and key points: the spec gives no image output format for these
# (its table lists them only inside video SeqLabel files, as lists named `polygons`,
# `polylines` and `keypoints`), so the value follows the bounding-box shape with that list
# name, and the type strings follow Ground Truth's "groundtruth/<task>" pattern.
SHAPE_TYPES = {
    "polygons": "groundtruth/polygon",
    "polylines": "groundtruth/polyline",
    "keypoints": "groundtruth/keypoint",
}


@dataclass(frozen=True)
class Shape:
    class_id: int
    vertices: list[tuple[int, int]]  # one vertex for a key point
    confidence: float


def shapes_label(
    *,
    kind: str,
    image_width: int,
    image_height: int,
    image_depth: int = 3,
    shapes: list[Shape],
    class_names: Mapping[int, str],
    job_name: str,
    creation_date: datetime,
    human_annotated: bool = True,
) -> OutputLabel:
    """Polygons, polylines (`kind` "polygons"/"polylines": vertices [{x, y}]) or key points
    ("keypoints": x, y), e.g. {"image_size": [...], "polygons": [{"class_id": 0,
    "vertices": [{"x": 1, "y": 2}, ...]}]}, with per-shape confidence in `objects`."""
    if kind == "keypoints":
        entries = [
            {"class_id": s.class_id, "x": s.vertices[0][0], "y": s.vertices[0][1]} for s in shapes
        ]
    else:
        entries = [
            {"class_id": s.class_id, "vertices": [{"x": x, "y": y} for x, y in s.vertices]}
            for s in shapes
        ]
    value = {
        "image_size": [{"width": image_width, "height": image_height, "depth": image_depth}],
        kind: entries,
    }
    metadata = {
        "objects": [{"confidence": s.confidence} for s in shapes],
        "class-map": {str(class_id): name for class_id, name in sorted(class_names.items())},
    }
    metadata.update(_common(SHAPE_TYPES[kind], job_name, creation_date, human_annotated))
    return OutputLabel(value=value, metadata=metadata)


MASK_TYPES = {
    "semantic": "groundtruth/semantic-segmentation",
    # Ground Truth documents no instance segmentation output; ours has the same shape, the
    # colour map keyed by object number (a class name may repeat).
    "instance": "groundtruth/instance-segmentation",
}


def semantic_segmentation_label(
    *,
    label_uri: str,
    colors: Mapping[int, tuple[str, float, str]],
    job_name: str,
    creation_date: datetime,
    human_annotated: bool = True,
    kind: str = "semantic",
) -> OutputLabel:
    """Segmentation: the value is the label PNG's URI (the attribute ends in -ref);
    `colors` maps class index (`kind` "semantic") or object number ("instance") to
    (class name, confidence, hex color); 0 is the background."""
    metadata = {
        "internal-color-map": {
            str(index): {"class-name": name, "confidence": confidence, "hex-color": color}
            for index, (name, confidence, color) in sorted(colors.items())
        }
    }
    metadata.update(_common(MASK_TYPES[kind], job_name, creation_date, human_annotated))
    return OutputLabel(value=label_uri, metadata=metadata)


def label_verification_label(
    *,
    class_index: int,
    class_name: str,
    confidence: float,
    comments: list[str],
    job_name: str,
    creation_date: datetime,
    human_annotated: bool = True,
) -> OutputLabel:
    """Label verification: the verdict's class index, written as a string as in the spec."""
    metadata = {
        "class-name": class_name,
        "confidence": confidence,
        "worker-feedback": [{"comment": comment} for comment in comments],
    }
    metadata.update(
        _common("groundtruth/label-verification", job_name, creation_date, human_annotated)
    )
    return OutputLabel(value=str(class_index), metadata=metadata)


@dataclass(frozen=True)
class Entity:
    label: str
    start_offset: int  # in Unicode code points
    end_offset: int
    confidence: float


def named_entity_label(
    *,
    labels: list[tuple[str, str]],
    entities: list[Entity],
    job_name: str,
    creation_date: datetime,
    human_annotated: bool = True,
) -> OutputLabel:
    """Named entity recognition (text spans); `labels` are (label, short display name)."""
    value = {
        "annotations": {
            "labels": [{"label": label, "shortDisplayName": short} for label, short in labels],
            "entities": [
                {"label": e.label, "startOffset": e.start_offset, "endOffset": e.end_offset}
                for e in entities
            ],
        }
    }
    metadata = {"entities": [{"confidence": e.confidence} for e in entities]}
    metadata.update(_common("groundtruth/text-span", job_name, creation_date, human_annotated))
    return OutputLabel(value=value, metadata=metadata)


SEQUENCE_TYPES = {
    "video-detection": "groundtruth/video-object-detection",
    "video-tracking": "groundtruth/video-object-tracking",
    "point-cloud-detection": "groundtruth/point_cloud_object_detection",
    "point-cloud-tracking": "groundtruth/point_cloud_object_tracking",
    "point-cloud-segmentation": "groundtruth/point_cloud_single_frame_semantic_segmentation",
}


def sequence_label(
    *,
    kind: str,
    value: Any,
    class_names: Mapping[int, str],
    job_name: str,
    creation_date: datetime,
    human_annotated: bool = True,
) -> OutputLabel:
    """Video frame and 3D point cloud jobs: `value` is the SeqLabel.json URI (attribute
    ending in -ref) or the inline cuboids; metadata carries the class map."""
    metadata = {"class-map": {str(i): name for i, name in sorted(class_names.items())}}
    metadata.update(_common(SEQUENCE_TYPES[kind], job_name, creation_date, human_annotated))
    return OutputLabel(value=value, metadata=metadata)


@dataclass(frozen=True)
class FrameBox:
    class_id: int
    left: int
    top: int
    width: int
    height: int
    object_id: int | None = None  # tracking: stable across frames
    object_name: str | None = None  # tracking: e.g. "car:1"


def seq_label_content(*, tracking: bool, frames: list[tuple[int, str, list[FrameBox]]]) -> dict:
    """The SeqLabel.json a video frame label's `-ref` URI points at (spec 7.2):
    {"detection-annotations"|"tracking-annotations": [{"frame-no", "frame", "annotations":
    [{"height", "width", "top", "left", "class-id", ("object-id", "object-name")}],
    "frame-attributes": {}}]}, one entry per frame (number, file name, boxes)."""
    entries = []
    for frame_no, frame_name, boxes in frames:
        annotations = []
        for box in boxes:
            annotation = {
                "height": box.height,
                "width": box.width,
                "top": box.top,
                "left": box.left,
                "class-id": str(box.class_id),
                "label-category-attributes": {},
            }
            if tracking:
                annotation["object-id"] = str(box.object_id)
                annotation["object-name"] = box.object_name
            annotations.append(annotation)
        entries.append(
            {
                "frame-no": str(frame_no),
                "frame": frame_name,
                "annotations": annotations,
                "frame-attributes": {},
            }
        )
    return {("tracking-annotations" if tracking else "detection-annotations"): entries}


def custom_label(
    *, value: Any, job_name: str, creation_date: datetime, human_annotated: bool = True
) -> OutputLabel:
    """Custom task: whatever the consolidation returned under the label attribute."""
    # Spelled as printed in the Developer Guide (spec §7.2).
    return OutputLabel(
        value=value,
        metadata=_common("groundTruth/custom", job_name, creation_date, human_annotated),
    )
