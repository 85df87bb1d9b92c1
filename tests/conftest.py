import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from tests.celery_broker import real_worker  # noqa: F401  (a fixture for broker tests)
from tests.factories import MembershipFactory


@pytest.fixture(autouse=True)
def _scopes_disabled():
    """Setup and assertions run unscoped; requests still enter scopes in the middleware."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate limits in the cache; one test's sign-ups must not throttle another's."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _dataset_roots(settings, tmp_path):
    """Each test gets its own operator root for local storages and its own work folder
    (uploads, thumbnails), so no test writes into the project's var/."""
    settings.DATASETS_LOCAL_ROOT = tmp_path / "storage-root"
    settings.DATASETS_WORK_ROOT = tmp_path / "work"
    settings.DATASETS_LOCAL_ROOT.mkdir()
    return settings.DATASETS_LOCAL_ROOT


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def owner():
    """The owner membership of a fresh organization."""
    return MembershipFactory()


@pytest.fixture
def owner_client(api_client, owner) -> APIClient:
    api_client.force_authenticate(owner.user)
    return api_client
