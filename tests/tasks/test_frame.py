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
