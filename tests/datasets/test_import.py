import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.datasets import services
from apps.datasets.errors import ImportInProgress
from apps.datasets.models import Dataset, Item, ManifestImport
from apps.datasets.selectors import item_list
from tests.datasets.helpers import import_upload, manifest
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(dataset, owner, django_capture_on_commit_callbacks):
    def run(content: bytes, **options) -> ManifestImport:
        return import_upload(
            dataset, owner.user, content, django_capture_on_commit_callbacks, **options
        )

    return run


def test_import_creates_one_item_per_line_keeping_every_key_verbatim(run, dataset, settings):
    line = {"source-ref": "images/1.jpg", "animal": 1, "animal-metadata": {"class-name": "dog"}}
    result = run(manifest({"source": "The food was delicious", "customer-id": "c-17"}, line))

    assert (result.status, result.lines_read, result.items_created) == ("succeeded", 2, 2)
    assert result.errors == [] and result.error_count == 0
    items = list(item_list(organization=dataset.organization, dataset_id=dataset.id))
    assert [(i.line_number, i.data, i.source_ref) for i in items] == [
        (1, {"source": "The food was delicious", "customer-id": "c-17"}, None),
        (2, line, "images/1.jpg"),
    ]
    dataset.refresh_from_db()
    assert dataset.item_count == 2
    assert list((settings.DATASETS_WORK_ROOT / "uploads").iterdir()) == []  # staged file gone


def test_a_second_import_appends_with_continuing_line_numbers(run, dataset):
    run(manifest({"source": "a"}, {"source": "b"}))
    second = run(manifest({"source": "c"}))

    assert second.items_created == 1
    assert list(
        Item.objects.filter(dataset=dataset)
        .order_by("line_number")
        .values_list("line_number", "data")
    ) == [(1, {"source": "a"}), (2, {"source": "b"}), (3, {"source": "c"})]


def test_crlf_line_endings_a_bom_and_blank_lines_are_accepted(run, dataset):
    content = b'\xef\xbb\xbf{"source": "a"}\r\n\r\n{"source": "b"}\r\n'

    result = run(content)

    assert (result.status, result.items_created, result.lines_read) == ("succeeded", 2, 3)
    assert [i.line_number for i in Item.objects.filter(dataset=dataset)] == [1, 2]


INVALID_LINES = [
    ('{"source": "a"', "The line is not valid JSON: Expecting ',' delimiter at column 15."),
    ('["source", "a"]', "The line is not a JSON object."),
    ('"just text"', "The line is not a JSON object."),
    (
        '{"source": "a", "source-ref": "images/a.jpg"}',
        'The line has both "source" and "source-ref"; give exactly one.',
    ),
    ('{"label": "cat"}', 'The line has neither "source" nor "source-ref"; give exactly one.'),
    ('{"source": 5}', '"source" must be a string (the inline text).'),
    ('{"source-ref": ""}', '"source-ref" must be a non-empty string.'),
    ('{"source": "a", "$x": 1}', "Attribute names must not start with '$' ('$x')."),
    (
        '{"source": "a\\u0000b"}',
        "The line contains a NUL character (\\u0000), which is not stored.",
    ),
    ('{"source": "a\\ud800"}', "The line contains an unpaired Unicode surrogate."),
    (
        '{"source-ref": "../../etc/passwd"}',
        "\"source-ref\" '../../etc/passwd': The path must not contain '..'.",
    ),
    (
        '{"source-ref": "/etc/passwd"}',
        "\"source-ref\" '/etc/passwd' must be an s3:// URI inside a registered storage or a path "
        "inside the dataset's storage.",
    ),
    (
        '{"source-ref": "file:///etc/passwd"}',
        "\"source-ref\" 'file:///etc/passwd' must be an s3:// URI inside a registered storage or a "
        "path inside the dataset's storage.",
    ),
    (
        '{"source-ref": "http://169.254.169.254/latest"}',
        "\"source-ref\" 'http://169.254.169.254/latest' must be an s3:// URI inside a registered "
        "storage or a path inside the dataset's storage.",
    ),
    (
        '{"source-ref": "s3://someone-elses-bucket/a.jpg"}',
        "\"source-ref\" 's3://someone-elses-bucket/a.jpg' is not inside a storage registered by "
        "this organization.",
    ),
]


