from tests.datasets.conftest import (  # noqa: F401  (fixtures: a real S3 endpoint on loopback)
    allow_loopback,
    moto_server,
    organization,
    s3_prefix,
    s3_storage,
)
