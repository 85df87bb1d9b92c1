"""The cached answer of `workteams_for_worker` must follow every change of who may work."""

import pytest
from django.core.cache import cache

from apps.accounts import services as account_services
from apps.accounts.models import Membership, Role
from apps.workforces import access_cache, services
from apps.workforces.access_cache import work_teams_cached
from apps.workforces.models import WorkteamMember
from tests.workforces.helpers import (
    private_team,
    public_team,
    public_worker,
    subscribed_vendor_team,
    vendor_with_team,
    worker_of,
)

pytestmark = pytest.mark.django_db


def test_the_answer_is_served_from_the_cache_until_access_changes(
    owner, django_assert_num_queries, django_capture_on_commit_callbacks
):
    worker = worker_of(owner.organization)
    team = private_team(owner, members=[worker])
    assert work_teams_cached(user=worker) == [team]

    with django_assert_num_queries(0):
        assert work_teams_cached(user=worker) == [team]

    with django_capture_on_commit_callbacks(execute=True):
        other = private_team(owner, "second", members=[worker])
    assert work_teams_cached(user=worker) == [team, other]


def _remove_from_team(owner, worker, team):
    member = WorkteamMember.objects.get(workteam=team, user=worker)
    services.workteam_member_remove(member=member, actor=owner.user)


def _demote(owner, worker, team):
    membership = Membership.objects.get(user=worker, organization=owner.organization)
    account_services.membership_change_role(
        membership=membership, role=Role.REVIEWER, actor=owner.user, actor_role=Role.OWNER
    )


def _remove_from_organization(owner, worker, team):
    membership = Membership.objects.get(user=worker, organization=owner.organization)
    account_services.membership_remove(
        membership=membership, actor=owner.user, actor_role=Role.OWNER
    )


def _block(owner, worker, team):
    services.worker_block_create(
        organization=owner.organization, user=worker, reason="spam", actor=owner.user
    )


def _require_a_qualification(owner, worker, team):
    qualification = services.qualification_create(
        organization=owner.organization, name="Spanish", actor=owner.user
    )
    services.workteam_update(workteam=team, actor=owner.user, qualification_ids=[qualification.pk])


def _deactivate(owner, worker, team):
    worker.is_active = False
    worker.save(update_fields=["is_active"])


@pytest.mark.parametrize(
    "change",
    [
        _remove_from_team,
        _demote,
        _remove_from_organization,
        _block,
        _require_a_qualification,
        _deactivate,
    ],
)
def test_losing_access_to_a_private_team_reaches_the_cache(
    owner, change, django_capture_on_commit_callbacks
):
    worker = worker_of(owner.organization)
    team = private_team(owner, members=[worker])
    assert work_teams_cached(user=worker) == [team]

    with django_capture_on_commit_callbacks(execute=True):
        change(owner, worker, team)

    assert work_teams_cached(user=worker) == []


def test_suspension_and_its_end_reach_the_cache(
    owner, admin_user, django_capture_on_commit_callbacks
):
    worker = public_worker()
    team = public_team(owner)
    assert work_teams_cached(user=worker) == [team]

    with django_capture_on_commit_callbacks(execute=True):
        services.worker_suspend(user=worker, reason="fraud", actor=admin_user)
    assert work_teams_cached(user=worker) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.worker_unsuspend(user=worker, actor=admin_user)
    assert work_teams_cached(user=worker) == [team]


def test_a_lifted_block_and_a_revoked_qualification_reach_the_cache(
    owner, django_capture_on_commit_callbacks
):
    spanish = services.qualification_create(
        organization=owner.organization, name="Spanish", actor=owner.user
    )
    team = public_team(owner, qualification_ids=[spanish.pk])
    worker = public_worker()
    grant = services.qualification_grant(qualification=spanish, user=worker, actor=owner.user)
    block = services.worker_block_create(
        organization=owner.organization, user=worker, reason="spam", actor=owner.user
    )
    assert work_teams_cached(user=worker) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.worker_block_lift(block=block, actor=owner.user)
    assert work_teams_cached(user=worker) == [team]

    with django_capture_on_commit_callbacks(execute=True):
        services.qualification_grant_revoke(grant=grant, actor=owner.user)
    assert work_teams_cached(user=worker) == []


