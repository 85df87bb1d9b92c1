"""S3 storages against a real S3 endpoint on loopback (moto's server), through boto3."""

import http.server
import io
import json
import threading
import urllib.request
from types import SimpleNamespace

import pytest
from django.conf import settings
from PIL import Image

from apps.core.errors import DomainError
from apps.core.outbound import outbound_target
from apps.datasets import services
from apps.datasets.errors import StorageUnavailable
from apps.datasets.models import Item, Storage
from apps.datasets.objects import object_read_url
from apps.datasets.storages import PinnedSender
from tests.datasets.conftest import ANY_KEYS, MOTO_BUCKET
from tests.datasets.helpers import import_upload, manifest

pytestmark = pytest.mark.django_db


def s3_storage_with(organization, owner, moto_server, **fields):
    defaults = {"bucket": MOTO_BUCKET, "region": "us-east-1", "endpoint_url": moto_server.url}
    return services.storage_create(
        organization=organization,
        actor=owner.user,
        name=f"S3 {len(fields)}",
        kind="s3",
        **{**defaults, **fields},
    )


def put(moto_server, key: str, body: bytes) -> None:
    moto_server.client().put_object(Bucket=MOTO_BUCKET, Key=key, Body=body)


def test_test_connection_lists_one_object(s3_storage):
    services.storage_test(storage=s3_storage)


def test_the_endpoint_is_refused_unless_the_operator_allows_loopback(
    organization, owner, moto_server
):
    with pytest.raises(DomainError) as refused:
        s3_storage_with(organization, owner, moto_server, **ANY_KEYS)

    assert refused.value.code == "url_not_allowed"
    assert not Storage.objects.exists()


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (
            {"access_key_id": "AKIANOSUCHKEY0000000", "secret_access_key": "x"},
            "The access key is not valid.",
        ),
        ("wrong-secret", "The secret access key is not valid."),
        ("denied", "Access denied: the credentials may not list or read this bucket."),
    ],
)
def test_test_connection_names_the_credential_problem_without_the_raw_response(
    organization, owner, moto_server, allow_loopback, keys, message
):
    if keys == "wrong-secret":
        keys = {**moto_server.reader_keys, "secret_access_key": "not-the-secret"}
    elif keys == "denied":
        keys = moto_server.denied_keys
    storage = s3_storage_with(organization, owner, moto_server, **keys)

    with moto_server.authentication(), pytest.raises(StorageUnavailable) as failed:
        services.storage_test(storage=storage)

    assert failed.value.message == message
    assert set(failed.value.details) == {"s3_code"}
    assert "RequestId" not in str(failed.value) and "<" not in str(failed.value)


def test_valid_credentials_pass_when_s3_checks_them(
    organization, owner, moto_server, allow_loopback
):
    storage = s3_storage_with(organization, owner, moto_server, **moto_server.reader_keys)

    with moto_server.authentication():
        services.storage_test(storage=storage)


def test_test_connection_reports_a_missing_bucket(organization, owner, moto_server, allow_loopback):
    storage = s3_storage_with(organization, owner, moto_server, bucket="no-such-bucket", **ANY_KEYS)

    with pytest.raises(StorageUnavailable) as failed:
        services.storage_test(storage=storage)

    assert failed.value.message == "The bucket does not exist."


def test_test_connection_api_answers_502_with_our_message(
    organization, owner, owner_client, moto_server, allow_loopback
):
    storage = s3_storage_with(organization, owner, moto_server, bucket="no-such-bucket", **ANY_KEYS)

    response = owner_client.post(f"/api/v1/orgs/{organization.slug}/storages/{storage.id}/test/")

    assert response.status_code == 502
    assert response.json() == {
        "code": "storage_error",
        "message": "The bucket does not exist.",
        "details": {"s3_code": "NoSuchBucket"},
    }


