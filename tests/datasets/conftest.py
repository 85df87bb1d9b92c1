import pytest

from apps.accounts.models import Role
from apps.datasets import services
from tests.factories import MembershipFactory


@pytest.fixture(autouse=True)
def _dataset_roots(settings, tmp_path):
    """Each test gets its own operator root for local storages and its own work folder."""
    settings.DATASETS_LOCAL_ROOT = tmp_path / "storage-root"
    settings.DATASETS_WORK_ROOT = tmp_path / "work"
    settings.DATASETS_LOCAL_ROOT.mkdir()
    return settings.DATASETS_LOCAL_ROOT


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
