"""Two clients start the same human loop at once (a retried StartHumanLoop): one loop, one
task, both get it. Needs PostgreSQL: each thread has its own connection."""

import json
import threading

import pytest
from django.db import transaction

from apps.datasets import services as dataset_services
from apps.reviews import services
from apps.reviews.models import HumanLoop
from apps.reviews.services import loops
from apps.tasks.models import Task
from tests.concurrency.test_queue_concurrency import in_thread
from tests.reviews.conftest import TEMPLATE
from tests.workforces.helpers import private_team

pytestmark = pytest.mark.django_db(transaction=True)

INPUT = json.dumps({"text": "Twice"})


@pytest.fixture
def flow(owner, settings):
    organization = owner.organization
    (settings.DATASETS_LOCAL_ROOT / organization.slug / "out").mkdir(parents=True)
    storage = dataset_services.storage_create(
        organization=organization, actor=owner.user, name="Out", kind="local", path="out"
    )
    ui = services.human_task_ui_create(
        organization=organization, actor=owner.user, name="ui", content=TEMPLATE
    )
    flow = services.flow_definition_create(
        organization=organization,
        actor=owner.user,
        name="fd-race",
        human_task_ui=ui,
        workteam=private_team(owner),
        output_storage=storage,
        task_title="Race",
        task_description="Two starts at once",
    )
    flow.refresh_from_db()
    assert flow.status == "Active"  # committed: the activation job ran
    return flow


def start(owner, flow):
    return services.human_loop_start(
        organization=owner.organization,
        actor=owner.user,
        flow=flow,
        name="loop-1",
        input_content=INPUT,
    )


def test_control_an_uncommitted_start_is_invisible_to_the_name_check(owner, flow):
    holding, release = threading.Event(), threading.Event()

    def start_and_hold():
        with transaction.atomic():
            start(owner, flow)
            holding.set()
            release.wait(10)

    thread, _ = in_thread(start_and_hold)
    assert holding.wait(10)
    seen = loops._existing(owner.organization, "loop-1", flow, "any")  # the check alone races
    release.set()
    thread.join(10)

    assert seen is None


def test_two_concurrent_starts_make_one_loop_and_both_get_it(owner, flow):
    holding, release = threading.Event(), threading.Event()

    def start_and_hold():
        with transaction.atomic():
            result = start(owner, flow)
            holding.set()
            release.wait(10)
            return result.loop.pk

    thread, first = in_thread(start_and_hold)
    assert holding.wait(10)
    # The second start passes the name check and then waits on the name's unique index.
    second_thread, second_result = in_thread(lambda: start(owner, flow))
    release.set()
    thread.join(10)
    second_thread.join(10)

    loop = HumanLoop.objects.get()
    assert first["value"] == loop.pk
    assert (second_result["value"].loop.pk, second_result["value"].created) == (loop.pk, False)
    assert Task.objects.filter(project=flow.project).count() == 1
