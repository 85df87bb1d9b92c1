"""The reviews REST API: task UIs, flow definitions, human loops; tenancy and bad input."""

import json

import pytest
from django.urls import reverse

from apps.reviews.models import FlowDefinition, HumanLoop, HumanTaskUi
from apps.tasks import services as task_services
from apps.tasks.models import Task
from tests.reviews.conftest import TEMPLATE
from tests.tenancy import assert_other_organization_gets_404

pytestmark = pytest.mark.django_db


def url(route, organization, **kwargs):
    return reverse(route, kwargs={"org_slug": organization.slug, **kwargs})


def flow_body(team, storage, **fields):
    return {
        "name": "fd-sentiment",
        "human_task_ui": "sentiment-ui",
        "workteam_id": team.pk,
        "output_storage_id": storage.pk,
        "task_title": "Check the sentiment",
        "task_description": "Is the model right?",
        **fields,
    }


def start_body(name="loop-1", flow="fd-sentiment", content=None):
    return {
        "name": name,
        "flow_definition": flow,
        "input_content": content if content is not None else json.dumps({"text": "So-so."}),
    }


# Human task UIs


def test_create_describe_list_and_delete_a_task_ui(owner_client, organization):
    created = owner_client.post(
        url("human-task-ui-list", organization),
        {"name": "review-ui", "content": TEMPLATE},
        format="json",
    )
    assert created.status_code == 201, created.content
    account = organization.account_id
    assert created.json()["arn"] == f"arn:aws:sagemaker:us-east-1:{account}:human-task-ui/review-ui"
    assert created.json()["status"] == "Active"

    described = owner_client.get(url("human-task-ui-detail", organization, name="review-ui"))
    assert described.json()["content"] == TEMPLATE
    listed = owner_client.get(url("human-task-ui-list", organization))
    assert [row["name"] for row in listed.json()["results"]] == ["review-ui"]

    deleted = owner_client.delete(url("human-task-ui-detail", organization, name="review-ui"))
    assert deleted.status_code == 204
    assert not HumanTaskUi.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "Review_UI", "content": TEMPLATE}, "name", None),
        ({"name": "ok", "content": "<p>{{ task.input.text | nope }}</p>"}, "content", "Line 1:"),
        ({"name": "ok", "content": "<p>no form</p>"}, "content", "Line 1: the template has no"),
        ({"name": "ok", "content": "{% if x %}\n<crowd-form></crowd-form>"}, "content", "Line 2"),
    ],
)
def test_bad_task_uis_are_refused_naming_the_field_and_line(
    owner_client, organization, body, field, message
):
    response = owner_client.post(url("human-task-ui-list", organization), body, format="json")

    assert response.status_code == 400
    assert list(response.json()["details"])[0] == field
    if message:
        assert response.json()["details"][field][0].startswith(message)
    assert not HumanTaskUi.objects.exists()


def test_a_task_ui_name_is_unique(owner_client, organization, ui):
    response = owner_client.post(
        url("human-task-ui-list", organization),
        {"name": ui.name, "content": TEMPLATE},
        format="json",
    )

    assert response.status_code == 409
    assert HumanTaskUi.objects.count() == 1


def test_a_task_ui_used_by_a_flow_cannot_be_deleted(owner_client, organization, ui, flow):
    response = owner_client.delete(url("human-task-ui-detail", organization, name=ui.name))

    assert response.status_code == 409
    assert response.json()["code"] == "human_task_ui_in_use"
    assert response.json()["details"] == {"flow_definitions": ["fd-sentiment"]}
    assert HumanTaskUi.objects.filter(pk=ui.pk).exists()


def test_render_reports_liquid_errors_and_a_missing_crowd_form_with_lines(
    owner_client, organization
):
    broken = owner_client.post(
        url("human-task-ui-render", organization),
        {"template": "<crowd-form>\n{{ task.input.text | shout }}\n</crowd-form>", "input": {}},
        format="json",
    )
    no_form = owner_client.post(
        url("human-task-ui-render", organization),
        {"template": "<p>{{ task.input.text }}</p>", "input": {"text": "hi"}},
        format="json",
    )

    [error] = broken.json()["errors"]
    assert (error["code"], error["line"]) == ("template_error", 2)
    assert error["message"].startswith("Line 2: unknown filter 'shout'")
    assert broken.json()["frame_url"] == ""
    assert no_form.json()["rendered"] == "<p>hi</p>"
    assert [(e["code"], e["line"]) for e in no_form.json()["errors"]] == [("missing_crowd_form", 1)]


