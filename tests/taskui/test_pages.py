import json

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.models import Role
from apps.taskui.builtin import SAMPLE_INPUTS, builtin_template
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def preview_url(membership) -> str:
    return reverse("taskui-preview", kwargs={"org_slug": membership.organization.slug})


def signed_in(membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


def test_the_preview_page_shows_a_builtin_ui_in_the_sandboxed_frame():
    requester = MembershipFactory(role=Role.REQUESTER)

    response = signed_in(requester).get(preview_url(requester))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'sandbox="allow-scripts allow-forms"' in page
    assert 'src="/task-frame/' in page
    assert "Named entity recognition" in page
    assert json.loads(response.context["raw_input"]) == SAMPLE_INPUTS["TextMultiClass"]
    assert response.context["source"] == builtin_template("TextMultiClass")


def test_a_posted_template_is_rendered_into_the_frame():
    requester = MembershipFactory(role=Role.REQUESTER)

    response = signed_in(requester).post(
        preview_url(requester),
        {"builtin": "custom", "template": "<p>{{ task.input.a }}</p>", "input": '{"a": 1}'},
    )

    assert response.status_code == 200
    frame = Client().get(response.context["frame_url"])
    assert "<p>1</p>" in frame.content.decode()


@pytest.mark.parametrize(
    ("template", "raw_input", "error"),
    [
        ("{% if %}", "{}", "Line 1: missing expression (in: {% if %})"),
        (
            "x",
            "{nope",
            "The input is not JSON: Expecting property name enclosed in double quotes (line 1).",
        ),
        ("x", "[]", "The input must be a JSON object."),
    ],
)
def test_a_rejected_preview_re_renders_with_400_and_the_reason(template, raw_input, error):
    requester = MembershipFactory(role=Role.REQUESTER)

    response = signed_in(requester).post(
        preview_url(requester), {"builtin": "custom", "template": template, "input": raw_input}
    )

    assert response.status_code == 400
    assert response.context["error"] == error
    assert response.context["frame_url"] == ""
    assert response.context["source"] == template


def test_workers_may_not_open_the_preview():
    worker = MembershipFactory(role=Role.WORKER)
    assert signed_in(worker).get(preview_url(worker)).status_code == 403


def test_the_preview_page_is_404_to_another_organization():
    requester = MembershipFactory(role=Role.REQUESTER)
    outsider = MembershipFactory(role=Role.OWNER)
    assert signed_in(outsider).get(preview_url(requester)).status_code == 404
    response = signed_in(outsider).post(preview_url(requester), {"template": "x", "input": "{}"})
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in():
    requester = MembershipFactory(role=Role.REQUESTER)
    response = Client().get(preview_url(requester))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
