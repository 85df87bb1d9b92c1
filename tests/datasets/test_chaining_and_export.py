import io
import json
from datetime import UTC, datetime

import pytest

from apps.datasets import services
from apps.datasets.manifest import classification_label, manifest_lines
from apps.datasets.models import Item, ManifestExport
from apps.datasets.selectors import item_iter_for_export, item_list
from tests.datasets.helpers import import_upload, manifest

pytestmark = pytest.mark.django_db

FIRST_JOB_OUTPUT = [
    {
        "source-ref": "img/1.jpg",
        "animal": 1,
        "animal-metadata": {"class-name": "dog", "confidence": 0.9},
    },
    {
        "source-ref": "img/2.jpg",
        "animal": 0,
        "animal-metadata": {"class-name": "cat", "confidence": 0.8},
    },
    {
        "source-ref": "img/3.jpg",
        "animal": 1,
        "animal-metadata": {"class-name": "dog", "confidence": 0.7},
    },
]


@pytest.fixture
def labeled(dataset, owner, django_capture_on_commit_callbacks):
    import_upload(
        dataset, owner.user, manifest(*FIRST_JOB_OUTPUT), django_capture_on_commit_callbacks
    )
    return dataset


def test_a_dataset_from_another_datasets_items_filtered_by_label_keeps_prior_keys(
    labeled, organization, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dogs, manifest_import = services.dataset_create_from_dataset(
            organization=organization,
            actor=owner.user,
            name="Dogs",
            source_dataset=labeled,
            filter_attribute="animal",
            filter_value="dog",
        )

    manifest_import.refresh_from_db()
    assert (manifest_import.status, manifest_import.lines_read, manifest_import.items_created) == (
        "succeeded",
        3,
        2,
    )
    assert dogs.storage_id == labeled.storage_id
    items = item_list(organization=organization, dataset_id=dogs.id)
    assert [(i.line_number, i.data) for i in items] == [
        (1, FIRST_JOB_OUTPUT[0]),
        (2, FIRST_JOB_OUTPUT[2]),
    ]


def test_a_second_jobs_output_holds_both_jobs_labels(
    labeled, organization, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dogs, _ = services.dataset_create_from_dataset(
            organization=organization,
            actor=owner.user,
            name="Dogs",
            source_dataset=labeled,
            filter_attribute="animal",
            filter_value=1,
        )
    items = list(item_iter_for_export(organization_id=organization.id, dataset_id=dogs.id))
    breed = classification_label(
        media="image",
        class_index=3,
        class_name="beagle",
        confidence=0.6,
        job_name="breeds",
        creation_date=datetime(2024, 5, 2, tzinfo=UTC),
    )

    lines = [json.loads(line) for line in manifest_lines(items, "breed", {items[0].id: breed})]

    assert lines[0]["animal-metadata"]["class-name"] == "dog"
    assert lines[0]["breed-metadata"]["class-name"] == "beagle"
    assert "breed" not in lines[1]


def test_chaining_from_an_output_manifest_file_with_a_filter(
    dataset, owner, django_capture_on_commit_callbacks
):
    result = import_upload(
        dataset,
        owner.user,
        manifest(*FIRST_JOB_OUTPUT),
        django_capture_on_commit_callbacks,
        filter_attribute="animal",
        filter_value="cat",
    )

    assert (result.status, result.items_created) == ("succeeded", 1)
    assert Item.objects.get(dataset=dataset).data == FIRST_JOB_OUTPUT[1]


def test_a_filter_needs_a_value(dataset, owner):
    with pytest.raises(Exception) as refused:
        services.manifest_import_start(
            dataset=dataset,
            actor=owner.user,
            source="upload",
            upload=io.BytesIO(b"{}"),
            filter_attribute="animal",
        )

    assert refused.value.details == {
        "filter_value": ["Give the value the filter attribute must equal."]
    }


def test_export_job_writes_the_manifest_to_a_storage_key(
    labeled, local_storage, org_root, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.manifest_export_start(
            dataset=labeled,
            actor=owner.user,
            storage=local_storage,
            key="out/animals/manifests/output/output.manifest",
        )

    export.refresh_from_db()
    assert (export.status, export.lines_written) == ("succeeded", 3)
    written = (org_root / "data/out/animals/manifests/output/output.manifest").read_text()
    assert [json.loads(line) for line in written.splitlines()] == FIRST_JOB_OUTPUT


def test_export_key_outside_the_storage_is_refused(labeled, local_storage, owner):
    with pytest.raises(Exception) as refused:
        services.manifest_export_start(
            dataset=labeled, actor=owner.user, storage=local_storage, key="../../x.manifest"
        )

    assert refused.value.code == "path_not_allowed"
    assert not ManifestExport.objects.exists()