def test_render_a_saved_ui_gives_a_sandboxed_preview(owner_client, organization, ui, client):
    response = owner_client.post(
        url("human-task-ui-render", organization),
        {"human_task_ui": ui.name, "input": json.dumps({"text": "Lovely"})},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["errors"] == []
    assert "<p>Lovely</p>" in response.json()["rendered"]
    frame = client.get(response.json()["frame_url"])
    assert frame.status_code == 200
    assert "sandbox" in frame["Content-Security-Policy"]
    assert b"<p>Lovely</p>" in frame.content


def test_task_ui_endpoints_give_404_to_another_organization(organization, ui, flow):
    detail = url("human-task-ui-detail", organization, name=ui.name)
    assert_other_organization_gets_404(detail)
    assert_other_organization_gets_404(
        detail, method="delete", unchanged=[HumanTaskUi.objects.all()]
    )
    assert_other_organization_gets_404(url("human-task-ui-list", organization))


# Flow definitions


def test_a_flow_is_created_initializing_and_becomes_active(
    owner_client, organization, ui, team, local_storage, django_capture_on_commit_callbacks
):
    sampling = {
        "ConditionType": "Sampling",
        "ConditionParameters": {"RandomSamplingPercentage": 10},
    }
    conditions = json.dumps({"Conditions": [sampling]})
    with django_capture_on_commit_callbacks() as activation:
        response = owner_client.post(
            url("flow-definition-list", organization),
            flow_body(
                team, local_storage, activation_conditions=conditions, task_keywords=["text"]
            ),
            format="json",
        )

    assert response.status_code == 201, response.content
    body = response.json()
    account = organization.account_id
    assert body["arn"] == f"arn:aws:sagemaker:us-east-1:{account}:flow-definition/fd-sentiment"
    assert (body["status"], body["project_id"]) == ("Initializing", None)
    assert body["activation_conditions"] == conditions  # a string, as given
    assert body["human_task_ui_arn"].endswith(":human-task-ui/sentiment-ui")
    [job] = activation
    job()
    described = owner_client.get(url("flow-definition-detail", organization, name="fd-sentiment"))
    assert described.json()["status"] == "Active"
    assert described.json()["project_id"] == FlowDefinition.objects.get().project_id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "FD_Sentiment"}, "name"),
        (
            {"activation_conditions": '{"Conditions": [{"ConditionType": "Nope"}]}'},
            "activation_conditions",
        ),
        ({"activation_conditions": '"{\\"Conditions\\": []}"'}, "activation_conditions"),
        ({"task_count": 4}, "task_count"),
        ({"task_time_limit_seconds": 10}, "task_time_limit_seconds"),
        ({"task_keywords": ["bad-keyword!"]}, "task_keywords"),
        ({"human_task_ui": "missing-ui"}, "human_task_ui"),
        ({"output_prefix": "../escape"}, "output_prefix"),
    ],
)
def test_bad_flows_are_refused_naming_the_field(
    owner_client, organization, ui, team, local_storage, fields, field
):
    response = owner_client.post(
        url("flow-definition-list", organization),
        flow_body(team, local_storage, **fields),
        format="json",
    )

    assert response.status_code == 400, response.content
    assert list(response.json()["details"]) == [field]
    assert not FlowDefinition.objects.exists()