@pytest.mark.parametrize(("line", "message"), INVALID_LINES)
def test_an_invalid_line_fails_the_whole_import_with_its_line_number(run, dataset, line, message):
    result = run(manifest({"source": "fine"}, line, {"source": "also fine"}))

    assert result.status == "failed"
    assert result.errors == [{"line": 2, "message": message}]
    assert result.error_count == 1 and result.items_created == 0
    assert "1 invalid line(s); nothing was imported" in result.message
    assert not Item.objects.filter(dataset=dataset).exists()
    dataset.refresh_from_db()
    assert dataset.item_count == 0


def test_a_line_over_100_kb_is_refused_without_reading_it_whole(run, dataset):
    huge = json.dumps({"source": "x" * 19_000, **{f"k{i}": "y" * 19_000 for i in range(6)}})
    assert len(huge) > 100_000

    result = run(manifest({"source": "a"}, huge, {"source": "b"}), skip_invalid=True)

    assert result.errors == [{"line": 2, "message": "The line is longer than 100,000 bytes."}]
    assert result.items_created == 2


def test_an_attribute_over_20000_characters_is_refused(run):
    result = run(manifest({"source": "x" * 20_001}))

    assert result.errors == [
        {"line": 1, "message": "The attribute 'source' is longer than 20,000 characters."}
    ]


def test_an_empty_file_fails_and_creates_nothing(run, dataset):
    for content in (b"", b"\n\n  \n"):
        result = run(content)

        assert (result.status, result.message) == ("failed", "The manifest is empty.")
    assert not Item.objects.filter(dataset=dataset).exists()


def test_a_non_utf8_line_is_reported_with_its_number(run, dataset):
    result = run(b'{"source": "ok"}\n{"source": "caf\xe9"}\n')

    assert result.errors == [{"line": 2, "message": "The line is not valid UTF-8."}]
    assert not Item.objects.filter(dataset=dataset).exists()


def test_duplicate_source_refs_are_refused_in_the_file_and_against_the_dataset(run, dataset):
    run(manifest({"source-ref": "images/1.jpg"}))

    result = run(
        manifest(
            {"source-ref": "images/2.jpg"},
            {"source-ref": "./images/2.jpg"},
            {"source-ref": "images/1.jpg"},
        )
    )

    assert result.errors == [
        {"line": 2, "message": "Duplicate \"source-ref\" 'images/2.jpg'."},
        {"line": 3, "message": "Duplicate \"source-ref\" 'images/1.jpg'."},
    ]
    assert Item.objects.filter(dataset=dataset).count() == 1


def test_skip_invalid_imports_the_valid_lines_and_reports_the_others(run, dataset):
    result = run(manifest({"source": "a"}, "not json", {"source": "b"}, "[]"), skip_invalid=True)

    assert (result.status, result.items_created, result.error_count) == ("succeeded", 2, 2)
    assert [e["line"] for e in result.errors] == [2, 4]
    assert list(
        Item.objects.filter(dataset=dataset)
        .order_by("line_number")
        .values_list("line_number", "data")
    ) == [(1, {"source": "a"}), (2, {"source": "b"})]


def test_only_the_first_100_errors_are_kept_but_all_are_counted(run):
    result = run(manifest(*["nope"] * 150))

    assert result.error_count == 150
    assert len(result.errors) == 100
    assert result.errors[-1]["line"] == 100


def test_relative_refs_need_a_dataset_storage(
    organization, owner, django_capture_on_commit_callbacks
):
    bare = services.dataset_create(organization=organization, actor=owner.user, name="Bare")

    result = import_upload(
        bare, owner.user, manifest({"source-ref": "a.jpg"}), django_capture_on_commit_callbacks
    )

    assert result.errors == [
        {
            "line": 1,
            "message": "\"source-ref\" 'a.jpg' is a relative path, but the dataset has no storage.",
        }
    ]


def test_a_second_import_while_one_is_pending_is_refused(dataset, owner):
    services.manifest_import_start(
        dataset=dataset, actor=owner.user, source="upload", upload=io.BytesIO(b'{"source": "a"}\n')
    )

    with pytest.raises(ImportInProgress):
        services.manifest_import_start(
            dataset=dataset,
            actor=owner.user,
            source="upload",
            upload=io.BytesIO(b'{"source": "b"}\n'),
        )

    assert ManifestImport.objects.filter(dataset=dataset).count() == 1


def test_running_the_import_job_twice_imports_once(run, dataset):
    result = run(manifest({"source": "a"}))

    services.manifest_import_run(manifest_import_id=result.id)

    assert Item.objects.filter(dataset=dataset).count() == 1


