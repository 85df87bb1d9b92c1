"""Writes of the boto3-compatible layer: remembering create calls' answers for retries."""

import json
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.awsapi import jobs
from apps.awsapi.models import Invocation, LabelingJob
from apps.core.errors import Conflict, DomainError
from apps.core.jobs import enqueue_on_commit
from apps.core.services import audit_record
from apps.datasets import services as dataset_services
from apps.datasets.manifest import encode_lines, manifest_lines
from apps.datasets.models import JobStatus, Storage
from apps.datasets.selectors import item_iter_for_export
from apps.datasets.storages import backend_for
from apps.projects import services as project_services
from apps.projects.models import Project
from apps.reviews.models import FlowDefinition
from apps.tasks import services as task_services
from apps.tasks.quality import project_gold_item_ids, project_output_labels
from apps.workforces import services as workforce_services
from apps.workforces.models import Workforce, Workteam
from apps.workforces.selectors import oidc_config_find, workforce_private_find
from apps.workforces.services import workforce_private_ensure

INVOCATION_KEPT_FOR = timedelta(days=1)  # far longer than any SDK's retry window


def invocation_find(
    *, organization: Organization, invocation_id: str, operation: str
) -> dict | None:
    if not invocation_id:
        return None
    return (
        Invocation.objects.filter(
            organization=organization, invocation_id=invocation_id, operation=operation
        )
        .values_list("response", flat=True)
        .first()
    )


def invocation_record(
    *, organization: Organization, invocation_id: str, operation: str, response: dict
) -> None:
    """Inside the create's transaction, so the answer is kept exactly when the create
    committed. A concurrent attempt of the same invocation loses on the unique constraint."""
    if not invocation_id:
        return
    try:
        with transaction.atomic():
            Invocation.objects.create(
                organization=organization,
                invocation_id=invocation_id[:64],
                operation=operation,
                response=response,
            )
    except IntegrityError:
        pass