def test_a_flow_cannot_use_another_organizations_team_or_storage(
    owner_client, organization, ui, team, local_storage
):
    from tests.factories import MembershipFactory
    from tests.workforces.helpers import private_team

    other_team = private_team(MembershipFactory(), name="theirs")

    response = owner_client.post(
        url("flow-definition-list", organization),
        flow_body(team, local_storage, workteam_id=other_team.pk),
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["details"] == {"workteam_id": ["No such workteam."]}
    assert not FlowDefinition.objects.exists()


def test_flow_endpoints_give_404_to_another_organization(organization, flow):
    detail = url("flow-definition-detail", organization, name=flow.name)
    assert_other_organization_gets_404(detail)
    assert_other_organization_gets_404(
        detail, method="delete", unchanged=[FlowDefinition.objects.all()]
    )
    assert_other_organization_gets_404(url("flow-definition-list", organization))


def test_a_deleted_flow_is_gone_and_takes_no_loops(owner_client, organization, flow):
    deleted = owner_client.delete(url("flow-definition-detail", organization, name=flow.name))
    described = owner_client.get(url("flow-definition-detail", organization, name=flow.name))
    started = owner_client.post(url("human-loop-list", organization), start_body(), format="json")

    assert deleted.status_code == 204
    assert described.status_code == 404
    assert started.status_code == 400
    assert started.json()["details"] == {"flow_definition": ["No such flow definition."]}
    assert not HumanLoop.objects.exists()
    flow.refresh_from_db()
    assert flow.status == "Deleting"


# Human loops


def test_start_describe_list_stop_and_delete_a_loop(owner_client, organization, flow):
    started = owner_client.post(url("human-loop-list", organization), start_body(), format="json")
    again = owner_client.post(url("human-loop-list", organization), start_body(), format="json")

    assert started.status_code == 201, started.content
    assert again.status_code == 200
    loop = started.json()["human_loop"]
    account = organization.account_id
    assert loop["arn"] == f"arn:aws:sagemaker:us-east-1:{account}:human-loop/loop-1"
    assert (loop["status"], loop["input_content"]) == ("InProgress", '{"text": "So-so."}')
    assert again.json()["human_loop"]["arn"] == loop["arn"]

    detail = url("human-loop-detail", organization, name="loop-1")
    assert owner_client.get(detail).json()["status"] == "InProgress"
    stopped = owner_client.post(url("human-loop-stop", organization, name="loop-1"))
    assert stopped.json()["status"] == "Stopped"
    assert owner_client.delete(detail).status_code == 204
    assert owner_client.get(detail).status_code == 404


def test_starting_a_used_name_with_other_input_is_409(owner_client, organization, flow):
    owner_client.post(url("human-loop-list", organization), start_body(), format="json")

    response = owner_client.post(
        url("human-loop-list", organization),
        start_body(content={"text": "different"}),
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "human_loop_name_taken"
    assert HumanLoop.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (start_body(name="Loop_1"), "name"),
        (start_body(content="{broken"), "input_content"),
        (start_body(content=json.dumps({"text": "x" * 3_145_728})), "input_content"),
        (
            start_body(
                flow="arn:aws:sagemaker:us-east-1:000000000000:flow-definition/fd-sentiment"
            ),
            "flow_definition",
        ),
        (start_body(flow="no-such-flow"), "flow_definition"),
    ],
)
def test_bad_loop_starts_are_refused_and_write_nothing(
    owner_client, organization, flow, body, field
):
    response = owner_client.post(url("human-loop-list", organization), body, format="json")

    assert response.status_code == 400, response.content
    assert list(response.json()["details"]) == [field]
    assert not HumanLoop.objects.exists()
    assert not Task.objects.filter(project=flow.project).exists()