def test_automatic_data_setup_lists_a_prefix_with_chosen_extensions(
    dataset, owner, local_storage, org_root, django_capture_on_commit_callbacks
):
    folder = org_root / "data" / "photos"
    (folder / "nested").mkdir(parents=True)
    for name in ("b.jpg", "a.PNG", "notes.txt", "nested/c.jpeg"):
        (folder / name).write_bytes(b"x")

    with django_capture_on_commit_callbacks(execute=True):
        result = services.manifest_import_start(
            dataset=dataset,
            actor=owner.user,
            source="auto",
            storage=local_storage,
            key="photos",
            extensions=[".jpg", "png", "JPEG"],
        )

    result.refresh_from_db()
    assert result.status == "succeeded"
    assert list(
        Item.objects.filter(dataset=dataset).order_by("line_number").values_list("data", flat=True)
    ) == [
        {"source-ref": "photos/a.PNG"},
        {"source-ref": "photos/b.jpg"},
        {"source-ref": "photos/nested/c.jpeg"},
    ]


def test_import_from_a_manifest_in_a_local_storage(
    dataset, owner, local_storage, org_root, django_capture_on_commit_callbacks
):
    (org_root / "data" / "in.manifest").write_bytes(manifest({"source": "x"}))

    with django_capture_on_commit_callbacks(execute=True):
        result = services.manifest_import_start(
            dataset=dataset,
            actor=owner.user,
            source="storage",
            storage=local_storage,
            key="in.manifest",
        )

    result.refresh_from_db()
    assert (result.status, result.items_created) == ("succeeded", 1)


def test_a_missing_manifest_in_a_storage_fails_with_a_clear_message(
    dataset, owner, local_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.manifest_import_start(
            dataset=dataset,
            actor=owner.user,
            source="storage",
            storage=local_storage,
            key="missing.manifest",
        )

    result.refresh_from_db()
    assert (result.status, result.message) == ("failed", "No such object in the storage.")


@pytest.mark.parametrize("key", ["../other/x.manifest", "/etc/passwd", "a/../../x"])
def test_a_manifest_key_outside_the_storage_is_refused(dataset, owner, local_storage, key):
    with pytest.raises(Exception) as refused:
        services.manifest_import_start(
            dataset=dataset, actor=owner.user, source="storage", storage=local_storage, key=key
        )

    assert refused.value.code == "path_not_allowed"
    assert list(refused.value.details) == ["key"]
    assert not ManifestImport.objects.exists()


def test_another_organizations_storage_or_dataset_cannot_be_a_source(dataset, owner):
    other = MembershipFactory()
    foreign_dataset = Dataset.objects.create(organization=other.organization, name="Theirs")

    with pytest.raises(Exception) as refused:
        services.manifest_import_start(
            dataset=dataset, actor=owner.user, source="dataset", source_dataset=foreign_dataset
        )

    assert refused.value.details == {"source_dataset_id": ["No such dataset."]}
    assert not ManifestImport.objects.exists()


def test_an_import_whose_worker_died_is_taken_over_by_the_redelivered_job(
    dataset, owner, local_storage, org_root
):
    (org_root / "data" / "in.manifest").write_bytes(manifest({"source": "a"}))
    dead = services.manifest_import_start(
        dataset=dataset,
        actor=owner.user,
        source="storage",
        storage=local_storage,
        key="in.manifest",
        enqueue=False,
    )
    # The dead worker had claimed it; its transaction rolled back, so no Items exist.
    ManifestImport.objects.filter(id=dead.id).update(
        status="running", updated_at=timezone.now() - timedelta(hours=1)
    )

    services.manifest_import_run(manifest_import_id=dead.id)

    assert ManifestImport.objects.get(id=dead.id).status == "succeeded"
    assert Item.objects.filter(dataset=dataset).count() == 1


def test_a_running_import_with_recent_progress_is_left_alone(run, dataset):
    result = run(manifest({"source": "a"}))
    ManifestImport.objects.filter(id=result.id).update(status="running")

    services.manifest_import_run(manifest_import_id=result.id)

    assert ManifestImport.objects.get(id=result.id).status == "running"
    assert Item.objects.filter(dataset=dataset).count() == 1


def test_a_stale_import_no_longer_blocks_a_new_one(dataset, owner):
    stale = ManifestImport.objects.create(
        organization=dataset.organization, dataset=dataset, source="upload", status="running"
    )
    ManifestImport.objects.filter(id=stale.id).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )

    services.manifest_import_start(
        dataset=dataset, actor=owner.user, source="upload", upload=io.BytesIO(b'{"source": "b"}\n')
    )

    stale.refresh_from_db()
    assert (stale.status, stale.message) == (
        "failed",
        "The import stopped (its worker was lost); nothing was imported.",
    )
