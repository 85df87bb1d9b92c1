import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from apps.accounts.models import Role
from apps.datasets import services
from apps.datasets.models import Dataset, Item, ManifestExport, ManifestImport, Storage
from tests.datasets.helpers import import_upload, manifest
from tests.factories import MembershipFactory
from tests.tenancy import assert_other_organization_gets_404

pytestmark = pytest.mark.django_db


def base(organization) -> str:
    return f"/api/v1/orgs/{organization.slug}"


@pytest.fixture
def filled(dataset, owner, django_capture_on_commit_callbacks):
    lines = [
        {"source": f"text {n}", "animal": "dog" if n % 2 else "cat", "n": n} for n in range(1, 8)
    ]
    import_upload(dataset, owner.user, manifest(*lines), django_capture_on_commit_callbacks)
    return dataset


def client_for(membership) -> APIClient:
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


def test_create_list_update_and_delete_a_local_storage(owner_client, organization):
    response = owner_client.post(
        f"{base(organization)}/storages/",
        {"name": "Disk", "kind": "local", "path": "disk"},
        format="json",
    )

    assert response.status_code == 201, response.content
    storage_id = response.json()["id"]
    assert response.json() == {
        **response.json(),
        "name": "Disk",
        "kind": "local",
        "path": "disk",
        "bucket": "",
        "has_credentials": False,
    }
    listed = owner_client.get(f"{base(organization)}/storages/").json()
    assert [s["id"] for s in listed["results"]] == [storage_id]
    renamed = owner_client.patch(
        f"{base(organization)}/storages/{storage_id}/", {"name": "Disk 2"}, format="json"
    )
    assert renamed.json()["name"] == "Disk 2"
    assert owner_client.delete(f"{base(organization)}/storages/{storage_id}/").status_code == 204
    assert not Storage.objects.exists()


