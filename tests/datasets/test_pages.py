import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.datasets.models import Dataset, Item, ManifestImport, Storage
from tests.datasets.helpers import import_upload, manifest
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, owner):
    client.force_login(owner.user)
    return client


def test_the_org_tabs_link_to_datasets(page, organization):
    html = page.get(f"/orgs/{organization.slug}/").content.decode()

    assert f'href="/orgs/{organization.slug}/datasets/"' in html


def test_create_a_dataset_from_the_list_page(page, organization, local_storage):
    response = page.post(
        f"/orgs/{organization.slug}/datasets/", {"name": "Pets", "storage": local_storage.id}
    )

    dataset = Dataset.objects.get(name="Pets")
    assert response.status_code == 302
    assert response.url == f"/orgs/{organization.slug}/datasets/{dataset.id}/"
    assert "Pets" in page.get(f"/orgs/{organization.slug}/datasets/").content.decode()


def test_a_taken_name_rerenders_the_form_with_400(page, organization, dataset):
    response = page.post(f"/orgs/{organization.slug}/datasets/", {"name": dataset.name})

    assert response.status_code == 400
    assert "is taken" in response.content.decode()
    assert Dataset.objects.count() == 1


def test_upload_from_the_detail_page_shows_progress_and_errors(
    page, organization, dataset, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("m.jsonl", manifest({"source": "hello"}, "[1]"))

    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            f"/orgs/{organization.slug}/datasets/{dataset.id}/import/", {"file": upload}
        )

    assert response.status_code == 302
    html = page.get(response.url).content.decode()
    assert "Line 2: The line is not a JSON object." in html
    assert "1 invalid line(s); nothing was imported." in html
    assert ManifestImport.objects.get().status == "failed"


def test_a_running_import_refreshes_the_page(page, organization, dataset, owner):
    ManifestImport.objects.create(
        organization=organization,
        dataset=dataset,
        source="upload",
        status="running",
        lines_read=20000,
    )

    html = page.get(f"/orgs/{organization.slug}/datasets/{dataset.id}/").content.decode()

    assert '<meta http-equiv="refresh" content="3">' in html
    assert "20000" in html


def test_the_item_browser_pages_through_items_with_thumbnails(
    page, organization, dataset, owner, org_root, django_capture_on_commit_callbacks
):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "PNG")
    (org_root / "data" / "g.png").write_bytes(buffer.getvalue())
    lines = [{"source-ref": "g.png"}] + [{"source": f"line {n}"} for n in range(2, 60)]
    import_upload(dataset, owner.user, manifest(*lines), django_capture_on_commit_callbacks)
    url = f"/orgs/{organization.slug}/datasets/{dataset.id}/"

    first = page.get(url).content.decode()
    second = page.get(url, {"after": 48}).content.decode()

    item = Item.objects.get(dataset=dataset, line_number=1)
    assert f"/items/{item.id}/thumbnail" in first and "40×30 png" in first
    assert "#48" in first and "#49" not in first and "?after=48" in first
    assert "#49" in second and "line 59" in second


def test_a_failed_upload_form_rerenders_with_400(page, organization, dataset):
    response = page.post(f"/orgs/{organization.slug}/datasets/{dataset.id}/import/", {})

    assert response.status_code == 400
    assert not ManifestImport.objects.exists()


def test_storages_page_registers_and_tests_a_folder(page, organization, org_root):
    response = page.post(
        f"/orgs/{organization.slug}/storages/", {"name": "Disk", "kind": "local", "path": "disk"}
    )
    assert response.status_code == 302
    storage = Storage.objects.get()

    tested = page.post(f"/orgs/{organization.slug}/storages/{storage.id}/test/", follow=True)

    assert "Disk: connection works." in tested.content.decode()


def test_storages_page_shows_a_refused_endpoint(page, organization):
    response = page.post(
        f"/orgs/{organization.slug}/storages/",
        {"name": "S3", "kind": "s3", "bucket": "data", "endpoint_url": "http://127.0.0.1:9000"},
    )

    assert response.status_code == 400
    assert "internal or reserved network address" in response.content.decode()
    assert not Storage.objects.exists()


def test_pages_are_404_for_other_organizations_and_403_for_workers(
    client, organization, dataset, worker_member
):
    outsider = MembershipFactory()
    client.force_login(outsider.user)
    for url in (
        f"/orgs/{organization.slug}/datasets/",
        f"/orgs/{organization.slug}/datasets/{dataset.id}/",
        f"/orgs/{organization.slug}/storages/",
    ):
        assert client.get(url).status_code == 404
    own = f"/orgs/{outsider.organization.slug}/datasets/{dataset.id}/"
    assert client.get(own).status_code == 404

    client.force_login(worker_member.user)
    assert client.get(f"/orgs/{organization.slug}/datasets/").status_code == 403


def test_staff_admin_lists_datasets_models_without_storage_keys(
    client, dataset, organization, owner
):
    from tests.factories import UserFactory

    services_storage = Storage.objects.create(
        organization=organization,
        name="S3",
        kind="s3",
        bucket="b",
        access_key_id_encrypted="ENCRYPTED-ID",
        secret_access_key_encrypted="ENCRYPTED-SECRET",
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for model in ["storage", "dataset", "manifestimport", "manifestexport"]:
        assert client.get(f"/admin/datasets/{model}/").status_code == 200
    change = client.get(f"/admin/datasets/storage/{services_storage.id}/change/").content
    assert b"ENCRYPTED" not in change


def test_automatic_data_setup_from_the_detail_page(
    page, organization, dataset, local_storage, org_root, django_capture_on_commit_callbacks
):
    (org_root / "data" / "a.jpg").write_bytes(b"x")
    (org_root / "data" / "b.txt").write_bytes(b"x")

    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(
            f"/orgs/{organization.slug}/datasets/{dataset.id}/auto-setup/",
            {"storage": local_storage.id, "prefix": "", "extensions": "jpg, png"},
        )

    assert response.status_code == 302
    assert [i.data for i in Item.objects.filter(dataset=dataset)] == [{"source-ref": "a.jpg"}]


def test_automatic_setup_with_a_traversing_prefix_is_refused_on_the_page(
    page, organization, dataset, local_storage
):
    response = page.post(
        f"/orgs/{organization.slug}/datasets/{dataset.id}/auto-setup/",
        {"storage": local_storage.id, "prefix": "../other", "extensions": "jpg"},
    )

    assert response.status_code == 400
    assert "The path must not contain" in response.content.decode()
    assert not ManifestImport.objects.exists()
