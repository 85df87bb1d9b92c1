import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.accounts.models import Role
from apps.taskui.services import _PREVIEW_PREFIX
from apps.taskui.templating import TEMPLATE_MAX_CHARS
from tests.factories import MembershipFactory, api_credential
from tests.tenancy import assert_other_organization_gets_404

pytestmark = pytest.mark.django_db


def render_url(membership) -> str:
    return reverse("taskui-render", kwargs={"org_slug": membership.organization.slug})


def test_render_returns_the_html_and_a_frame_showing_it(owner_client, owner):
    response = owner_client.post(
        render_url(owner),
        {"template": "<p>{{ task.input.text }}</p>", "input": {"text": "a & b"}},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["rendered"] == "<p>a &amp; b</p>"
    assert body["frame_url"].startswith("/task-frame/")
    frame = owner_client.get(body["frame_url"])
    assert "<p>a &amp; b</p>" in frame.content.decode()


def test_render_accepts_the_input_as_a_json_string_like_render_ui_template(api_client, owner):
    _, bearer = api_credential(owner, role=Role.REQUESTER)
    response = api_client.post(
        render_url(owner),
        {"template": "{{ task.input.n }}", "input": json.dumps({"n": 4})},
        format="json",
        HTTP_AUTHORIZATION=bearer,
    )
    assert response.status_code == 200
    assert response.json()["rendered"] == "4"


def test_a_template_error_is_a_400_naming_the_line(owner_client, owner):
    cache.clear()
    response = owner_client.post(
        render_url(owner),
        {"template": "<p>\n</p>\n{{ task.input | bogus }}", "input": {}},
        format="json",
    )

    assert response.status_code == 400
    message = "Line 3: unknown filter 'bogus' (in: {{ task.input | bogus }})"
    assert response.json() == {
        "code": "template_error",
        "message": message,
        "details": {"template": [message]},
    }
    previews = [key for key in cache._cache if _PREVIEW_PREFIX in key]
    assert previews == []  # nothing stored for a failed render (rate limits may be)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"template": "x", "input": "[1, 2]"},
            "input",
            "Must be a JSON object (it becomes task.input).",
        ),
        (
            {"template": "x", "input": "{oops"},
            "input",
            "Not JSON: Expecting property name enclosed in double quotes (line 1, column 2).",
        ),
        (
            {"template": "x", "input": [1]},
            "input",
            "Must be a JSON object (it becomes task.input).",
        ),
        ({"input": {}}, "template", "This field is required."),
        (
            {"template": "x" * (TEMPLATE_MAX_CHARS + 1), "input": {}},
            "template",
            f"Ensure this field has no more than {TEMPLATE_MAX_CHARS} characters.",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(owner_client, owner, payload, field, message):
    response = owner_client.post(render_url(owner), payload, format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {field: [message]}


def test_a_worker_may_not_render(api_client):
    worker = MembershipFactory(role=Role.WORKER)
    api_client.force_authenticate(worker.user)

    response = api_client.post(render_url(worker), {"template": "x", "input": {}}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_requests_are_refused(api_client, owner):
    response = api_client.post(render_url(owner), {"template": "x", "input": {}}, format="json")
    assert response.status_code in (401, 403)


def test_render_returns_404_to_another_organization(owner):
    assert_other_organization_gets_404(
        render_url(owner), method="post", data={"template": "x", "input": {}}
    )
