import pytest

from apps.datasets import services as dataset_services
from apps.reviews import services
from tests.datasets.conftest import (  # noqa: F401  (fixtures: a real S3 endpoint on loopback)
    allow_loopback,
    moto_server,
    s3_prefix,
)
from tests.workforces.helpers import private_team, worker_of

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <p>{{ task.input.text }}</p>
  <crowd-classifier name="sentiment" categories="['positive', 'negative']" header="Sentiment?">
  </crowd-classifier>
</crowd-form>
"""


@pytest.fixture
def organization(owner):
    return owner.organization


@pytest.fixture
def workers(organization):
    return [worker_of(organization) for _ in range(3)]


@pytest.fixture
def team(owner, workers):
    return private_team(owner, name="reviewers", members=workers)


@pytest.fixture
def local_storage(organization, owner, settings):
    (settings.DATASETS_LOCAL_ROOT / organization.slug / "out").mkdir(parents=True)
    return dataset_services.storage_create(
        organization=organization, actor=owner.user, name="Output", kind="local", path="out"
    )


@pytest.fixture
def ui(organization, owner):
    return services.human_task_ui_create(
        organization=organization, actor=owner.user, name="sentiment-ui", content=TEMPLATE
    )


def make_flow(owner, ui, team, storage, django_capture_on_commit_callbacks, **fields):
    defaults = {
        "name": "fd-sentiment",
        "task_title": "Check the sentiment",
        "task_description": "Is the model right?",
        "output_prefix": "a2i",
    }
    with django_capture_on_commit_callbacks(execute=True):
        flow = services.flow_definition_create(
            organization=owner.organization,
            actor=owner.user,
            human_task_ui=ui,
            workteam=team,
            output_storage=storage,
            **{**defaults, **fields},
        )
    flow.refresh_from_db()
    return flow


@pytest.fixture
def flow(owner, ui, team, local_storage, django_capture_on_commit_callbacks):
    return make_flow(owner, ui, team, local_storage, django_capture_on_commit_callbacks)
