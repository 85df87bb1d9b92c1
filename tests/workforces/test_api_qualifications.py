import pytest
from django.urls import reverse

from apps.workforces import services
from apps.workforces.models import (
    Qualification,
    QualificationGrant,
    QualificationTestAttempt,
    QualificationTestItem,
)
from apps.workforces.selectors import anonymized_worker_id, workteams_for_worker
from tests.factories import MembershipFactory, UserFactory
from tests.tenancy import assert_other_organization_gets_404
from tests.workforces.helpers import public_team, public_worker, worker_of

pytestmark = pytest.mark.django_db


def list_url(organization) -> str:
    return reverse("qualification-list", kwargs={"org_slug": organization.slug})


def detail_url(qualification) -> str:
    return reverse(
        "qualification-detail",
        kwargs={"org_slug": qualification.organization.slug, "qualification_id": qualification.pk},
    )


def grants_url(qualification) -> str:
    return reverse(
        "qualification-grant-list",
        kwargs={"org_slug": qualification.organization.slug, "qualification_id": qualification.pk},
    )


def grant_url(grant) -> str:
    return reverse(
        "qualification-grant-detail",
        kwargs={
            "org_slug": grant.qualification.organization.slug,
            "qualification_id": grant.qualification_id,
            "grant_id": grant.pk,
        },
    )


def items_url(qualification) -> str:
    return reverse(
        "qualification-test-item-list",
        kwargs={"org_slug": qualification.organization.slug, "qualification_id": qualification.pk},
    )


def worker_test_url(qualification) -> str:
    return reverse(
        "work-qualification-test",
        kwargs={"org_slug": qualification.organization.slug, "qualification_id": qualification.pk},
    )


def make(owner, name="Spanish sentiment", **kwargs) -> Qualification:
    return services.qualification_create(
        organization=owner.organization, name=name, actor=owner.user, **kwargs
    )


def test_create_and_list(owner_client, owner):
    created = owner_client.post(
        list_url(owner.organization),
        {"name": "Spanish sentiment", "pass_score": "0.8"},
        format="json",
    )
    listed = owner_client.get(list_url(owner.organization))

    assert created.status_code == 201
    assert created.json()["pass_score"] == "0.800"
    assert [row["name"] for row in listed.json()["results"]] == ["Spanish sentiment"]


@pytest.mark.parametrize("payload", [{"name": ""}, {"name": "x", "pass_score": "1.5"}])
def test_bad_qualification_input_writes_nothing(owner_client, owner, payload):
    response = owner_client.post(list_url(owner.organization), payload, format="json")

    assert response.status_code == 400
    assert not Qualification.objects.exists()


def test_duplicate_name_is_a_conflict(owner_client, owner):
    make(owner)

    response = owner_client.post(
        list_url(owner.organization), {"name": "Spanish sentiment"}, format="json"
    )

    assert response.status_code == 409
    assert Qualification.objects.count() == 1


def test_grant_by_anonymized_id_shows_only_that_id(owner_client, owner):
    qualification = make(owner)
    worker = public_worker()
    services.worker_pseudonym_record(user=worker, organization=owner.organization)
    worker_id = anonymized_worker_id(user=worker, organization=owner.organization)

    response = owner_client.post(grants_url(qualification), {"worker_id": worker_id}, format="json")
    listed = owner_client.get(grants_url(qualification))

    assert response.status_code == 201
    assert response.json()["worker_id"] == worker_id
    assert listed.json()["results"][0]["worker_id"] == worker_id
    assert worker.email not in listed.content.decode()


