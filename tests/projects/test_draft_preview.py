"""The live worker-UI preview of the new-project form: POST projects/preview/."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory
from tests.tenancy import assert_other_organization_gets_404
from tests.work import dataset_of_texts

pytestmark = pytest.mark.django_db


def preview_url(organization) -> str:
    return reverse("project-draft-preview", args=[organization.slug])


def draft(dataset, **changes) -> dict:
    return {
        "dataset": dataset.id,
        "task_type": "text_classification",
        "labels": [{"label": "joy", "description": "Happy"}, {"label": "anger"}],
        "short_instructions": "<p>Pick the <b>feeling</b>.</p>",
        **changes,
    }


def test_the_draft_renders_with_the_datasets_first_item_and_its_labels(owner, owner_client):
    dataset = dataset_of_texts(owner, ["first review", "second review"])

    response = owner_client.post(preview_url(owner.organization), draft(dataset), format="json")

    assert response.status_code == 200
    rendered = response.json()["rendered"]
    assert "first review" in rendered and "second review" not in rendered
    assert "joy" in rendered and "anger" in rendered
    assert "Pick the <b>feeling</b>." in rendered
    assert response.json()["frame_url"].startswith("/task-frame/")


def test_a_custom_template_renders_instead_of_the_builtin_one(owner, owner_client):
    dataset = dataset_of_texts(owner, ["hello"])
    template = "<crowd-form><p id='x'>{{ task.input.source | upcase }}</p></crowd-form>"

    response = owner_client.post(
        preview_url(owner.organization),
        draft(dataset, task_type="custom", labels=[], ui_template=template),
        format="json",
    )

    assert response.status_code == 200
    assert "<p id='x'>HELLO</p>" in response.json()["rendered"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"labels": []}, "labels", "This task type needs at least one label."),
        ({"labels": [{"label": "x" * 17}]}, "labels", "must have 1 to 16 characters"),
        ({"task_type": "juggling"}, "task_type", "Unknown task type 'juggling'."),
        ({"ui_template": "<p>{% if %}</p>"}, "template", "Line 1: missing expression"),
    ],
)
def test_bad_drafts_get_a_400_naming_the_problem(owner, owner_client, changes, field, message):
    dataset = dataset_of_texts(owner, ["hello"])

    response = owner_client.post(
        preview_url(owner.organization), draft(dataset, **changes), format="json"
    )

    assert response.status_code == 400
    assert message in " ".join(response.json()["details"][field])


def test_a_dataset_without_items_cannot_be_previewed(owner, owner_client):
    dataset = dataset_of_texts(owner, [])

    response = owner_client.post(preview_url(owner.organization), draft(dataset), format="json")

    assert response.status_code == 404
    assert response.json()["message"] == "The dataset has no items to preview with."


def test_another_organizations_dataset_is_a_404(owner, api_client):
    dataset = dataset_of_texts(owner, ["secret text"])
    outsider = MembershipFactory()
    api_client.force_authenticate(outsider.user)

    response = api_client.post(preview_url(outsider.organization), draft(dataset), format="json")

    assert response.status_code == 404
    assert "secret text" not in response.content.decode()
    assert_other_organization_gets_404(
        preview_url(owner.organization), method="post", data=draft(dataset)
    )


def test_workers_may_not_preview_drafts(owner, api_client):
    dataset = dataset_of_texts(owner, ["hello"])
    worker = MembershipFactory(organization=owner.organization, role="worker")
    api_client.force_authenticate(worker.user)

    response = api_client.post(preview_url(owner.organization), draft(dataset), format="json")

    assert response.status_code == 403