class _Redirector(http.server.BaseHTTPRequestHandler):
    location = ""

    def do_GET(self):  # noqa: N802 - http.server's naming
        self.send_response(307)
        self.send_header("Location", self.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def _serve(handler):
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_redirect_to_another_loopback_address_is_never_followed(
    organization, owner, allow_loopback
):
    hits = []

    class Target(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    target = _serve(Target)
    _Redirector.location = f"http://127.0.0.1:{target.server_port}/latest/meta-data/"
    redirector = _serve(_Redirector)
    try:
        storage = services.storage_create(
            organization=organization,
            actor=owner.user,
            name="Redirecting",
            kind="s3",
            bucket="data",
            endpoint_url=f"http://127.0.0.1:{redirector.server_port}",
            **ANY_KEYS,
        )
        with pytest.raises(StorageUnavailable):
            services.storage_test(storage=storage)
    finally:
        for server in (redirector, target):
            server.shutdown()
            server.server_close()

    assert hits == []


def test_the_pinned_sender_refuses_any_other_host_or_port(allow_loopback):
    sender = PinnedSender(outbound_target("http://127.0.0.1:9/"))
    request = SimpleNamespace(
        url="http://127.0.0.2:9/bucket", headers={}, method="GET", body=None, stream_output=False
    )

    with pytest.raises(Exception, match="Could not connect"):
        sender(request)
    request.url = "http://127.0.0.1:10/bucket"
    with pytest.raises(Exception, match="Could not connect"):
        sender(request)


def test_import_a_manifest_from_s3_with_s3_refs(
    dataset, owner, s3_storage, s3_prefix, moto_server, django_capture_on_commit_callbacks
):
    lines = [{"source-ref": f"s3://{MOTO_BUCKET}/{s3_prefix}img/{n}.jpg", "n": n} for n in range(3)]
    put(moto_server, f"{s3_prefix}manifests/in.manifest", manifest(*lines))

    with django_capture_on_commit_callbacks(execute=True):
        result = services.manifest_import_start(
            dataset=dataset,
            actor=owner.user,
            source="storage",
            storage=s3_storage,
            key="manifests/in.manifest",
        )

    result.refresh_from_db()
    assert (result.status, result.items_created) == ("succeeded", 3)
    assert [i.data for i in Item.objects.filter(dataset=dataset).order_by("line_number")] == lines


def test_refs_outside_the_storages_prefix_are_refused(
    dataset, owner, s3_storage, django_capture_on_commit_callbacks
):
    line = {"source-ref": f"s3://{MOTO_BUCKET}/elsewhere/a.jpg"}

    result = import_upload(dataset, owner.user, manifest(line), django_capture_on_commit_callbacks)

    assert result.errors == [
        {
            "line": 1,
            "message": f'"source-ref" \'s3://{MOTO_BUCKET}/'
            "elsewhere/a.jpg' is not inside a storage registered by this "
            "organization.",
        }
    ]
    assert not Item.objects.exists()


def test_automatic_setup_from_an_s3_prefix_and_media_probing(
    organization, owner, s3_storage, s3_prefix, moto_server, django_capture_on_commit_callbacks
):
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(image, "PNG")
    put(moto_server, f"{s3_prefix}photos/a.png", image.getvalue())
    put(moto_server, f"{s3_prefix}photos/readme.txt", b"not an image")
    dataset = services.dataset_create(organization=organization, actor=owner.user, name="Auto")

    with django_capture_on_commit_callbacks(execute=True):
        result = services.manifest_import_start(
            dataset=dataset,
            actor=owner.user,
            source="auto",
            storage=s3_storage,
            key="photos",
            extensions=["png"],
        )

    result.refresh_from_db()
    assert result.status == "succeeded"
    item = Item.objects.get(dataset=dataset)
    assert item.data == {"source-ref": "photos/a.png"}  # relative to the dataset's storage
    assert (item.width, item.height, item.media_format) == (64, 48, "png")
    assert item.thumbnail_path == f"{organization.id}/{dataset.id}/{item.id}.jpg"


def test_export_job_streams_the_manifest_into_s3(
    dataset, owner, s3_storage, s3_prefix, moto_server, django_capture_on_commit_callbacks
):
    import_upload(
        dataset,
        owner.user,
        manifest({"source": "a"}, {"source": "b"}),
        django_capture_on_commit_callbacks,
    )

    with django_capture_on_commit_callbacks(execute=True):
        export = services.manifest_export_start(
            dataset=dataset, actor=owner.user, storage=s3_storage, key="out/output.manifest"
        )

    export.refresh_from_db()
    assert (export.status, export.lines_written) == ("succeeded", 2)
    body = (
        moto_server.client()
        .get_object(Bucket=MOTO_BUCKET, Key=f"{s3_prefix}out/output.manifest")["Body"]
        .read()
    )
    assert body == b'{"source": "a"}\n{"source": "b"}\n'


def test_a_presigned_url_reads_the_object_with_a_safe_disposition(
    organization, owner, s3_storage, s3_prefix, moto_server, django_capture_on_commit_callbacks
):
    put(moto_server, f"{s3_prefix}pages/evil.html", b"<script>alert(1)</script>")
    dataset = services.dataset_create(
        organization=organization, actor=owner.user, name="Pages", storage=s3_storage
    )
    import_upload(
        dataset,
        owner.user,
        manifest({"source-ref": "pages/evil.html"}),
        django_capture_on_commit_callbacks,
    )
    item = Item.objects.get(dataset=dataset)

    url = object_read_url(item=item, expires_in=60)

    assert url.startswith(f"{moto_server.url}/{MOTO_BUCKET}/{s3_prefix}pages/evil.html?")
    assert "X-Amz-Expires=60" in url
    with urllib.request.urlopen(url) as response:
        assert response.read() == b"<script>alert(1)</script>"
        assert response.headers["Content-Disposition"] == 'attachment; filename="evil.html"'


def test_an_object_bound_to_networks_is_served_through_our_route_from_those_only(
    client,
    organization,
    owner,
    s3_storage,
    s3_prefix,
    moto_server,
    django_capture_on_commit_callbacks,
):
    """A presigned URL cannot carry an address condition: objects for a private
    workforce's IP ranges are proxied by our signed route, which checks the address."""
    put(moto_server, f"{s3_prefix}docs/note.txt", b"for the team only")
    dataset = services.dataset_create(
        organization=organization, actor=owner.user, name="Docs", storage=s3_storage
    )
    import_upload(
        dataset,
        owner.user,
        manifest({"source-ref": "docs/note.txt"}),
        django_capture_on_commit_callbacks,
    )
    item = Item.objects.get(dataset=dataset)

    url = object_read_url(item=item, expires_in=60, source_networks=("10.1.0.0/16",))
    path = url.removeprefix(settings.BASE_URL)

    assert path.startswith("/objects/")
    inside = client.get(path, REMOTE_ADDR="10.1.2.3")
    assert inside.status_code == 200
    assert b"".join(inside.streaming_content) == b"for the team only"
    assert inside["Content-Type"] == "text/plain"
    assert inside["X-Content-Type-Options"] == "nosniff"
    outside = client.get(path, REMOTE_ADDR="192.0.2.9")
    assert outside.status_code == 403
    assert b"192.0.2.9" in outside.content


def test_a_proxied_object_missing_from_the_bucket_is_a_404(
    client,
    organization,
    owner,
    s3_storage,
    s3_prefix,
    moto_server,
    django_capture_on_commit_callbacks,
):
    dataset = services.dataset_create(
        organization=organization, actor=owner.user, name="Docs", storage=s3_storage
    )
    import_upload(
        dataset,
        owner.user,
        manifest({"source-ref": "docs/gone.txt"}),
        django_capture_on_commit_callbacks,
    )
    item = Item.objects.get(dataset=dataset)
    url = object_read_url(item=item, expires_in=60, source_networks=("10.1.0.0/16",))

    response = client.get(url.removeprefix(settings.BASE_URL), REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 404


def test_an_s3_storage_api_view_never_shows_keys(organization, owner_client, s3_storage):
    response = owner_client.get(f"/api/v1/orgs/{organization.slug}/storages/{s3_storage.id}/")

    body = json.dumps(response.json())
    assert response.status_code == 200
    assert response.json()["has_credentials"] is True
    assert "testing" not in body and "secret" not in body
