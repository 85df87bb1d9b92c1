"""Human loops through the services: start rules, the queue, completion, stop, delete."""

import json
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from apps.core.errors import DomainError
from apps.reviews import jobs, services
from apps.reviews.models import FlowDefinition, HumanLoop, HumanLoopEvent
from apps.tasks import services as task_services
from apps.tasks.models import Assignment, Task
from apps.tasks.services import AssignmentNotActive
from apps.workforces.selectors import anonymized_worker_id
from tests.reviews.conftest import make_flow

pytestmark = pytest.mark.django_db

INPUT = json.dumps({"text": "The food was fine.", "confidence": 0.42})


def start(owner, flow, name="loop-1", content=INPUT, capture=None):
    return services.human_loop_start(
        organization=owner.organization,
        actor=owner.user,
        flow=flow,
        name=name,
        input_content=content,
    )


def answer(worker, team, capture, label="positive"):
    assignment = task_services.assignment_next(worker=worker, workteam_ids=[team.pk])
    with capture(execute=True):
        return task_services.assignment_submit(
            assignment=assignment, worker=worker, answer={"sentiment": {"label": label}}
        )


def test_a_flow_becomes_active_with_a_hidden_custom_project(flow, ui, team):
    assert flow.status == FlowDefinition.Status.ACTIVE
    project = flow.project
    assert (project.task_type, project.status, project.is_flow_backed) == (
        "custom",
        "in_progress",
        True,
    )
    assert (project.ui_template, project.workteam_id, project.answers_per_item) == (
        ui.content,
        team.pk,
        1,
    )


def test_start_creates_a_loop_backed_by_one_task_with_the_input(owner, flow):
    result = start(owner, flow)

    loop = result.loop
    assert (result.activated, result.created, loop.status) == (True, True, "InProgress")
    task = Task.objects.get(pk=loop.task_id)
    assert (task.project_id, task.answers_needed, task.status) == (flow.project_id, 1, "open")
    assert task.item.data == {"text": "The food was fine.", "confidence": 0.42}


def test_the_flows_dataset_counts_each_started_loop_once_committed(
    owner, flow, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(owner, flow, name="loop-1")
        start(owner, flow, name="loop-2")
    start(owner, flow, name="loop-1")  # the same loop again: nothing new to count

    flow.project.dataset.refresh_from_db()
    assert flow.project.dataset.item_count == 2


def test_starting_the_same_name_with_the_same_input_returns_the_existing_loop(owner, flow):
    first = start(owner, flow).loop
    same_json_other_spacing = json.dumps(json.loads(INPUT), indent=2)

    again = start(owner, flow, content=same_json_other_spacing)

    assert (again.loop.pk, again.created) == (first.pk, False)
    assert Task.objects.filter(project=flow.project).count() == 1


def test_starting_the_same_name_with_another_input_is_a_conflict(owner, flow):
    start(owner, flow)

    with pytest.raises(services.HumanLoopNameTaken) as refused:
        start(owner, flow, content=json.dumps({"text": "Another"}))

    assert refused.value.status == 409
    assert HumanLoop.objects.count() == 1
    assert Task.objects.filter(project=flow.project).count() == 1


@pytest.mark.parametrize(
    "name", ["Loop-1", "loop_1", "-loop", "loop-", "", "x" * 64, "loop 1", "lööp"]
)
def test_names_outside_the_pattern_are_refused(owner, flow, name):
    with pytest.raises(DomainError) as refused:
        start(owner, flow, name=name)

    assert list(refused.value.details) == ["name"]
    assert not HumanLoop.objects.exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "Not JSON: Expecting value (line 1, column 1)."),
        ("[1, 2]", "Must be a JSON object (it is task.input)."),
        (
            json.dumps({"text": "x" * 3_145_728}),
            "The input has 3145740 characters; the limit is 3145728.",
        ),
    ],
)
def test_bad_input_content_is_refused_naming_the_problem(owner, flow, content, problem):
    with pytest.raises(DomainError) as refused:
        start(owner, flow, content=content)

    assert refused.value.details == {"input_content": [problem]}
    assert not HumanLoop.objects.exists()
    assert not Task.objects.filter(project=flow.project).exists()


def test_a_loop_on_a_deleted_flow_is_refused(owner, flow):
    services.flow_definition_delete(flow=flow, actor=owner.user)
    flow.refresh_from_db()

    with pytest.raises(DomainError) as refused:
        start(owner, flow)

    assert refused.value.details == {"flow_definition": ["No such flow definition."]}
    assert not HumanLoop.objects.exists()


