import pytest
from django.urls import reverse

from apps.workforces import services
from apps.workforces.models import WorkerBlock
from apps.workforces.selectors import workteams_for_worker
from tests.tenancy import assert_other_organization_gets_404
from tests.workforces.helpers import public_team, public_worker

pytestmark = pytest.mark.django_db


def blocks_url(organization) -> str:
    return reverse("worker-block-list", kwargs={"org_slug": organization.slug})


def block_url(block) -> str:
    return reverse(
        "worker-block-detail", kwargs={"org_slug": block.organization.slug, "block_id": block.pk}
    )


def shown_worker(owner):
    worker = public_worker()
    return worker, services.worker_pseudonym_record(user=worker, organization=owner.organization)


def test_block_by_worker_id_keeps_them_off_the_organizations_work(owner_client, owner):
    team = public_team(owner)
    worker, worker_id = shown_worker(owner)

    response = owner_client.post(
        blocks_url(owner.organization), {"worker_id": worker_id, "reason": "spam"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["worker_id"] == worker_id
    assert response.json()["reason"] == "spam"
    assert worker.email not in response.content.decode()
    assert team not in workteams_for_worker(user=worker)


@pytest.mark.parametrize(
    "payload",
    [
        {"worker_id": "WNOSUCHWORKER0000000000000", "reason": "x"},
        {"reason": "no worker named"},
        {"worker_id": "placeholder", "reason": ""},
    ],
)
def test_bad_block_input_writes_nothing(owner_client, owner, payload):
    _, worker_id = shown_worker(owner)
    if payload.get("worker_id") == "placeholder":
        payload = {**payload, "worker_id": worker_id}

    response = owner_client.post(blocks_url(owner.organization), payload, format="json")

    assert response.status_code == 400
    assert not WorkerBlock.objects.exists()


def test_blocking_twice_is_a_conflict_and_lifting_restores_work(owner_client, owner):
    team = public_team(owner)
    worker, worker_id = shown_worker(owner)
    payload = {"worker_id": worker_id, "reason": "spam"}

    first = owner_client.post(blocks_url(owner.organization), payload, format="json")
    second = owner_client.post(blocks_url(owner.organization), payload, format="json")
    block = WorkerBlock.objects.get()
    lifted = owner_client.delete(block_url(block))

    assert (first.status_code, second.status_code, lifted.status_code) == (201, 409, 200)
    assert lifted.json()["lifted_at"] is not None
    assert list(workteams_for_worker(user=worker)) == [team]
    assert owner_client.get(blocks_url(owner.organization)).json()["results"] == []


def test_block_endpoints_return_404_to_another_organization(owner):
    worker, _ = shown_worker(owner)
    block = services.worker_block_create(
        organization=owner.organization, user=worker, reason="spam", actor=owner.user
    )

    assert_other_organization_gets_404(blocks_url(owner.organization))
    assert_other_organization_gets_404(
        blocks_url(owner.organization),
        method="post",
        data={"user_id": worker.pk, "reason": "x"},
        unchanged=[WorkerBlock.objects.all()],
    )
    assert_other_organization_gets_404(block_url(block))
    assert_other_organization_gets_404(
        block_url(block), method="delete", unchanged=[WorkerBlock.objects.all()]
    )
