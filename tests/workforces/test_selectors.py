import pytest

from apps.accounts.models import Membership, Role
from apps.workforces import services
from apps.workforces.models import Workforce, Workteam
from apps.workforces.selectors import (
    anonymized_worker_id,
    worker_may_work_on,
    workforce_ip_allowed,
    workteam_eligible_workers,
    workteams_for_worker,
)
from tests.factories import MembershipFactory, UserFactory
from tests.workforces.helpers import (
    private_team,
    public_team,
    public_worker,
    subscribed_vendor_team,
    vendor_with_team,
    worker_of,
)

pytestmark = pytest.mark.django_db


def names(queryset) -> list[str]:
    return [team.name for team in queryset]


def test_private_member_sees_only_the_teams_they_are_in(owner):
    worker = worker_of(owner.organization)
    mine = private_team(owner, "mine", members=[worker])
    private_team(owner, "others", members=[worker_of(owner.organization)])

    assert list(workteams_for_worker(user=worker)) == [mine]
    assert worker_may_work_on(user=worker, workteam=mine)


def test_a_removed_member_of_the_organization_loses_its_teams(owner):
    worker = worker_of(owner.organization)
    team = private_team(owner, members=[worker])

    Membership.objects.filter(user=worker, organization=owner.organization).delete()

    assert list(workteams_for_worker(user=worker)) == []
    assert not worker_may_work_on(user=worker, workteam=team)


def test_a_member_demoted_to_a_non_working_role_loses_its_teams(owner):
    worker = worker_of(owner.organization)
    private_team(owner, members=[worker])

    Membership.objects.filter(user=worker).update(role=Role.REVIEWER)

    assert list(workteams_for_worker(user=worker)) == []


def test_blocked_worker_loses_that_organizations_work_only(owner):
    other_owner = MembershipFactory()
    worker = public_worker()
    team_a = public_team(owner, "crowd-a")
    team_b = public_team(other_owner, "crowd-b")

    block = services.worker_block_create(
        organization=owner.organization, user=worker, reason="spam answers", actor=owner.user
    )

    assert list(workteams_for_worker(user=worker)) == [team_b]
    assert not worker_may_work_on(user=worker, workteam=team_a)
    services.worker_block_lift(block=block, actor=owner.user)
    assert set(workteams_for_worker(user=worker)) == {team_a, team_b}


def test_suspended_worker_gets_no_work_anywhere(owner, admin_user):
    worker = worker_of(owner.organization)
    services.worker_profile_update(user=worker, is_public_crowd=True)
    private_team(owner, members=[worker])
    public_team(owner)

    services.worker_suspend(user=worker, reason="fraud", actor=admin_user)

    assert list(workteams_for_worker(user=worker)) == []
    services.worker_unsuspend(user=worker, actor=admin_user)
    assert len(workteams_for_worker(user=worker)) == 2


def test_public_work_needs_the_opt_in(owner):
    team = public_team(owner)
    not_opted_in = UserFactory()
    opted_in = public_worker()

    assert list(workteams_for_worker(user=not_opted_in)) == []
    assert list(workteams_for_worker(user=opted_in)) == [team]


def test_required_qualifications_must_all_be_held_and_not_revoked(owner):
    spanish = services.qualification_create(
        organization=owner.organization, name="Spanish", actor=owner.user
    )
    sentiment = services.qualification_create(
        organization=owner.organization, name="Sentiment", actor=owner.user
    )
    team = public_team(owner, qualification_ids=[spanish.pk, sentiment.pk])
    worker = public_worker()

    assert list(workteams_for_worker(user=worker)) == []
    services.qualification_grant(qualification=spanish, user=worker, actor=owner.user)
    assert list(workteams_for_worker(user=worker)) == []
    grant = services.qualification_grant(qualification=sentiment, user=worker, actor=owner.user)
    assert list(workteams_for_worker(user=worker)) == [team]
    services.qualification_grant_revoke(grant=grant, actor=owner.user)
    assert list(workteams_for_worker(user=worker)) == []