def test_public_crowd_opt_out_reaches_the_cache(owner, django_capture_on_commit_callbacks):
    worker = public_worker()
    team = public_team(owner)
    assert work_teams_cached(user=worker) == [team]

    with django_capture_on_commit_callbacks(execute=True):
        services.worker_profile_update(user=worker, is_public_crowd=False)

    assert work_teams_cached(user=worker) == []


def test_vendor_routes_and_cancelled_subscriptions_reach_the_cache(
    owner, django_capture_on_commit_callbacks
):
    vendor_owner, vendor_team, (vendor_worker,) = vendor_with_team()
    work, subscription = subscribed_vendor_team(owner, vendor_owner, vendor_team)
    assert set(work_teams_cached(user=vendor_worker)) == {vendor_team, work}

    with django_capture_on_commit_callbacks(execute=True):
        services.vendor_routes_set(subscription=subscription, team_ids=[], actor=vendor_owner.user)
    assert work_teams_cached(user=vendor_worker) == [vendor_team]

    with django_capture_on_commit_callbacks(execute=True):
        services.vendor_routes_set(
            subscription=subscription, team_ids=[vendor_team.pk], actor=vendor_owner.user
        )
    assert set(work_teams_cached(user=vendor_worker)) == {vendor_team, work}

    with django_capture_on_commit_callbacks(execute=True):
        services.vendor_subscription_cancel(subscription=subscription, actor=owner.user)
    assert work_teams_cached(user=vendor_worker) == [vendor_team]


def test_a_change_moves_the_generation_at_once_and_again_on_commit(
    owner, django_capture_on_commit_callbacks
):
    """At once, so the changing transaction reads its own change; on commit, to retire any
    answer a concurrent reader computed from the old data in between."""
    worker = worker_of(owner.organization)
    private_team(owner, members=[worker])
    work_teams_cached(user=worker)
    before = cache.get(access_cache.GENERATION_KEY)

    with django_capture_on_commit_callbacks() as on_commit:
        services.worker_block_create(
            organization=owner.organization, user=worker, reason="spam", actor=owner.user
        )
        during = cache.get(access_cache.GENERATION_KEY)
        assert work_teams_cached(user=worker) == []
    for callback in on_commit:
        callback()

    assert len({before, during, cache.get(access_cache.GENERATION_KEY)}) == 3


def test_an_answer_computed_across_a_change_is_recomputed(owner, monkeypatch):
    """A change that commits while the rule is being computed must not be hidden: the
    answer is filed under the generation read before the query, which is then outdated."""
    worker = worker_of(owner.organization)
    team = private_team(owner, members=[worker])
    rule = access_cache.workteams_for_worker
    calls = []

    def rule_with_a_change_committing_during_the_first_call(*, user):
        calls.append(user)
        teams = list(rule(user=user))
        if len(calls) == 1:
            cache.set(access_cache.GENERATION_KEY, "a change committed meanwhile")
        return teams

    monkeypatch.setattr(
        access_cache, "workteams_for_worker", rule_with_a_change_committing_during_the_first_call
    )

    assert work_teams_cached(user=worker) == [team]
    assert work_teams_cached(user=worker) == [team]
    assert calls == [worker, worker]


def test_an_evicted_generation_invalidates_every_cached_answer(owner):
    worker = worker_of(owner.organization)
    private_team(owner, members=[worker])
    work_teams_cached(user=worker)
    key = access_cache.TEAMS_KEY.format(user_id=worker.pk)
    old_generation = cache.get(key)[0]

    cache.delete(access_cache.GENERATION_KEY)
    work_teams_cached(user=worker)

    assert cache.get(key)[0] == cache.get(access_cache.GENERATION_KEY) != old_generation
