from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.tasks.models import Assignment
from apps.tasks.taskui import assignment_frame_url
from tests.work import text_project

pytestmark = pytest.mark.django_db


def claimed(owner):
    _, (worker, _) = text_project(owner, items=1)
    client = APIClient()
    client.force_login(worker)
    client.post(reverse("work-next"), {}, format="json")
    return Assignment.objects.get()


def test_the_assignment_frame_renders_the_item_with_the_builtin_ui_and_sets_no_cookie(owner):
    assignment = claimed(owner)

    response = Client().get(assignment_frame_url(assignment))

    html = response.content.decode()
    assert response.status_code == 200
    assert "text number 0" in html and "crowd-classifier" in html
    assert "positive" in html and "negative" in html
    assert response.cookies == {}
    assert "sandbox allow-scripts allow-forms" in response["Content-Security-Policy"]


@pytest.mark.parametrize("end", ["submitted", "released", "overdue"])
def test_the_frame_is_gone_once_the_assignment_is_not_live(owner, end):
    assignment = claimed(owner)
    url = assignment_frame_url(assignment)
    if end == "overdue":
        Assignment.objects.filter(pk=assignment.pk).update(
            deadline=timezone.now() - timedelta(seconds=1)
        )
    else:
        Assignment.objects.filter(pk=assignment.pk).update(status=end)

    assert Client().get(url).status_code == 404


def test_the_frame_may_show_local_storage_objects(owner):
    assignment = claimed(owner)

    policy = Client().get(assignment_frame_url(assignment))["Content-Security-Policy"]

    assert "img-src https: data: blob: http://testserver/objects/" in policy


def test_the_frame_and_object_urls_of_a_private_workforces_work_open_only_from_its_ranges(
    owner, settings
):
    import io
    import re

    from apps.datasets import services as dataset_services
    from apps.workforces import services as workforce_services

    folder = settings.DATASETS_LOCAL_ROOT / owner.organization.slug / "data"
    folder.mkdir(parents=True)
    (folder / "note.txt").write_text("the object")
    storage = dataset_services.storage_create(
        organization=owner.organization, actor=owner.user, name="Local", kind="local", path="data"
    )
    dataset = dataset_services.dataset_create(
        organization=owner.organization, actor=owner.user, name="files", storage=storage
    )
    run = dataset_services.manifest_import_start(
        dataset=dataset,
        actor=owner.user,
        source="upload",
        enqueue=False,
        upload=io.BytesIO(b'{"source-ref": "note.txt"}\n'),
    )
    dataset_services.manifest_import_run(manifest_import_id=run.id)
    template = (
        "<crowd-form><a href=\"{{ task.input['source-ref'] | grant_read_access }}\">x</a>"
        "</crowd-form>"
    )
    project, (worker, _) = text_project(
        owner,
        dataset=dataset,
        task_type="custom",
        label_attribute_name="notes",
        labels=[],
        ui_template=template,
    )
    workforce_services.workforce_update_source_cidrs(
        workforce=project.workteam.workforce, cidrs=["203.0.113.0/24"], actor=owner.user
    )
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    client.force_login(worker)
    assert client.post(reverse("work-next"), {}, format="json").status_code == 201

    frame_path = assignment_frame_url(Assignment.objects.get())
    refused = Client(REMOTE_ADDR="198.51.100.1").get(frame_path)
    assert refused.status_code == 403
    assert "198.51.100.1" in refused.content.decode()
    assert "the object" not in refused.content.decode()
    frame = Client(REMOTE_ADDR="203.0.113.9").get(frame_path).content.decode()
    object_path = re.search(r'href="http://testserver(/objects/[^"]+)"', frame).group(1)

    outside = Client(REMOTE_ADDR="198.51.100.1").get(object_path)
    inside = Client(REMOTE_ADDR="203.0.113.9").get(object_path)
    assert outside.status_code == 403
    assert inside.status_code == 200
    assert b"".join(inside.streaming_content) == b"the object"
    inside.close()
