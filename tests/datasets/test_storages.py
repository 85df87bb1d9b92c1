import os

import pytest

from apps.core.crypto import decrypt
from apps.core.errors import DomainError
from apps.core.models import AuditEvent
from apps.datasets import services
from apps.datasets.models import Storage
from apps.datasets.storages import LocalBackend
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def create(organization, owner, **fields):
    return services.storage_create(organization=organization, actor=owner.user, **fields)


def test_a_local_storage_is_a_folder_inside_the_organizations_own_root(
    organization, owner, settings
):
    storage = create(organization, owner, name="Photos", kind="local", path="photos/2024/")

    assert storage.path == "photos/2024"
    root = settings.DATASETS_LOCAL_ROOT / organization.slug / "photos" / "2024"
    assert root.is_dir()
    assert LocalBackend(storage).root == root.resolve()
    assert AuditEvent.objects.filter(action="storage.created", target_id=str(storage.id)).exists()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("../other-org", "The path must not contain '..'."),
        ("a/../../b", "The path must not contain '..'."),
        ("/etc", "The path must be relative to the storage."),
        ("file:///etc", "The path must be relative to the storage."),
        ("a\\..\\b", "The path contains a forbidden character."),
        ("a\x00b", "The path contains a forbidden character."),
    ],
)
def test_a_local_path_outside_the_root_is_refused(organization, owner, path, message):
    with pytest.raises(DomainError) as refused:
        create(organization, owner, name="Bad", kind="local", path=path)

    assert refused.value.code == "path_not_allowed"
    assert refused.value.details == {"path": [message]}
    assert not Storage.objects.exists()


def test_a_symlink_leading_out_of_the_root_is_refused(organization, owner, org_root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, org_root / "escape")

    with pytest.raises(DomainError) as refused:
        create(organization, owner, name="Bad", kind="local", path="escape")

    assert refused.value.code == "path_not_allowed"
    assert not Storage.objects.exists()


def test_a_symlink_to_another_organizations_folder_is_refused(organization, owner, org_root):
    other = MembershipFactory()
    theirs = org_root.parent / other.organization.slug
    theirs.mkdir()
    os.symlink(theirs, org_root / "theirs")

    with pytest.raises(DomainError):
        create(organization, owner, name="Bad", kind="local", path="theirs")

    assert not Storage.objects.exists()


def test_files_symlinked_out_of_a_storage_are_neither_listed_nor_opened(
    local_storage, org_root, tmp_path
):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (org_root / "data" / "ok.txt").write_text("ok")
    os.symlink(secret, org_root / "data" / "link.txt")
    backend = LocalBackend(local_storage)

    assert list(backend.iter_keys()) == ["ok.txt"]
    with pytest.raises(DomainError) as refused:
        backend.open("link.txt").__enter__()
    assert refused.value.code == "path_not_allowed"


@pytest.mark.parametrize(
    "endpoint_url",
    [
        "http://169.254.169.254/",
        "http://127.0.0.1:9000/",
        "http://localhost:9000",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://[::1]:9000/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.0.0.8:9000/",
        "http://192.168.1.2/",
        "file:///etc/passwd",
        "gopher://example.com/",
        "ftp://example.com/",
        "https://user:pw@93.184.216.34/",
    ],
)
def test_an_s3_endpoint_that_could_reach_internal_addresses_is_refused(
    organization, owner, endpoint_url
):
    with pytest.raises(DomainError) as refused:
        create(organization, owner, name="S3", kind="s3", bucket="data", endpoint_url=endpoint_url)

    assert refused.value.code == "url_not_allowed"
    assert list(refused.value.details) == ["endpoint_url"]
    assert not Storage.objects.exists()


def test_the_operator_can_allow_a_private_network_for_endpoints(organization, owner, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["10.0.5.0/24"]

    storage = create(
        organization,
        owner,
        name="MinIO",
        kind="s3",
        bucket="data",
        endpoint_url="http://10.0.5.7:9000",
    )

    assert storage.endpoint_url == "http://10.0.5.7:9000"


def test_s3_keys_are_stored_encrypted(organization, owner):
    storage = create(
        organization,
        owner,
        name="S3",
        kind="s3",
        bucket="my-data",
        prefix="in",
        region="eu-west-1",
        access_key_id="AKIAEXAMPLE",
        secret_access_key="s3cr3t/key",
    )

    assert storage.prefix == "in/"
    assert "AKIAEXAMPLE" not in storage.access_key_id_encrypted
    assert "s3cr3t" not in storage.secret_access_key_encrypted
    assert decrypt(storage.access_key_id_encrypted) == "AKIAEXAMPLE"
    assert decrypt(storage.secret_access_key_encrypted) == "s3cr3t/key"


def test_no_keys_means_the_servers_credential_chain(organization, owner):
    storage = create(organization, owner, name="S3", kind="s3", bucket="my-data")

    assert not storage.has_credentials


@pytest.mark.parametrize(
    ("fields", "details"),
    [
        ({"bucket": "Bad_Bucket"}, {"bucket": ["Enter a valid S3 bucket name."]}),
        (
            {"bucket": "ok-bucket", "region": "mars"},
            {"region": ["Enter a region name such as eu-west-1."]},
        ),
        (
            {"bucket": "ok-bucket", "access_key_id": "AKIA"},
            {
                "secret_access_key": [
                    "Give both the access key id and the secret access key, or neither."
                ]
            },
        ),
        (
            {"bucket": "ok-bucket", "prefix": "../x"},
            {"prefix": ["The path must not contain '..'."]},
        ),
    ],
)
def test_invalid_s3_settings_are_refused_by_field(organization, owner, fields, details):
    with pytest.raises(DomainError) as refused:
        create(organization, owner, name="S3", kind="s3", **fields)

    assert refused.value.details == details
    assert not Storage.objects.exists()


def test_storage_names_are_unique_per_organization(organization, owner, local_storage):
    with pytest.raises(DomainError) as refused:
        create(organization, owner, name="Local", kind="local", path="x")

    assert refused.value.code == "name_taken"
    assert Storage.objects.count() == 1
    other = MembershipFactory()
    assert create(other.organization, other, name="Local", kind="local", path="x").name == "Local"


def test_a_storage_used_by_a_dataset_cannot_be_deleted(dataset, local_storage, owner):
    with pytest.raises(DomainError) as refused:
        services.storage_delete(storage=local_storage, actor=owner.user)

    assert refused.value.code == "storage_in_use"
    assert Storage.objects.filter(id=local_storage.id).exists()


def test_test_connection_of_a_local_folder(local_storage, org_root):
    services.storage_test(storage=local_storage)

    (org_root / "data").rmdir()
    with pytest.raises(DomainError) as failed:
        services.storage_test(storage=local_storage)
    assert failed.value.message == "The folder does not exist on the server."


def test_local_export_writes_atomically_and_refuses_traversal(local_storage, org_root):
    backend = LocalBackend(local_storage)

    backend.write("out/manifest.jsonl", [b"a\n", b"b\n"])

    assert (org_root / "data" / "out" / "manifest.jsonl").read_bytes() == b"a\nb\n"
    assert [p.name for p in (org_root / "data" / "out").iterdir()] == ["manifest.jsonl"]
    with pytest.raises(DomainError):
        backend.write("../escape.jsonl", [b"x"])
    assert not (org_root / "escape.jsonl").exists()
