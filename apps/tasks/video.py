"""Video frame tasks: the sequence file an Item's `source-ref` names (aws-compat spec 7.1)
  {"seq-no": 1, "prefix": "s3://bucket/video1/", "number-of-frames": 2,
   "frames": [{"frame-no": 1, "unix-timestamp": 1566861644, "frame": "frame0001.jpg"}, ...]}
read from the item's storage and checked, and the frame refs it lists."""

import json
from dataclasses import dataclass

from apps.core.errors import DomainError
from apps.datasets.objects import location_for_ref
from apps.datasets.storages import backend_for

MAX_SEQUENCE_BYTES = 5_000_000
MAX_FRAMES = 10_000


class SequenceInvalid(DomainError):
    code = "sequence_invalid"
    message = "The item's sequence file is not valid."


@dataclass(frozen=True)
class Sequence:
    prefix: str
    frames: list[str]  # frame file names, in order

    @property
    def frame_refs(self) -> list[str]:
        return [f"{self.prefix}{name}" for name in self.frames]


def sequence_parse(data: object) -> Sequence:
    """Check a parsed sequence file; raises SequenceInvalid naming the problem."""
    if not isinstance(data, dict):
        raise SequenceInvalid("The sequence file is not a JSON object.")
    prefix, frames, count = data.get("prefix"), data.get("frames"), data.get("number-of-frames")
    if not isinstance(prefix, str) or not prefix.endswith("/"):
        raise SequenceInvalid('The sequence file\'s "prefix" must be a string ending in "/".')
    if not isinstance(frames, list) or not 1 <= len(frames) <= MAX_FRAMES:
        raise SequenceInvalid(f'"frames" must list 1 to {MAX_FRAMES} frames.')
    if count != len(frames):
        raise SequenceInvalid(
            f'"number-of-frames" is {json.dumps(count)}, but "frames" lists {len(frames)}.'
        )
    names = []
    for number, frame in enumerate(frames, start=1):
        name = frame.get("frame") if isinstance(frame, dict) else None
        if not isinstance(name, str) or not name.strip() or ".." in name:
            raise SequenceInvalid(f'Frame #{number} needs a "frame" file name.')
        names.append(name)
    return Sequence(prefix=prefix, frames=names)


def sequence_read(*, item) -> Sequence:
    """The sequence file of a video frame Item, from its storage."""
    try:
        storage, key = location_for_ref(item=item, ref=item.source_ref)
        with backend_for(storage) as backend, backend.open(key) as stream:
            raw = stream.read(MAX_SEQUENCE_BYTES + 1)
    except DomainError as error:  # refused path, missing object, storage unavailable
        raise SequenceInvalid(f"The sequence file cannot be read: {error.message}") from None
    if len(raw) > MAX_SEQUENCE_BYTES:
        raise SequenceInvalid(f"The sequence file is larger than {MAX_SEQUENCE_BYTES:,} bytes.")
    try:
        data = json.loads(raw)
    except ValueError:
        raise SequenceInvalid("The sequence file is not valid JSON.") from None
    return sequence_parse(data)
