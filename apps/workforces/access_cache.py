"""Who may work where, remembered between requests.

`workteams_for_worker` is the one rule; the worker pages and the queue ask it on every
request, and its query costs about 5 ms of ORM work, more than the queue's own claim. So its
answer is cached per person under a generation token. Any committed change to a table the
rule reads starts a new generation, and an answer cached under an older one is recomputed:
- instance saves and deletes (queryset deletes too) of those models are caught by signals,
  so services, the admin and the shell all count;
- services that change them with `QuerySet.update` or `bulk_create`, which send no signals,
  call `work_access_changed()` themselves.

The generation is read before the rule's query and stored with its answer. A change sets a
new generation at once (so the changing transaction reads its own change) and again after
it commits: a reader that ran between the two saw the old data and filed it under the first
new generation, which the second one retires.
"""

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from apps.accounts.models import Membership, User
from apps.workforces.models import (
    QualificationGrant,
    VendorRoute,
    VendorSubscription,
    WorkerBlock,
    WorkerProfile,
    Workforce,
    Workteam,
    WorkteamMember,
    WorkteamRequirement,
)
from apps.workforces.selectors import workteams_for_worker

GENERATION_KEY = "workforces:access-generation"
TEAMS_KEY = "workforces:work-teams:{user_id}"
TEAMS_TIMEOUT = 600  # seconds; only bounds memory, correctness comes from the generation

ACCESS_MODELS = (
    User,
    Membership,
    WorkerProfile,
    WorkerBlock,
    Workforce,
    Workteam,
    WorkteamMember,
    WorkteamRequirement,
    QualificationGrant,
    VendorSubscription,
    VendorRoute,
)


def work_teams_cached(*, user: User) -> list[Workteam]:
    """`workteams_for_worker(user=user)` as a list, from the cache while still current."""
    key = TEAMS_KEY.format(user_id=user.pk)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:  # first use, or evicted: start one (a concurrent starter wins)
        cache.add(GENERATION_KEY, uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    cached = found.get(key)
    if cached is not None and cached[0] == generation:
        return cached[1]
    teams = list(workteams_for_worker(user=user))
    cache.set(key, (generation, teams), timeout=TEAMS_TIMEOUT)
    return teams


def work_access_changed() -> None:
    """Every cached answer is stale, now and once the current transaction commits."""
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid4().hex, timeout=None)


def _on_access_model_change(sender, **kwargs) -> None:
    work_access_changed()


def connect_signals() -> None:
    for model in ACCESS_MODELS:
        post_save.connect(_on_access_model_change, sender=model, dispatch_uid=f"access-{model}")
        post_delete.connect(_on_access_model_change, sender=model, dispatch_uid=f"access-{model}")
