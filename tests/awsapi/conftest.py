import boto3
import pytest
from botocore.config import Config

from tests.datasets.conftest import (  # noqa: F401  (fixtures: a real S3 endpoint on loopback)
    MOTO_BUCKET,
    allow_loopback,
    moto_server,
    s3_prefix,
    s3_storage,
)
from tests.factories import MembershipFactory, api_credential
from tests.reviews.conftest import (  # noqa: F401  (fixtures: team, storage, UI, flow)
    TEMPLATE,
    flow,
    local_storage,
    make_flow,
    organization,
    team,
    ui,
    workers,
)

REGION = "us-east-1"


def keys_of(membership, role: str = "admin") -> dict:
    credential, bearer = api_credential(membership, role=role)
    access_key_id, _, secret = bearer.removeprefix("Bearer ").partition(":")
    return {
        "aws_access_key_id": access_key_id,
        "aws_secret_access_key": secret,
        "credential": credential,
    }


def client(live_server, service: str, keys: dict, region: str = REGION, **config):
    path = "/aws/a2i" if service == "sagemaker-a2i-runtime" else "/aws/sagemaker"
    return boto3.session.Session().client(
        service,
        endpoint_url=live_server.url + path,
        region_name=region,
        aws_access_key_id=keys["aws_access_key_id"],
        aws_secret_access_key=keys["aws_secret_access_key"],
        aws_session_token=keys.get("aws_session_token"),
        config=Config(**{"retries": {"mode": "standard", "total_max_attempts": 3}, **config}),
    )


@pytest.fixture
def keys(owner):
    return keys_of(owner)


@pytest.fixture
def a2i(live_server, keys):
    return client(live_server, "sagemaker-a2i-runtime", keys)


@pytest.fixture
def sm(live_server, keys):
    return client(live_server, "sagemaker", keys)


@pytest.fixture
def other_keys():
    """Admin credentials of another organization."""
    return keys_of(MembershipFactory())


@pytest.fixture
def fail_first_success(monkeypatch):
    """The first successful answer is replaced by an empty 500 (as if a proxy timed out
    after the server committed); returns the statuses the server produced."""
    from apps.awsapi import views

    original = views._response
    statuses = []

    def respond(body, *, status, **kwargs):
        statuses.append(status)
        if status == 200 and len(statuses) == 1:
            return original({}, status=500, **{**kwargs, "error": "InternalFailure"})
        return original(body, status=status, **kwargs)

    monkeypatch.setattr(views, "_response", respond)
    return statuses
