"""Image labeling projects built through the real services: PNGs in a local storage,
imported and probed (so Items know their width and height), a started project."""

import base64
import io
import json

from django.conf import settings
from django.test import TestCase
from PIL import Image, ImageDraw

from apps.datasets import services as dataset_services
from apps.datasets.models import Item
from apps.projects import services as project_services
from apps.tasks import services as task_services
from tests.work import import_lines
from tests.workforces.helpers import private_team, worker_of


def png_bytes(width: int, height: int, color=(158, 197, 227)) -> bytes:
    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle([width // 4, height // 4, width // 2, height // 2], fill=(82, 82, 122))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def mask_base64(width: int, height: int, regions: dict[str, tuple], fmt: str = "PNG") -> str:
    """A mask: white background, each `#rrggbb` colour filling its (left, top, right, bottom)."""
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for color, box in regions.items():
        draw.rectangle(box, fill=color)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()).decode()


def image_dataset(owner, sizes: list[tuple[int, int]], name: str = "photos", extra=None):
    """A dataset of PNGs of `sizes` in a local storage; Items probed for their size."""
    root = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "images"
    root.mkdir(parents=True, exist_ok=True)
    storage = dataset_services.storage_create(
        organization=owner.organization,
        actor=owner.user,
        name=f"{name}-storage",
        kind="local",
        path="images",
    )
    dataset = dataset_services.dataset_create(
        organization=owner.organization, actor=owner.user, name=name, storage=storage
    )
    lines = []
    for number, (width, height) in enumerate(sizes, start=1):
        (root / f"{number}.png").write_bytes(png_bytes(width, height))
        lines.append({"source-ref": f"{number}.png", **((extra or {}).get(number, {}))})
    import_lines(owner, dataset, lines)
    for item in Item.objects.filter(dataset=dataset):
        dataset_services.item_media_probe(item=item)
    return dataset


def image_project(
    owner,
    task_type: str,
    labels: list[str],
    *,
    sizes=((800, 600),),
    workers: int = 1,
    extra=None,
    **fields,
):
    """A started `task_type` project over PNGs of `sizes` (or the given `dataset`);
    returns (project, workers)."""
    people = [worker_of(owner.organization) for _ in range(workers)]
    project = project_services.project_create(
        organization=owner.organization,
        actor=owner.user,
        name=fields.pop("name", task_type.replace("_", "-")),
        task_type=task_type,
        label_attribute_name=fields.pop("label_attribute_name", "label"),
        labels=[{"label": label} for label in labels],
        answers_per_item=fields.pop("answers_per_item", 1),
        dataset=fields.pop("dataset", None) or image_dataset(owner, list(sizes), extra=extra),
        workteam=private_team(owner, name=f"team-{task_type.replace('_', '-')}", members=people),
        **fields,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_services.project_start(project=project, actor=owner.user)
    project.refresh_from_db()
    return project, people


def video_project(
    owner, task_type: str = "video_object_tracking", *, frames: int = 3, size=(640, 360)
):
    """A started video frame project over one sequence of `frames` PNG frames stored beside
    its sequence file (relative prefix in the dataset's storage); returns (project, worker)."""
    root = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "videos"
    (root / "video1").mkdir(parents=True, exist_ok=True)
    names = [f"frame{number:04d}.png" for number in range(1, frames + 1)]
    for shade, name in enumerate(names):
        (root / "video1" / name).write_bytes(png_bytes(*size, color=(120 + 20 * shade, 160, 200)))
    sequence = {
        "seq-no": 1,
        "prefix": "video1/",
        "number-of-frames": frames,
        "frames": [{"frame-no": n, "frame": name} for n, name in enumerate(names, start=1)],
    }
    (root / "seq1.json").write_text(json.dumps(sequence))
    storage = dataset_services.storage_create(
        organization=owner.organization,
        actor=owner.user,
        name="videos",
        kind="local",
        path="videos",
    )
    dataset = dataset_services.dataset_create(
        organization=owner.organization, actor=owner.user, name="clips", storage=storage
    )
    import_lines(owner, dataset, [{"source-ref": "seq1.json"}])
    worker = worker_of(owner.organization)
    project = project_services.project_create(
        organization=owner.organization,
        actor=owner.user,
        name="tracking",
        task_type=task_type,
        label_attribute_name="objects-ref",
        labels=[{"label": "car"}, {"label": "person"}],
        answers_per_item=1,
        dataset=dataset,
        workteam=private_team(owner, name="video-team", members=[worker]),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_services.project_start(project=project, actor=owner.user)
    project.refresh_from_db()
    return project, worker
