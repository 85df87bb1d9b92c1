"""examples/a2i_sentiment.py against a live server, through the real REST API."""

import importlib.util
from pathlib import Path

import pytest

from apps.reviews.models import HumanLoop
from apps.tasks import services as task_services
from tests.factories import api_credential

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "a2i_sentiment.py"


@pytest.fixture
def example():
    spec = importlib.util.spec_from_file_location("a2i_sentiment", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sentiment_walkthrough_sends_low_confidence_predictions_to_people(
    example, live_server, owner, team, workers, local_storage
):
    _, bearer = api_credential(owner)
    api = example.Api(live_server.url, owner.organization.slug, bearer.removeprefix("Bearer "))

    flow_arn = example.setup(
        api, workteam_id=team.pk, storage_id=local_storage.pk, flow_name="fd-example"
    )
    rows = example.start_loops(api, flow_arn=flow_arn, run_id="t1")
    # Workers answer the three loops (in the browser in real life; see tests/browser).
    for worker, label in zip(workers, ["MIXED", "NEUTRAL", "MIXED"], strict=True):
        assignment = task_services.assignment_next(worker=worker, workteam_ids=[team.pk])
        task_services.assignment_submit(
            assignment=assignment, worker=worker, answer={"sentiment": {"label": label}}
        )
    example.collect_answers(api, rows, timeout=10, poll=0.1)

    assert flow_arn.endswith(":flow-definition/fd-example")
    assert [row["loop"] for row in rows] == [
        None,
        None,
        "sentiment-t1-2",
        "sentiment-t1-3",
        None,
        "sentiment-t1-5",
    ]
    assert [row.get("human") for row in rows] == [None, None, "MIXED", "NEUTRAL", None, "MIXED"]
    assert set(HumanLoop.objects.values_list("status", flat=True)) == {"Completed"}
    printed = example.table(rows).splitlines()
    assert printed[2].endswith("POSITIVE   0.99  (not reviewed)")
    assert printed[4].split()[-3:] == ["POSITIVE", "0.58", "MIXED"]