def invocations_purge(*, now=None) -> int:
    cutoff = (now or timezone.now()) - INVOCATION_KEPT_FOR
    deleted, _ = Invocation.global_objects.filter(created_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def workforce_private_create(*, organization: Organization, name: str, actor: User) -> Workforce:
    """SageMaker's CreateWorkforce: the organization's one private workforce, named.
    (The workforces app creates it lazily as "default" when a first team needs it.)"""
    if workforce_private_find(organization=organization) is not None:
        raise Conflict("This organization already has its private workforce.")
    workforce = workforce_private_ensure(organization=organization)
    workforce = Workforce.objects.select_for_update().get(pk=workforce.pk)
    workforce.name = name
    workforce.save(update_fields=["name", "updated_at"])
    audit_record(
        organization_id=organization.id, actor=actor, action="workforce.created", target=workforce
    )
    return workforce


@transaction.atomic
def workforce_private_delete(*, workforce: Workforce, actor: User) -> None:
    """SageMaker's DeleteWorkforce: refused while teams use it (AWS's ResourceInUse); the
    organization's OIDC settings go with it."""
    workforce = Workforce.objects.select_for_update().get(pk=workforce.pk)
    if workforce.kind != Workforce.Kind.PRIVATE:
        raise DomainError("Only the private workforce can be deleted.")
    if Workteam.objects.filter(workforce=workforce).exists():
        raise Conflict("Workteams use this workforce; delete them first.")
    config = oidc_config_find(organization=workforce.organization)
    if config is not None:
        workforce_services.oidc_config_delete(config=config, actor=actor)
    audit_record(
        organization_id=workforce.organization_id,
        actor=actor,
        action="workforce.deleted",
        target=workforce,
    )
    workforce.delete()


# Labeling jobs: CreateLabelingJob is a dataset imported from the S3 manifest, and a
# Project over it started once the import is done; the output manifest is written to
# <S3OutputPath>/<job name>/manifests/output/output.manifest when the project ends.

MAX_CONFIG_BYTES = 1 << 20


class ImportPending(Exception):
    """The job's manifest is still being imported; the advance job tries again later."""


def storage_read(*, storage: Storage, key: str, what: str) -> bytes:
    """A small object of a registered storage (label configuration, template)."""
    try:
        with backend_for(storage) as backend, backend.open(key) as stream:
            return stream.read(MAX_CONFIG_BYTES)
    except DomainError as error:
        raise DomainError.on_field(what, f"{what} could not be read: {error.message}") from None


def _labels(*, storage: Storage, key: str) -> list[dict]:
    raw = storage_read(storage=storage, key=key, what="LabelCategoryConfigS3Uri")
    try:
        config = json.loads(raw)
        labels = config["labels"]
    except (ValueError, KeyError, TypeError):
        raise DomainError.on_field(
            "LabelCategoryConfigS3Uri",
            'The label category file must be JSON like {"labels": [{"label": "cat"}]}.',
        ) from None
    return labels


@transaction.atomic
def labeling_job_create(
    *,
    organization: Organization,
    actor: User,
    name: str,
    manifest: tuple[Storage, str],
    manifest_uri: str,
    output: tuple[Storage, str],
    output_path: str,
    label_config: tuple[Storage, str] | None,
    request: dict,
    **project_fields,
) -> LabelingJob:
    """Dataset + manifest import + draft Project + the LabelingJob row; the project
    starts when the import has finished (`labeling_job_advance`)."""
    if LabelingJob.objects.filter(organization=organization, project__name=name).exists():
        raise Conflict(f"A labeling job named {name!r} exists.")
    labels = _labels(storage=label_config[0], key=label_config[1]) if label_config else []
    dataset = dataset_services.dataset_create(
        organization=organization, actor=actor, name=f"Labeling job {name}", storage=manifest[0]
    )
    manifest_import = dataset_services.manifest_import_start(
        dataset=dataset, actor=actor, source="storage", storage=manifest[0], key=manifest[1]
    )
    project = project_services.project_create(
        organization=organization,
        actor=actor,
        name=name,
        dataset=dataset,
        labels=labels,
        **project_fields,
    )
    job = LabelingJob.objects.create(
        organization=organization,
        project=project,
        manifest_import=manifest_import,
        input_manifest_uri=manifest_uri,
        output_path=output_path,
        output_storage=output[0],
        output_prefix=output[1],
        request=request,
        job_reference_code=uuid.uuid4().hex,
    )
    audit_record(
        organization_id=organization.id, actor=actor, action="labeling_job.created", target=job
    )
    enqueue_on_commit(jobs.labeling_job_advance, organization_id=organization.id, job_id=job.pk)
    return job


def _fail(job: LabelingJob, reason: str) -> None:
    LabelingJob.objects.filter(pk=job.pk, failure_reason="").update(
        failure_reason=reason[:1024], updated_at=timezone.now()
    )


def labeling_job_advance(*, job_id: int) -> str:
    """Draft project + imported manifest -> the project starts; a failed import or a
    refused start fails the job with the reason. Safe to run twice."""
    job = LabelingJob.objects.select_related("project", "manifest_import").get(pk=job_id)
    project, manifest_import = job.project, job.manifest_import
    if project.status != Project.Status.DRAFT or job.failure_reason:
        return project.status
    if manifest_import is None or manifest_import.status == JobStatus.FAILED:
        message = manifest_import.message if manifest_import else "The import was deleted."
        _fail(job, f"The input manifest could not be imported: {message}")
        return "failed"
    if manifest_import.status != JobStatus.SUCCEEDED:
        raise ImportPending()
    try:
        project = task_services.project_start(project=project, actor=project.created_by)
    except DomainError as error:
        _fail(job, f"The job could not start: {error.message}")
        return "failed"
    return project.status


@transaction.atomic
def labeling_job_stop(*, job: LabelingJob, actor: User) -> None:
    project = job.project
    if project.status == Project.Status.DRAFT:  # still importing: nothing to withdraw
        _fail(job, "Stopped before it started.")
        return
    if project.status in (Project.Status.STARTING, Project.Status.IN_PROGRESS):
        task_services.project_stop(project=project, actor=actor)


ENDED = (Project.Status.COMPLETED, Project.Status.STOPPED, Project.Status.FAILED)


def output_manifest_key(job: LabelingJob) -> str:
    parts = [job.output_prefix, job.project.name, "manifests/output/output.manifest"]
    return "/".join(part.strip("/") for part in parts if part)


def labeling_job_output_write(*, job_id: int) -> str:
    """Write the output manifest of an ended job (the input lines plus the consolidated
    labels, spec section 7.2); writing it again writes the same object."""
    job = LabelingJob.objects.select_related("project", "output_storage").get(pk=job_id)
    project = job.project
    if project.status not in ENDED or job.output_written_at is not None:
        return project.status
    gold = project_gold_item_ids(project=project)
    items = (
        item
        for item in item_iter_for_export(
            organization_id=project.organization_id, dataset_id=project.dataset_id
        )
        if item.id not in gold
    )
    lines = manifest_lines(
        items, project.label_attribute_name, project_output_labels(project=project)
    )
    key = output_manifest_key(job)
    with backend_for(job.output_storage) as backend:
        backend.write(key, encode_lines(lines))
    LabelingJob.objects.filter(pk=job.pk, output_written_at__isnull=True).update(
        output_key=key, output_written_at=timezone.now()
    )
    return project.status


def labeling_jobs_ended_unwritten(*, limit: int = 200) -> list[tuple[int, int]]:
    return list(
        LabelingJob.global_objects.filter(
            output_written_at__isnull=True, project__status__in=ENDED
        ).values_list("organization_id", "pk")[:limit]
    )


# Tags (AddTags / ListTags / DeleteTags) on the resources that keep them: a labeling job's
# Project ({key: value}) and a flow definition (the [{Key, Value}] list it was created with).

MAX_TAGS = 50  # per resource, SageMaker's limit


def tags_as_map(stored: dict | list) -> dict[str, str]:
    if isinstance(stored, dict):
        return dict(stored)
    return {tag["Key"]: tag["Value"] for tag in stored}


def tags_as_list(stored: dict | list) -> list[dict]:
    return [{"Key": key, "Value": value} for key, value in tags_as_map(stored).items()]


@transaction.atomic
def resource_tags_change(
    *,
    resource: Project | FlowDefinition,
    actor: User,
    add: dict[str, str] | None = None,
    remove: Sequence[str] = (),
) -> dict[str, str]:
    """Add (a key already there takes the new value) and remove tags of `resource`, under
    a row lock so concurrent calls do not lose each other's tags. Refused past MAX_TAGS."""
    model = type(resource)
    locked = model.objects.select_for_update().only("tags").get(pk=resource.pk)
    tags = tags_as_map(locked.tags)
    tags.update(add or {})
    for key in remove:
        tags.pop(key, None)
    if len(tags) > MAX_TAGS:
        raise DomainError.on_field(
            "Tags", f"A resource has at most {MAX_TAGS} tags; this would make {len(tags)}."
        )
    stored = tags if isinstance(locked.tags, dict) else tags_as_list(tags)
    model.objects.filter(pk=resource.pk).update(tags=stored, updated_at=timezone.now())
    audit_record(
        organization_id=resource.organization_id,
        actor=actor,
        action="tags.changed",
        target=resource,
        added=sorted(add or {}),
        removed=list(remove),
    )
    return tags