def test_an_ssrf_endpoint_is_refused_by_the_api_with_the_field_named(owner_client, organization):
    response = owner_client.post(
        f"{base(organization)}/storages/",
        {
            "name": "S3",
            "kind": "s3",
            "bucket": "data",
            "endpoint_url": "http://169.254.169.254/latest/meta-data/",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "url_not_allowed"
    assert list(response.json()["details"]) == ["endpoint_url"]
    assert not Storage.objects.exists()


def test_create_a_dataset_and_upload_a_manifest_through_the_api(
    owner_client, organization, local_storage, django_capture_on_commit_callbacks
):
    created = owner_client.post(
        f"{base(organization)}/datasets/",
        {"name": "Reviews", "storage_id": local_storage.id},
        format="json",
    )
    assert created.status_code == 201
    dataset_id = created.json()["id"]
    upload = SimpleUploadedFile("in.jsonl", manifest({"source": "a"}, "bad", {"source": "b"}))

    with django_capture_on_commit_callbacks(execute=True):
        started = owner_client.post(
            f"{base(organization)}/datasets/{dataset_id}/imports/",
            {"source": "upload", "file": upload, "skip_invalid": "true"},
            format="multipart",
        )

    assert started.status_code == 201, started.content
    assert started.json()["status"] == "pending"
    status = owner_client.get(
        f"{base(organization)}/datasets/{dataset_id}/imports/{started.json()['id']}/"
    ).json()
    assert {k: status[k] for k in ("status", "lines_read", "items_created", "error_count")} == {
        "status": "succeeded",
        "lines_read": 3,
        "items_created": 2,
        "error_count": 1,
    }
    assert status["errors"] == [
        {"line": 2, "message": "The line is not valid JSON: Expecting value at column 1."}
    ]
    detail = owner_client.get(f"{base(organization)}/datasets/{dataset_id}/").json()
    assert detail["item_count"] == 2


def test_an_upload_import_without_a_file_is_refused(owner_client, organization, dataset):
    response = owner_client.post(
        f"{base(organization)}/datasets/{dataset.id}/imports/",
        {"source": "upload"},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json()["details"] == {"file": ["Attach the manifest file (JSON Lines)."]}
    assert not ManifestImport.objects.exists()


def test_items_are_listed_in_line_order_with_cursor_pages(owner_client, organization, filled):
    url = f"{base(organization)}/datasets/{filled.id}/items/?page_size=3"

    first = owner_client.get(url).json()
    second = owner_client.get(first["next"]).json()

    assert [i["line_number"] for i in first["results"]] == [1, 2, 3]
    assert [i["line_number"] for i in second["results"]] == [4, 5, 6]
    assert first["results"][0]["data"] == {"source": "text 1", "animal": "dog", "n": 1}


def test_items_can_be_filtered_by_attribute_and_value(owner_client, organization, filled):
    url = f"{base(organization)}/datasets/{filled.id}/items/"

    dogs = owner_client.get(url, {"attribute": "animal", "value": "dog"}).json()["results"]
    third = owner_client.get(url, {"attribute": "n", "value": "3"}).json()["results"]
    having = owner_client.get(url, {"attribute": "animal"}).json()["results"]
    none = owner_client.get(url, {"attribute": "breed"}).json()["results"]

    assert [i["line_number"] for i in dogs] == [1, 3, 5, 7]
    assert [i["line_number"] for i in third] == [3]
    assert len(having) == 7 and none == []


def test_item_list_query_count_does_not_grow_with_the_page(
    owner_client, organization, filled, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = owner_client.get(f"{base(organization)}/datasets/{filled.id}/items/")
    assert len(response.json()["results"]) == 7


def test_the_manifest_downloads_as_a_stream(owner_client, organization, filled):
    response = owner_client.get(f"{base(organization)}/datasets/{filled.id}/manifest/")

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["n"] for line in lines] == [1, 2, 3, 4, 5, 6, 7]


def test_chaining_through_the_api(
    owner_client, organization, filled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"{base(organization)}/datasets/",
            {
                "name": "Cats",
                "source_dataset_id": filled.id,
                "filter_attribute": "animal",
                "filter_value": "cat",
            },
            format="json",
        )

    assert response.status_code == 201
    cats = Dataset.objects.get(id=response.json()["id"])
    assert [i.data["n"] for i in Item.objects.filter(dataset=cats).order_by("line_number")] == [
        2,
        4,
        6,
    ]


def test_an_export_job_through_the_api(
    owner_client, organization, filled, local_storage, org_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"{base(organization)}/datasets/{filled.id}/exports/",
            {"storage_id": local_storage.id, "key": "out.manifest"},
            format="json",
        )

    assert response.status_code == 201
    export = owner_client.get(
        f"{base(organization)}/datasets/{filled.id}/exports/{response.json()['id']}/"
    ).json()
    assert (export["status"], export["lines_written"]) == ("succeeded", 7)
    assert len((org_root / "data" / "out.manifest").read_text().splitlines()) == 7


def test_reviewers_read_but_cannot_write(reviewer, organization, filled):
    client = client_for(reviewer)

    assert client.get(f"{base(organization)}/datasets/").status_code == 200
    assert client.get(f"{base(organization)}/datasets/{filled.id}/items/").status_code == 200
    response = client.post(f"{base(organization)}/datasets/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert client.delete(f"{base(organization)}/datasets/{filled.id}/").status_code == 403
    assert Dataset.objects.count() == 1


def test_workers_cannot_read_datasets(worker_member, organization, filled):
    client = client_for(worker_member)

    assert client.get(f"{base(organization)}/datasets/").status_code == 403
    assert client.get(f"{base(organization)}/datasets/{filled.id}/items/").status_code == 403


def test_requesters_manage_data(organization, local_storage):
    requester = MembershipFactory(organization=organization, role=Role.REQUESTER)

    response = client_for(requester).post(
        f"{base(organization)}/datasets/", {"name": "Mine"}, format="json"
    )

    assert response.status_code == 201


def test_a_dataset_name_is_unique_per_organization(owner_client, organization, dataset):
    response = owner_client.post(
        f"{base(organization)}/datasets/", {"name": dataset.name}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"
    assert Dataset.objects.count() == 1


def test_another_organizations_storage_cannot_be_attached(owner_client, organization):
    other = MembershipFactory()
    theirs = Storage.objects.create(
        organization=other.organization, name="Theirs", kind="local", path="x"
    )

    response = owner_client.post(
        f"{base(organization)}/datasets/", {"name": "Mine", "storage_id": theirs.id}, format="json"
    )

    assert response.status_code == 404
    assert not Dataset.objects.filter(organization=organization).exists()


# Every endpoint: another organization's ids are a 404, and nothing changes.


@pytest.fixture
def everything(filled, local_storage, owner):
    manifest_import = ManifestImport.objects.get(dataset=filled)
    export = ManifestExport.objects.create(
        organization=filled.organization, dataset=filled, storage=local_storage, key="x"
    )
    item = Item.objects.filter(dataset=filled).first()
    return filled, local_storage, manifest_import, export, item


def test_every_endpoint_returns_404_to_another_organization(everything, organization):
    dataset, storage, manifest_import, export, item = everything
    root = base(organization)
    unchanged = [
        Dataset.objects.all(),
        Storage.objects.all(),
        Item.objects.all(),
        ManifestImport.objects.all(),
        ManifestExport.objects.all(),
    ]
    cases = [
        ("get", f"{root}/storages/", None),
        ("post", f"{root}/storages/", {"name": "x", "kind": "local", "path": "x"}),
        ("get", f"{root}/storages/{storage.id}/", None),
        ("patch", f"{root}/storages/{storage.id}/", {"name": "stolen"}),
        ("delete", f"{root}/storages/{storage.id}/", None),
        ("post", f"{root}/storages/{storage.id}/test/", None),
        ("get", f"{root}/datasets/", None),
        ("post", f"{root}/datasets/", {"name": "x"}),
        ("get", f"{root}/datasets/{dataset.id}/", None),
        ("patch", f"{root}/datasets/{dataset.id}/", {"name": "stolen"}),
        ("delete", f"{root}/datasets/{dataset.id}/", None),
        ("get", f"{root}/datasets/{dataset.id}/imports/", None),
        (
            "post",
            f"{root}/datasets/{dataset.id}/imports/",
            {"source": "dataset", "source_dataset_id": dataset.id},
        ),
        ("get", f"{root}/datasets/{dataset.id}/imports/{manifest_import.id}/", None),
        ("get", f"{root}/datasets/{dataset.id}/items/", None),
        ("get", f"{root}/datasets/{dataset.id}/items/{item.id}/", None),
        ("get", f"{root}/datasets/{dataset.id}/manifest/", None),
        ("get", f"{root}/datasets/{dataset.id}/exports/", None),
        ("post", f"{root}/datasets/{dataset.id}/exports/", {"storage_id": storage.id, "key": "y"}),
        ("get", f"{root}/datasets/{dataset.id}/exports/{export.id}/", None),
    ]
    for method, url, data in cases:
        assert_other_organization_gets_404(url, method=method, data=data, unchanged=unchanged)


def test_ids_of_another_organization_inside_my_organization_are_404(
    owner_client, organization, dataset, everything
):
    other = MembershipFactory()
    their_dataset = services.dataset_create(
        organization=other.organization, actor=other.user, name="Theirs"
    )
    their_storage = Storage.objects.create(
        organization=other.organization, name="Theirs", kind="local", path="x"
    )
    root = base(organization)
    imports_before = ManifestImport.objects.count()

    for method, url, data in [
        ("get", f"{root}/datasets/{their_dataset.id}/", None),
        ("get", f"{root}/datasets/{their_dataset.id}/items/", None),
        ("get", f"{root}/storages/{their_storage.id}/", None),
        (
            "post",
            f"{root}/datasets/{dataset.id}/imports/",
            {"source": "dataset", "source_dataset_id": their_dataset.id},
        ),
        (
            "post",
            f"{root}/datasets/{dataset.id}/exports/",
            {"storage_id": their_storage.id, "key": "x"},
        ),
        (
            "post",
            f"{root}/datasets/{dataset.id}/imports/",
            {"source": "storage", "storage_id": their_storage.id, "key": "x"},
        ),
    ]:
        response = getattr(owner_client, method)(url, data, format="json")
        assert response.status_code == 404, (url, response.content)
    assert ManifestImport.objects.count() == imports_before
    assert not ManifestExport.objects.filter(storage=their_storage).exists()
