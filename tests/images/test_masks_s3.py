"""A segmentation project over an S3 dataset: the consolidated mask is written to the bucket
(moto's server on loopback, reached through boto3 as a tenant's S3 would be)."""

import io
import json

import pytest
from django.test import TestCase
from PIL import Image

from apps.datasets import services as dataset_services
from apps.datasets.models import Item
from apps.datasets.objects import location_for_ref
from apps.tasks import quality
from apps.tasks.models import Task
from tests.datasets.conftest import MOTO_BUCKET
from tests.images.helpers import image_project, png_bytes
from tests.images.test_masks import HEIGHT, SKY, WIDTH, semantic, work
from tests.work import import_lines

pytestmark = pytest.mark.django_db


def test_the_consolidated_mask_of_an_s3_dataset_is_written_to_its_bucket(
    owner, moto_server, s3_storage, s3_prefix
):
    s3 = moto_server.client()
    s3.put_object(Bucket=MOTO_BUCKET, Key=f"{s3_prefix}photos/1.png", Body=png_bytes(WIDTH, HEIGHT))
    dataset = dataset_services.dataset_create(
        organization=owner.organization, actor=owner.user, name="street", storage=s3_storage
    )
    import_lines(owner, dataset, [{"source-ref": f"s3://{MOTO_BUCKET}/{s3_prefix}photos/1.png"}])
    for item in Item.objects.filter(dataset=dataset):
        dataset_services.item_media_probe(item=item)
    project, workers = image_project(
        owner,
        "semantic_segmentation",
        ["road", "sky"],
        dataset=dataset,
        workers=2,
        answers_per_item=2,
        label_attribute_name="mask-ref",
    )

    with TestCase.captureOnCommitCallbacks(execute=True):
        work(project, workers[0], semantic({SKY: (0, 0, WIDTH - 1, 9)}))
        work(project, workers[1], semantic({SKY: (0, 0, WIDTH - 1, 9)}))

    key = f"{s3_prefix}semantic-segmentation/annotations/consolidated-annotation/output/1/mask.png"
    task = Task.objects.select_related("item__dataset").get(project=project)
    assert task.consolidated_label["labeledImage"] == {"ref": f"s3://{MOTO_BUCKET}/{key}"}
    assert task.confidence == 1.0
    body = s3.get_object(Bucket=MOTO_BUCKET, Key=key)["Body"].read()
    with Image.open(io.BytesIO(body)) as mask:
        rgb = mask.convert("RGB")
        assert rgb.getpixel((3, 5)) == (0xFF, 0x7F, 0x0E)
        assert rgb.getpixel((3, 20)) == (255, 255, 255)
    # The ref resolves inside the registered storage (a later job can show it to workers).
    ref = task.consolidated_label["labeledImage"]["ref"]
    assert location_for_ref(item=task.item, ref=ref) == (
        s3_storage,
        "semantic-segmentation/annotations/consolidated-annotation/output/1/mask.png",
    )
    (line,) = [json.loads(text) for text in quality.project_output_lines(project=project)]
    assert line["mask-ref"] == f"s3://{MOTO_BUCKET}/{key}"
