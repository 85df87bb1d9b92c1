"""What several benchmarks build before they measure (import after `django.setup()`)."""

import io
import json
import secrets

from apps.accounts.models import Membership, Organization, Role, User
from apps.datasets import services as dataset_services
from apps.datasets.models import Dataset, Storage
from apps.workforces import services as workforce_services
from apps.workforces.models import Workteam


def organization_with_owner(slug_prefix: str = "bench") -> tuple[Organization, User, str]:
    """A fresh organization and its owner; the tag keeps runs apart in one database."""
    tag = secrets.token_hex(3)
    organization = Organization.objects.create(name=f"Bench {tag}", slug=f"{slug_prefix}-{tag}")
    owner = User.objects.create_user(email=f"owner-{tag}@bench.test", password=None)
    Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    return organization, owner, tag


def team_of_workers(
    organization: Organization, owner: User, tag: str, count: int
) -> tuple[Workteam, list[User]]:
    """A private team of `count` new workers of the organization."""
    people = []
    for number in range(count):
        user = User.objects.create_user(email=f"w{number}-{tag}@bench.test", password=None)
        Membership.objects.create(organization=organization, user=user, role=Role.WORKER)
        people.append(user)
    team = workforce_services.workteam_create(
        organization=organization, name="bench", kind="private", actor=owner
    )
    for user in people:
        workforce_services.workteam_member_add(workteam=team, user=user, actor=owner)
    return team, people


def dataset_of_lines(
    organization: Organization,
    owner: User,
    lines: list[dict],
    *,
    name: str,
    storage: Storage | None = None,
) -> Dataset:
    """A dataset holding `lines` (manifest objects), imported in this process."""
    dataset = dataset_services.dataset_create(
        organization=organization, actor=owner, name=name, storage=storage
    )
    manifest = "".join(json.dumps(line) + "\n" for line in lines)
    run = dataset_services.manifest_import_start(
        dataset=dataset,
        actor=owner,
        source="upload",
        upload=io.BytesIO(manifest.encode()),
        enqueue=False,
    )
    dataset_services.manifest_import_run(manifest_import_id=run.id)
    return dataset
