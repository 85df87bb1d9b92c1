import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.projects.models import Project
from apps.tasks.models import Task

pytestmark = pytest.mark.django_db


def test_seed_demo_leaves_started_projects_a_demo_worker_can_label():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent

    projects = Project.objects.filter(organization__slug="demo").order_by("name")
    assert [(p.name, p.status) for p in projects] == [
        ("people-and-places", "in_progress"),
        ("review-sentiment", "in_progress"),
    ]
    assert Task.objects.filter(project__name="review-sentiment").count() == 12
    assert Task.objects.filter(project__name="people-and-places").count() == 4
    client = APIClient()
    client.force_login(User.objects.get(email="worker1@demo.test"))
    response = client.post("/api/v1/work/next/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["project"]["name"] in {"review-sentiment", "people-and-places"}