def test_vendor_worker_sees_routed_work_only_while_the_subscription_is_active(owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    requester_team, subscription = subscribed_vendor_team(owner, vendor_owner, vendor_team)

    assert set(workteams_for_worker(user=vendor_worker)) == {vendor_team, requester_team}
    services.vendor_subscription_cancel(subscription=subscription, actor=owner.user)
    assert list(workteams_for_worker(user=vendor_worker)) == [vendor_team]


def test_a_vendors_worker_never_sees_another_vendors_work(owner):
    vendor_a, team_a, (worker_a,) = vendor_with_team("Vendor A")
    vendor_b, team_b, (worker_b,) = vendor_with_team("Vendor B")
    work_a, _ = subscribed_vendor_team(owner, vendor_a, team_a, name="work-a")
    work_b, _ = subscribed_vendor_team(owner, vendor_b, team_b, name="work-b")

    assert set(workteams_for_worker(user=worker_a)) == {team_a, work_a}
    assert set(workteams_for_worker(user=worker_b)) == {team_b, work_b}
    assert not worker_may_work_on(user=worker_a, workteam=work_b)


def test_vendor_workers_not_routed_do_not_see_the_subscribers_work(owner):
    vendor_owner, routed, _ = vendor_with_team()
    other_team = services.workteam_create(
        organization=vendor_owner.organization, name="bench", kind="vendor", actor=vendor_owner.user
    )
    bench_worker = worker_of(vendor_owner.organization)
    services.workteam_member_add(workteam=other_team, user=bench_worker, actor=vendor_owner.user)
    work, _ = subscribed_vendor_team(owner, vendor_owner, routed)

    assert list(workteams_for_worker(user=bench_worker)) == [other_team]
    assert not worker_may_work_on(user=bench_worker, workteam=work)


def test_requester_block_applies_to_vendor_workers(owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    work, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team)

    services.worker_block_create(
        organization=owner.organization, user=vendor_worker, reason="low quality", actor=owner.user
    )

    assert list(workteams_for_worker(user=vendor_worker)) == [vendor_team]


def test_eligible_workers_follow_the_same_rule(owner):
    in_team, outside = worker_of(owner.organization), worker_of(owner.organization)
    blocked = worker_of(owner.organization)
    team = private_team(owner, members=[in_team, blocked])
    services.worker_block_create(
        organization=owner.organization, user=blocked, reason="x", actor=owner.user
    )

    assert list(workteam_eligible_workers(workteam=team)) == [in_team]
    assert outside not in workteam_eligible_workers(workteam=team)


def test_eligible_workers_of_public_and_vendor_teams(owner):
    crowd = public_team(owner)
    opted = public_worker()
    UserFactory()  # not opted in
    vendor_owner, vendor_team, vendor_workers = vendor_with_team(workers=2)
    work, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team)

    assert list(workteam_eligible_workers(workteam=crowd)) == [opted]
    assert list(workteam_eligible_workers(workteam=work)) == vendor_workers


def test_anonymized_ids_are_stable_per_organization_and_differ_between_them(owner):
    other = MembershipFactory().organization
    worker = UserFactory()

    first = anonymized_worker_id(user=worker, organization=owner.organization)

    assert first == anonymized_worker_id(user=worker, organization=owner.organization)
    assert first != anonymized_worker_id(user=worker, organization=other)
    assert first.startswith("W") and len(first) == 25
    assert str(worker.pk) not in first[1:] or len(str(worker.pk)) < 3
    assert worker.email not in first


def test_anonymized_ids_depend_on_the_server_key(owner, settings):
    worker = UserFactory()
    before = anonymized_worker_id(user=worker, organization=owner.organization)

    settings.ENCRYPTION_KEY = "another-key"

    assert anonymized_worker_id(user=worker, organization=owner.organization) != before


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("203.0.113.9", True),
        ("203.0.114.1", False),
        ("2001:db8:1::5", True),
        ("2001:db9::1", False),
        ("::ffff:203.0.113.9", True),  # IPv4-mapped IPv6 counts as its IPv4 form
        ("", False),
        ("not-an-ip", False),
        (None, False),
    ],
)
def test_workforce_ip_allowed(owner, address, allowed):
    workforce = services.workforce_private_ensure(organization=owner.organization)
    services.workforce_update_source_cidrs(
        workforce=workforce, cidrs=["203.0.113.0/24", "2001:db8:1::/48"], actor=owner.user
    )
    workforce.refresh_from_db()

    assert workforce_ip_allowed(workforce=workforce, address=address) is allowed


def test_workforce_without_ranges_allows_every_address(owner):
    workforce = services.workforce_private_ensure(organization=owner.organization)

    assert workforce_ip_allowed(workforce=workforce, address="198.51.100.1")


def test_worker_may_work_on_checks_the_address_when_given(owner):
    worker = worker_of(owner.organization)
    team = private_team(owner, members=[worker])
    services.workforce_update_source_cidrs(
        workforce=team.workforce, cidrs=["10.1.0.0/16"], actor=owner.user
    )

    assert worker_may_work_on(user=worker, workteam=team)
    assert worker_may_work_on(user=worker, workteam=team, address="10.1.2.3")
    assert not worker_may_work_on(user=worker, workteam=team, address="10.2.0.1")


def test_one_public_workforce_per_deployment(owner):
    first = public_team(owner, "one").workforce
    second = public_team(MembershipFactory(), "two").workforce

    assert first == second
    assert Workforce.global_objects.filter(kind="public").count() == 1
    assert first.organization.slug == "platform"


def test_workteams_for_worker_query_count_is_constant(owner, django_assert_num_queries):
    worker = worker_of(owner.organization)
    services.worker_profile_update(user=worker, is_public_crowd=True)
    for index in range(5):
        private_team(owner, f"team-{index}", members=[worker])
    public_team(owner)

    # profile, then one query for the teams with their organization and workforce
    with django_assert_num_queries(2):
        teams = list(workteams_for_worker(user=worker))

    assert len(teams) == 6
    assert {team.workforce.kind for team in teams} == {"private", "public"}
    assert Workteam.global_objects.count() == 6


def test_deactivated_accounts_get_no_work(owner):
    worker = worker_of(owner.organization)
    private_team(owner, members=[worker])

    worker.is_active = False
    worker.save(update_fields=["is_active"])

    assert list(workteams_for_worker(user=worker)) == []


def test_a_vendors_internal_team_member_must_still_work_for_the_vendor(owner):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    work, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team)

    Membership.objects.filter(user=vendor_worker, organization=vendor_owner.organization).delete()

    assert list(workteams_for_worker(user=vendor_worker)) == []
    assert not worker_may_work_on(user=vendor_worker, workteam=work)
