"""Signed, expiring read URLs for worker access, and image probing with Pillow."""

import io
import os
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from PIL import Image

from apps.datasets import services
from apps.datasets.errors import StoragePathRefused
from apps.datasets.models import Item
from apps.datasets.objects import object_read_url
from apps.datasets.storages import OBJECT_URL_SALT
from tests.datasets.helpers import import_upload, manifest
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(org_root):
    folder = org_root / "data"
    image = io.BytesIO()
    Image.new("RGB", (320, 200), (10, 120, 200)).save(image, "JPEG")
    (folder / "cat.jpg").write_bytes(image.getvalue())
    (folder / "page.html").write_bytes(b"<script>alert(document.cookie)</script>")
    (folder / "broken.png").write_bytes(b"not really a png")
    return folder


@pytest.fixture
def items(dataset, owner, files, django_capture_on_commit_callbacks):
    import_upload(
        dataset,
        owner.user,
        manifest(
            {"source-ref": "cat.jpg"},
            {"source-ref": "page.html"},
            {"source-ref": "broken.png"},
            {"source": "text"},
        ),
        django_capture_on_commit_callbacks,
    )
    return {i.line_number: i for i in Item.objects.filter(dataset=dataset)}


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_images_get_size_format_and_a_thumbnail_in_a_background_job(items, settings):
    cat, page, broken = items[1], items[2], items[3]

    assert (cat.width, cat.height, cat.media_format, cat.media_error) == (320, 200, "jpeg", "")
    thumbnail = settings.DATASETS_WORK_ROOT / "thumbnails" / cat.thumbnail_path
    with Image.open(thumbnail) as image:
        assert image.size == (256, 160)
    assert (broken.width, broken.media_error) == (None, "Not a readable image.")
    assert page.thumbnail_path == "" and page.media_error == ""


def test_a_signed_url_serves_the_image_inline_with_nosniff_and_a_sandbox(client, items):
    url = object_read_url(item=items[1], expires_in=60)

    response = client.get(path_of(url))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'inline; filename="cat.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == (320, 200)


def test_a_signed_object_may_be_read_in_cors_mode_by_an_origin_less_frame(client, items):
    url = object_read_url(item=items[1], expires_in=60)

    response = client.get(path_of(url), HTTP_ORIGIN="null")  # a sandboxed task frame

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Access-Control-Allow-Credentials")
    b"".join(response.streaming_content)  # read, then closed
    forged = client.get(path_of(url)[:-3] + "xyz", HTTP_ORIGIN="null")
    assert forged.status_code == 404
    assert not forged.has_header("Access-Control-Allow-Origin")


def test_uploaded_html_is_served_as_a_sandboxed_attachment(client, items):
    response = client.get(path_of(object_read_url(item=items[2])))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"<script>")  # read, then closed


def test_an_expired_url_is_refused(client, items, monkeypatch):
    url = object_read_url(item=items[1], expires_in=1)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 5)

    assert client.get(path_of(url)).status_code == 404


def test_a_tampered_or_forged_token_is_refused(client, items, local_storage):
    url = object_read_url(item=items[1])
    token = path_of(url).rsplit("/", 1)[1]
    forged = signing.dumps(
        {
            "s": local_storage.id,
            "o": local_storage.organization_id,
            "k": "cat.jpg",
            "e": int(time.time()) + 60,
        },
        salt=OBJECT_URL_SALT,
        key="not-our-secret",
    )

    assert client.get(path_of(url)[: -len(token)] + token[:-2] + "xx").status_code == 404
    assert client.get(f"/objects/{forged}").status_code == 404


def test_a_token_for_a_path_escaping_the_storage_is_refused(
    client, items, local_storage, org_root, tmp_path
):
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", org_root / "data" / "secret.txt")
    for key in ("../../secret.txt", "secret.txt"):
        token = signing.dumps(
            {
                "s": local_storage.id,
                "o": local_storage.organization_id,
                "k": key,
                "e": int(time.time()) + 60,
            },
            salt=OBJECT_URL_SALT,
            compress=True,
        )
        assert client.get(f"/objects/{token}").status_code == 404


def test_refs_outside_registered_storages_get_no_url(items):
    item = items[1]
    for ref in ("../outside.jpg", "http://169.254.169.254/latest", "s3://not-ours/a.jpg", None):
        with pytest.raises(StoragePathRefused):
            object_read_url(item=item, ref=ref or "")


def test_the_thumbnail_page_route_serves_members_only(client, items, owner, organization):
    cat = items[1]
    url = f"/orgs/{organization.slug}/datasets/{cat.dataset_id}/items/{cat.id}/thumbnail"
    client.force_login(owner.user)

    response = client.get(url)

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"  # a JPEG, now closed
    client.force_login(MembershipFactory().user)
    assert client.get(url).status_code == 404


def test_datasets_delete_removes_items(dataset, owner, items):
    services.dataset_delete(dataset=dataset, actor=owner.user)

    assert not Item.objects.exists()
