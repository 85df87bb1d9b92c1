import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
import pytest

from apps.accounts.models import Role
from apps.datasets import services
from tests.factories import MembershipFactory


@pytest.fixture
def organization(owner):
    return owner.organization


@pytest.fixture
def org_root(organization, settings):
    root = settings.DATASETS_LOCAL_ROOT / organization.slug
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture
def local_storage(organization, owner, org_root):
    (org_root / "data").mkdir(exist_ok=True)
    return services.storage_create(
        organization=organization, actor=owner.user, name="Local", kind="local", path="data"
    )


@pytest.fixture
def dataset(organization, owner, local_storage):
    return services.dataset_create(
        organization=organization, actor=owner.user, name="Animals", storage=local_storage
    )


@pytest.fixture
def reviewer(organization):
    return MembershipFactory(organization=organization, role=Role.REVIEWER)


@pytest.fixture
def worker_member(organization):
    return MembershipFactory(organization=organization, role=Role.WORKER)


# A real S3 endpoint on loopback: moto's server mode, one per test session (and per xdist
# worker), reached through boto3 exactly as a tenant's MinIO or AWS would be.

MOTO_BUCKET = "gw-data"
ANY_KEYS = {"access_key_id": "testing", "secret_access_key": "testing"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class MotoServer:
    url: str
    reader_keys: dict
    denied_keys: dict

    def client(self, service: str = "s3", **keys):
        return boto3.session.Session().client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=keys.get("access_key_id", "testing"),
            aws_secret_access_key=keys.get("secret_access_key", "testing"),
        )

    @contextmanager
    def authentication(self):
        """Make moto check signatures and IAM policies (off by default)."""
        self._reset_auth(b"0")
        try:
            yield
        finally:
            self._reset_auth(b"inf")

    def _reset_auth(self, count: bytes) -> None:
        request = urllib.request.Request(
            f"{self.url}/moto-api/reset-auth",
            data=count,
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request) as response:
            response.read()


@pytest.fixture(scope="session")
def moto_server():
    port = _free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/", timeout=1) as response:
                    response.read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.2)
        server = MotoServer(url=url, reader_keys={}, denied_keys={})
        iam = server.client("iam")
        s3 = server.client()
        s3.create_bucket(Bucket=MOTO_BUCKET)
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
        }
        for user, keys in (("reader", server.reader_keys), ("denied", server.denied_keys)):
            iam.create_user(UserName=user)
            if user == "reader":
                iam.put_user_policy(
                    UserName=user, PolicyName="all-s3", PolicyDocument=json.dumps(policy)
                )
            created = iam.create_access_key(UserName=user)["AccessKey"]
            keys.update(
                access_key_id=created["AccessKeyId"], secret_access_key=created["SecretAccessKey"]
            )
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def allow_loopback(settings):
    """Only S3 tests may reach loopback: the endpoint is our moto server."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def s3_prefix(moto_server):
    """A fresh prefix per test inside the shared bucket."""
    return f"t{uuid.uuid4().hex[:12]}/"


@pytest.fixture
def s3_storage(organization, owner, moto_server, allow_loopback, s3_prefix):
    return services.storage_create(
        organization=organization,
        actor=owner.user,
        name="S3",
        kind="s3",
        bucket=MOTO_BUCKET,
        prefix=s3_prefix,
        region="us-east-1",
        endpoint_url=moto_server.url,
        **ANY_KEYS,
    )