def test_grant_to_an_unknown_worker_id_is_refused(owner_client, owner):
    qualification = make(owner)
    stranger = UserFactory()  # never shown to this organization
    other = MembershipFactory().organization
    services.worker_pseudonym_record(user=stranger, organization=other)

    response = owner_client.post(
        grants_url(qualification),
        {"worker_id": anonymized_worker_id(user=stranger, organization=other)},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["worker_id"]
    assert not QualificationGrant.objects.exists()


def test_grant_to_own_member_by_user_id_then_revoke(owner_client, owner):
    qualification = make(owner)
    worker = worker_of(owner.organization)

    granted = owner_client.post(grants_url(qualification), {"user_id": worker.pk}, format="json")
    twice = owner_client.post(grants_url(qualification), {"user_id": worker.pk}, format="json")
    grant = QualificationGrant.objects.get()
    revoked = owner_client.delete(grant_url(grant))

    assert (granted.status_code, twice.status_code, revoked.status_code) == (201, 409, 200)
    assert revoked.json()["revoked_at"] is not None
    assert owner_client.get(grants_url(qualification)).json()["results"] == []


def test_qualification_test_grants_on_pass(owner_client, owner, api_client):
    qualification = make(owner, pass_score="0.5")
    team = public_team(owner, qualification_ids=[qualification.pk])
    for text, label in [("¡Genial!", "positive"), ("Horrible", "negative")]:
        response = owner_client.post(
            items_url(qualification),
            {"input": {"source": text}, "expected_answer": {"label": label}},
            format="json",
        )
        assert response.status_code == 201
    items = list(QualificationTestItem.objects.order_by("position"))
    worker = public_worker()
    api_client.force_authenticate(worker)

    shown = api_client.get(worker_test_url(qualification))
    submitted = api_client.post(
        worker_test_url(qualification),
        {"answers": {str(items[0].pk): {"label": "positive"}, str(items[1].pk): {"label": "x"}}},
        format="json",
    )

    assert [row["input"] for row in shown.json()["results"]] == [
        {"source": "¡Genial!"},
        {"source": "Horrible"},
    ]
    assert "expected_answer" not in shown.content.decode()
    assert submitted.status_code == 201
    assert (submitted.json()["score"], submitted.json()["is_passed"]) == ("0.500", True)
    assert QualificationGrant.objects.get().source == "test"
    assert list(workteams_for_worker(user=worker)) == [team]


def test_failed_test_without_retakes_cannot_be_taken_again(owner, api_client):
    qualification = make(owner, pass_score="1")
    public_team(owner, qualification_ids=[qualification.pk])
    services.qualification_test_item_add(
        qualification=qualification, input={"source": "a"}, expected_answer="yes", actor=owner.user
    )
    worker = public_worker()
    api_client.force_authenticate(worker)

    failed = api_client.post(worker_test_url(qualification), {"answers": {}}, format="json")
    again = api_client.post(worker_test_url(qualification), {"answers": {}}, format="json")

    assert failed.json()["is_passed"] is False
    assert again.status_code == 409
    assert QualificationTestAttempt.objects.count() == 1
    assert not QualificationGrant.objects.exists()


def test_qualification_without_a_test_is_404_to_workers(owner, api_client):
    qualification = make(owner)  # manual only
    api_client.force_authenticate(public_worker())

    assert api_client.get(worker_test_url(qualification)).status_code == 404


def test_worker_role_cannot_grant(api_client, owner):
    qualification = make(owner)
    worker = worker_of(owner.organization)
    api_client.force_authenticate(worker)

    response = api_client.post(grants_url(qualification), {"user_id": worker.pk}, format="json")

    assert response.status_code == 403
    assert not QualificationGrant.objects.exists()


def test_delete_is_refused_while_a_team_requires_it(owner_client, owner):
    qualification = make(owner)
    public_team(owner, qualification_ids=[qualification.pk])

    response = owner_client.delete(detail_url(qualification))

    assert response.status_code == 409
    assert Qualification.objects.count() == 1


def test_every_qualification_endpoint_returns_404_to_another_organization(owner):
    qualification = make(owner, pass_score="0.5")
    worker = worker_of(owner.organization)
    grant = services.qualification_grant(qualification=qualification, user=worker, actor=owner.user)
    unchanged = [
        Qualification.objects.all(),
        QualificationGrant.objects.all(),
        QualificationTestItem.objects.all(),
    ]

    assert_other_organization_gets_404(list_url(owner.organization))
    assert_other_organization_gets_404(detail_url(qualification))
    assert_other_organization_gets_404(
        detail_url(qualification), method="patch", data={"description": "x"}, unchanged=unchanged
    )
    assert_other_organization_gets_404(
        detail_url(qualification), method="delete", unchanged=unchanged
    )
    assert_other_organization_gets_404(grants_url(qualification))
    assert_other_organization_gets_404(
        grants_url(qualification), method="post", data={"user_id": worker.pk}, unchanged=unchanged
    )
    assert_other_organization_gets_404(grant_url(grant), method="delete", unchanged=unchanged)
    assert_other_organization_gets_404(items_url(qualification))
    assert_other_organization_gets_404(
        items_url(qualification),
        method="post",
        data={"input": {}, "expected_answer": 1},
        unchanged=unchanged,
    )


def test_test_items_of_a_private_organization_are_hidden_from_strangers(owner, api_client):
    qualification = make(owner, pass_score="0.5")
    services.qualification_test_item_add(
        qualification=qualification, input={"source": "secret"}, expected_answer=1, actor=owner.user
    )
    api_client.force_authenticate(public_worker())  # in the crowd, but no team needs it

    shown = api_client.get(worker_test_url(qualification))
    submitted = api_client.post(worker_test_url(qualification), {"answers": {}}, format="json")

    assert (shown.status_code, submitted.status_code) == (404, 404)
    assert not QualificationTestAttempt.objects.exists()


def test_members_of_the_organization_may_take_its_tests(owner, api_client):
    qualification = make(owner, pass_score="0.5")
    services.qualification_test_item_add(
        qualification=qualification, input={"source": "a"}, expected_answer=1, actor=owner.user
    )
    api_client.force_authenticate(worker_of(owner.organization))

    assert api_client.get(worker_test_url(qualification)).status_code == 200


def test_private_members_take_tests_only_from_the_allowed_ranges(owner, api_client):
    qualification = make(owner, pass_score="0.5")
    services.qualification_test_item_add(
        qualification=qualification, input={"source": "a"}, expected_answer=1, actor=owner.user
    )
    workforce = services.workforce_private_ensure(organization=owner.organization)
    services.workforce_update_source_cidrs(
        workforce=workforce, cidrs=["203.0.113.0/24"], actor=owner.user
    )
    api_client.force_authenticate(worker_of(owner.organization))

    outside = api_client.get(
        worker_test_url(qualification),
        REMOTE_ADDR="198.51.100.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    inside = api_client.get(worker_test_url(qualification), REMOTE_ADDR="203.0.113.9")

    assert (outside.status_code, outside.json()["code"]) == (403, "ip_not_allowed")
    assert inside.status_code == 200