def test_a_worker_answers_in_the_queue_and_the_output_is_written(
    owner, flow, team, workers, settings, django_capture_on_commit_callbacks
):
    loop = start(owner, flow).loop

    submitted = answer(workers[0], team, django_capture_on_commit_callbacks)

    loop.refresh_from_db()
    stamp = loop.created_at.astimezone(UTC).strftime("%Y/%m/%d/%H/%M/%S")
    assert loop.status == "Completed"
    assert loop.output_key == f"a2i/fd-sentiment/{stamp}/loop-1/output.json"
    path = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "out" / loop.output_key
    output = json.loads(path.read_text())
    worker_id = anonymized_worker_id(user=workers[0], organization=owner.organization)
    account = owner.organization.account_id
    assert output["flowDefinitionArn"] == (
        f"arn:aws:sagemaker:us-east-1:{account}:flow-definition/fd-sentiment"
    )
    assert output["humanLoopName"] == "loop-1"
    assert output["inputContent"] == {"text": "The food was fine.", "confidence": 0.42}
    [human] = output["humanAnswers"]
    assert human["answerContent"] == {"sentiment": {"label": "positive"}}
    assert human["workerId"] == worker_id
    assert human["workerMetadata"] == {
        "identityData": {
            "identityProviderType": "Groundwork",
            "issuer": settings.BASE_URL,
            "sub": worker_id,
        }
    }
    assert human["submissionTime"].endswith("Z")
    assert human["timeSpentInSeconds"] == round(
        (submitted.submitted_at - submitted.created_at).total_seconds(), 3
    )
    assert HumanLoopEvent.objects.get(human_loop=loop).status == "skipped"  # no webhook


def test_a_loop_needing_two_answers_completes_with_both(
    owner, ui, team, local_storage, workers, django_capture_on_commit_callbacks
):
    flow = make_flow(
        owner, ui, team, local_storage, django_capture_on_commit_callbacks, task_count=2
    )
    loop = start(owner, flow).loop

    answer(workers[0], team, django_capture_on_commit_callbacks, "positive")
    loop.refresh_from_db()
    assert loop.status == "InProgress"
    answer(workers[1], team, django_capture_on_commit_callbacks, "negative")

    loop.refresh_from_db()
    assert loop.status == "Completed"
    output = services.human_loop_output(loop)
    assert [a["answerContent"]["sentiment"]["label"] for a in output["humanAnswers"]] == [
        "positive",
        "negative",
    ]


def test_stop_while_a_worker_holds_the_task_refuses_their_submit_and_stores_nothing(
    owner, flow, team, workers, django_capture_on_commit_callbacks
):
    loop = start(owner, flow).loop
    held = task_services.assignment_next(worker=workers[0], workteam_ids=[team.pk])

    stopped = services.human_loop_stop(loop=loop, actor=owner.user)

    assert stopped.status == "Stopped"
    with pytest.raises(AssignmentNotActive):
        task_services.assignment_submit(
            assignment=held, worker=workers[0], answer={"sentiment": {"label": "positive"}}
        )
    held.refresh_from_db()
    assert (held.status, held.answer, held.submitted_at) == ("withdrawn", None, None)
    task = Task.objects.get(pk=loop.task_id)
    assert (task.status, task.answers_received, task.live_assignments) == ("withdrawn", 0, 0)
    assert task_services.assignment_next(worker=workers[1], workteam_ids=[team.pk]) is None
    assert list(HumanLoopEvent.objects.values_list("loop_status", flat=True)) == ["Stopped"]


def test_stop_twice_is_a_no_op_and_a_completed_loop_cannot_be_stopped(
    owner, flow, team, workers, django_capture_on_commit_callbacks
):
    first = start(owner, flow).loop
    services.human_loop_stop(loop=first, actor=owner.user)
    assert services.human_loop_stop(loop=first, actor=owner.user).status == "Stopped"

    second = start(owner, flow, name="loop-2").loop
    answer(workers[0], team, django_capture_on_commit_callbacks)
    second.refresh_from_db()
    with pytest.raises(services.HumanLoopNotInProgress):
        services.human_loop_stop(loop=second, actor=owner.user)


def test_delete_only_finished_loops_and_the_name_is_free_again(owner, flow):
    loop = start(owner, flow).loop
    with pytest.raises(services.HumanLoopNotFinished):
        services.human_loop_delete(loop=loop, actor=owner.user)

    services.human_loop_stop(loop=loop, actor=owner.user)
    services.human_loop_delete(loop=loop, actor=owner.user)

    again = start(owner, flow, content=json.dumps({"text": "new"}))
    assert again.created is True
    assert again.loop.pk != loop.pk