def test_a_body_over_the_upload_limit_is_413(owner_client, organization, flow, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = start_body(content=json.dumps({"text": "x" * 2000}))

    response = owner_client.post(url("human-loop-list", organization), body, format="json")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not HumanLoop.objects.exists()


def test_another_organizations_flow_cannot_be_used_to_start_a_loop(flow):
    from rest_framework.test import APIClient

    from tests.factories import MembershipFactory

    outsider = MembershipFactory()
    client = APIClient()
    client.force_authenticate(outsider.user)

    response = client.post(
        url("human-loop-list", outsider.organization), start_body(), format="json"
    )

    assert response.status_code == 400
    assert response.json()["details"] == {"flow_definition": ["No such flow definition."]}
    assert not HumanLoop.objects.exists()


def test_a_loop_not_activated_by_the_flow_conditions_writes_nothing(
    owner_client, organization, ui, team, local_storage, django_capture_on_commit_callbacks
):
    conditions = json.dumps(
        {
            "Conditions": [
                {
                    "ConditionType": "ModerationLabelConfidenceCheck",
                    "ConditionParameters": {"ModerationLabelName": "*", "ConfidenceLessThan": 90},
                }
            ]
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            url("flow-definition-list", organization),
            flow_body(team, local_storage, activation_conditions=conditions),
            format="json",
        )
    sure = {"aiServiceResponse": {"ModerationLabels": [{"Name": "Gore", "Confidence": 97.5}]}}
    unsure = {"aiServiceResponse": {"ModerationLabels": [{"Name": "Gore", "Confidence": 61.0}]}}

    skipped = owner_client.post(
        url("human-loop-list", organization), start_body("sure", content=sure), format="json"
    )
    started = owner_client.post(
        url("human-loop-list", organization), start_body("unsure", content=unsure), format="json"
    )

    assert skipped.status_code == 200
    assert skipped.json()["activated"] is False
    assert skipped.json()["human_loop"] is None
    assert skipped.json()["activation_results"]["Conditions"][0]["EvaluationResult"] is False
    assert started.status_code == 201
    assert list(HumanLoop.objects.values_list("name", flat=True)) == ["unsure"]


def test_list_loops_by_flow_time_range_sorted_and_paginated(owner_client, organization, flow):
    for n in range(3):
        owner_client.post(
            url("human-loop-list", organization),
            start_body(f"loop-{n}", content={"n": n}),
            format="json",
        )
    middle = HumanLoop.objects.get(name="loop-1").created_at
    base = url("human-loop-list", organization)

    descending = owner_client.get(base, {"flow_definition": flow.name})
    ascending = owner_client.get(
        base, {"flow_definition": flow.name, "sort_order": "Ascending", "page_size": 2}
    )
    after = owner_client.get(
        base, {"flow_definition": flow.name, "created_after": middle.isoformat()}
    )
    missing_flow = owner_client.get(base)

    assert [r["name"] for r in descending.json()["results"]] == ["loop-2", "loop-1", "loop-0"]
    assert [r["name"] for r in ascending.json()["results"]] == ["loop-0", "loop-1"]
    following = owner_client.get(ascending.json()["next"])
    assert [r["name"] for r in following.json()["results"]] == ["loop-2"]
    assert [r["name"] for r in after.json()["results"]] == ["loop-2"]
    assert missing_flow.status_code == 400
    assert list(missing_flow.json()["details"]) == ["flow_definition"]


def test_loop_endpoints_give_404_to_another_organization(owner_client, organization, flow):
    owner_client.post(url("human-loop-list", organization), start_body(), format="json")
    loops = [HumanLoop.objects.all(), Task.objects.all()]

    detail = url("human-loop-detail", organization, name="loop-1")
    assert_other_organization_gets_404(detail)
    assert_other_organization_gets_404(detail, method="delete", unchanged=loops)
    assert_other_organization_gets_404(
        url("human-loop-stop", organization, name="loop-1"), method="post", unchanged=loops
    )
    assert_other_organization_gets_404(
        url("human-loop-list", organization), method="post", data=start_body("x"), unchanged=loops
    )


def test_describe_shows_the_answers_once_in(
    owner_client, organization, flow, team, workers, django_capture_on_commit_callbacks
):
    owner_client.post(url("human-loop-list", organization), start_body(), format="json")
    assignment = task_services.assignment_next(worker=workers[0], workteam_ids=[team.pk])
    with django_capture_on_commit_callbacks(execute=True):
        task_services.assignment_submit(
            assignment=assignment, worker=workers[0], answer={"sentiment": {"label": "negative"}}
        )

    body = owner_client.get(url("human-loop-detail", organization, name="loop-1")).json()

    assert body["status"] == "Completed"
    assert body["output_uri"].endswith(
        "/fd-sentiment/" + body["output_uri"].split("/fd-sentiment/")[1]
    )
    assert [a["answerContent"] for a in body["human_answers"]] == [
        {"sentiment": {"label": "negative"}}
    ]


def test_list_queries_do_not_grow_with_rows(
    owner_client, organization, flow, django_assert_max_num_queries
):
    for n in range(5):
        owner_client.post(
            url("human-loop-list", organization),
            start_body(f"l-{n}", content={"n": n}),
            format="json",
        )
    loops = url("human-loop-list", organization)
    flows = url("flow-definition-list", organization)

    with django_assert_max_num_queries(8):
        assert len(owner_client.get(loops, {"flow_definition": flow.name}).json()["results"]) == 5
    with django_assert_max_num_queries(8):
        assert len(owner_client.get(flows).json()["results"]) == 1


def test_a_worker_submitting_to_a_stopped_loop_gets_a_clean_409(
    owner_client, organization, flow, team, workers
):
    from rest_framework.test import APIClient

    owner_client.post(url("human-loop-list", organization), start_body(), format="json")
    held = task_services.assignment_next(worker=workers[0], workteam_ids=[team.pk])
    owner_client.post(url("human-loop-stop", organization, name="loop-1"))
    worker_client = APIClient()
    worker_client.force_login(workers[0])  # the worker middleware reads the session

    response = worker_client.post(
        reverse("work-submit", kwargs={"assignment_id": held.pk}),
        {"answer": {"sentiment": {"label": "positive"}}},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "assignment_not_active",
        "message": "This assignment was already ended (released, declined, expired or withdrawn).",
        "details": {"status": ["withdrawn"]},
    }
    held.refresh_from_db()
    assert (held.status, held.answer) == ("withdrawn", None)
    assert HumanLoop.objects.get().status == "Stopped"
