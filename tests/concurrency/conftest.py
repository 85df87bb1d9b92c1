import pytest
from django.db import connection

from tests.datasets.conftest import _dataset_roots  # noqa: F401


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and SKIP LOCKED need PostgreSQL: set DATABASE_URL (CI does)")