def test_a_flow_with_loops_in_progress_cannot_be_deleted(owner, flow):
    start(owner, flow)

    with pytest.raises(services.FlowDefinitionInUse):
        services.flow_definition_delete(flow=flow, actor=owner.user)

    flow.refresh_from_db()
    assert (flow.status, flow.deleted_at) == ("Active", None)


def test_expired_loops_fail_and_leave_the_queue(owner, flow, team, workers):
    loop = start(owner, flow).loop
    HumanLoop.objects.filter(pk=loop.pk).update(expires_at=timezone.now())

    assert jobs.human_loops_expire() == 1

    loop.refresh_from_db()
    assert (loop.status, loop.failure_code) == ("Failed", "Expired")
    assert task_services.assignment_next(worker=workers[0], workteam_ids=[team.pk]) is None
    assert jobs.human_loops_expire() == 0


def test_a_loop_expires_its_flows_lifetime_after_it_started(owner, flow):
    before = timezone.now()
    loop = start(owner, flow).loop

    lifetime = timedelta(seconds=flow.task_availability_lifetime_seconds)
    assert before + lifetime <= loop.expires_at <= timezone.now() + lifetime
    assert services.human_loops_expired(now=loop.expires_at - timedelta(seconds=1)) == []
    assert services.human_loops_expired(now=loop.expires_at) == [loop]


def test_expired_loops_are_found_first_however_many_younger_loops_wait(
    owner, ui, team, local_storage, flow, django_capture_on_commit_callbacks
):
    """A long-lived flow's many older loops must not hide a short-lived flow's expired one."""
    for number in range(3):
        start(owner, flow, name=f"long-{number}")
    brief = make_flow(
        owner,
        ui,
        team,
        local_storage,
        django_capture_on_commit_callbacks,
        name="fd-brief",
        task_availability_lifetime_seconds=60,
    )
    expired = start(owner, brief, name="brief").loop
    now = expired.expires_at

    assert services.human_loops_expired(now=now, limit=1) == [expired]


def test_the_answers_of_a_stopped_loop_are_not_counted_as_submitted(owner, flow, team, workers):
    loop = start(owner, flow).loop
    task_services.assignment_next(worker=workers[0], workteam_ids=[team.pk])
    services.human_loop_stop(loop=loop, actor=owner.user)

    assert not Assignment.objects.filter(status="submitted").exists()


def test_a_flow_whose_project_cannot_be_created_fails_with_the_reason(
    owner, ui, team, local_storage, django_capture_on_commit_callbacks
):
    from apps.projects import services as project_services
    from tests.work import dataset_of_texts

    with django_capture_on_commit_callbacks() as activation:
        flow = services.flow_definition_create(
            organization=owner.organization,
            actor=owner.user,
            name="fd-clash",
            human_task_ui=ui,
            workteam=team,
            output_storage=local_storage,
            task_title="Title",
            task_description="Description",
        )
    project_services.project_create(  # takes the name the flow's project would get
        organization=owner.organization,
        actor=owner.user,
        name=f"fd-clash-a2i{flow.pk}",
        dataset=dataset_of_texts(owner, ["x"]),
        task_type="custom",
        label_attribute_name="answer",
        workteam=team,
    )
    [job] = activation
    job()

    flow.refresh_from_db()
    assert (flow.status, flow.failure_reason, flow.project_id) == (
        "Failed",
        "A project with this name already exists.",
        None,
    )
    with pytest.raises(services.FlowDefinitionNotActive):
        start(owner, flow)


def test_flows_and_task_uis_list_by_creation_time(owner, flow, ui):
    from apps.reviews import selectors

    before, after = flow.created_at - timedelta(seconds=1), flow.created_at + timedelta(seconds=1)
    organization = owner.organization

    assert list(
        selectors.flow_definition_list(organization=organization, created_after=before)
    ) == [flow]
    assert not selectors.flow_definition_list(organization=organization, created_after=after)
    assert not selectors.human_task_ui_list(organization=organization, created_before=before)
    assert list(selectors.human_task_ui_list(organization=organization, created_before=after)) == [
        ui
    ]


def test_the_team_hears_of_new_loops_once_per_burst(owner, flow, workers):
    from apps.workforces.models import WorkNotice

    start(owner, flow, name="loop-a", content=json.dumps({"n": 1}))
    start(owner, flow, name="loop-b", content=json.dumps({"n": 2}))

    notices = WorkNotice.global_objects.filter(workteam=flow.workteam)
    assert sorted(notices.values_list("user_id", flat=True)) == sorted(w.pk for w in workers)
