"""Writes to a Project's definition: create and update (while it is a draft).

Starting, stopping and completing create or withdraw Tasks, so they live with the queue
in `apps.tasks.services` (tasks build on projects, never the reverse).
"""

import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from apps.accounts.models import Organization, User
from apps.core.crypto import encrypt
from apps.core.errors import Conflict, DomainError
from apps.core.outbound import outbound_target
from apps.core.services import audit_record
from apps.projects.models import (
    AUTO_APPROVAL_MAX_SECONDS,
    LABEL_ATTRIBUTE_PATTERN,
    NAME_PATTERN,
    Project,
    TaskType,
)
from apps.workforces.models import Workforce

MAX_LABELS = 30
MAX_LABEL_LENGTH = 16
# Ground Truth: these task types store a URI under the label attribute, which must end in -ref.
REF_LABEL_TYPES = {
    TaskType.SEMANTIC_SEGMENTATION,
    TaskType.INSTANCE_SEGMENTATION,
    TaskType.VIDEO_OBJECT_DETECTION,
    TaskType.VIDEO_OBJECT_TRACKING,
}
# What a requester sets on a project (in the order the API shows them).
EDITABLE_FIELDS = (
    "name",
    "dataset",
    "task_type",
    "label_attribute_name",
    "labels",
    "short_instructions",
    "full_instructions",
    "ui_template",
    "workteam",
    "answers_per_item",
    "task_time_limit_seconds",
    "task_availability_lifetime_seconds",
    "max_concurrent_tasks_per_worker",
    "price_per_task",
    "max_human_labeled_items",
    "max_percentage_labeled",
    "priority",
    "tags",
    "auto_approval_delay_seconds",
    "pre_annotation_hook",
    "post_annotation_hook",
)


class ProjectNotEditable(Conflict):
    code = "project_not_editable"
    message = "Only a draft project can be edited."


def labels_normalized(labels: object, task_type: str) -> list[dict]:
    """`labels` as [{label, description}], or a DomainError on `labels` saying what is wrong."""
    if not isinstance(labels, list):
        raise DomainError.on_field(
            "labels", "Labels must be a list of {label, description} objects."
        )
    normalized, seen = [], set()
    for index, entry in enumerate(labels):
        if isinstance(entry, str):
            entry = {"label": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            raise DomainError.on_field("labels", f"Label #{index + 1} needs a 'label' text.")
        name = entry["label"].strip()
        if not 1 <= len(name) <= MAX_LABEL_LENGTH:
            raise DomainError.on_field(
                "labels", f"Label {name!r} must have 1 to {MAX_LABEL_LENGTH} characters."
            )
        if name in seen:
            raise DomainError.on_field("labels", f"Label {name!r} appears twice.")
        seen.add(name)
        normalized.append({"label": name, "description": str(entry.get("description", ""))})
    needs_labels = task_type != TaskType.CUSTOM
    if needs_labels and not normalized:
        raise DomainError.on_field("labels", "This task type needs at least one label.")
    if len(normalized) > MAX_LABELS:
        raise DomainError.on_field("labels", f"At most {MAX_LABELS} labels are allowed.")
    return normalized


def _validate(project: Project) -> None:
    """Rules across fields; field ranges are also model validators and DB checks."""
    if not re.match(NAME_PATTERN, project.name or ""):
        raise DomainError.on_field(
            "name", "Use 1-63 letters, digits and hyphens, starting with a letter or digit."
        )
    attribute = project.label_attribute_name or ""
    if not re.match(LABEL_ATTRIBUTE_PATTERN, attribute) or attribute.endswith("-metadata"):
        raise DomainError.on_field(
            "label_attribute_name",
            "Use 1-127 letters, digits and hyphens, not ending in '-metadata'.",
        )
    if (project.task_type in REF_LABEL_TYPES) != attribute.endswith("-ref"):
        rule = "must" if project.task_type in REF_LABEL_TYPES else "must not"
        raise DomainError.on_field(
            "label_attribute_name", f"For this task type the name {rule} end in '-ref'."
        )
    for owned in ("dataset", "workteam"):
        if getattr(project, owned).organization_id != project.organization_id:
            raise DomainError.on_field(owned, f"No such {owned}.")
    checks = [
        ("answers_per_item", 1, 9),
        ("task_time_limit_seconds", 30, 8 * 3600),
        ("max_concurrent_tasks_per_worker", 1, 5000),
        ("max_percentage_labeled", 1, 100),
        ("auto_approval_delay_seconds", 0, AUTO_APPROVAL_MAX_SECONDS),
    ]
    for field, low, high in checks:
        value = getattr(project, field)
        if value is not None and not low <= value <= high:
            raise DomainError.on_field(field, f"Must be between {low} and {high}.")
    if project.task_availability_lifetime_seconds < 60:
        raise DomainError.on_field(
            "task_availability_lifetime_seconds", "Must be at least 60 seconds."
        )
    if project.price_per_task is not None and (
        project.price_per_task < 0 or project.price_per_task.as_tuple().exponent < -4
    ):
        raise DomainError.on_field(
            "price_per_task", "Use a non-negative amount with at most 4 decimals."
        )
    if project.workteam.workforce.kind != Workforce.Kind.PRIVATE and not project.price_per_task:
        raise DomainError.on_field(
            "price_per_task", "Public and vendor work needs a price per task."
        )


def _validate_hooks(project: Project) -> None:
    """A hook is an http(s) URL that passes the outbound rule, or a Python callable the
    operator registered; only custom tasks have hooks. URL hooks get an HMAC secret."""
    hooks = {
        field: (getattr(project, field) or "").strip()
        for field in ("pre_annotation_hook", "post_annotation_hook")
    }
    for field, reference in hooks.items():
        setattr(project, field, reference)
        if not reference:
            continue
        if project.task_type != TaskType.CUSTOM:
            raise DomainError.on_field(field, "Only custom tasks have annotation hooks.")
        if reference.lower().startswith(("http://", "https://")):
            outbound_target(reference, field=field)
        elif reference not in settings.ANNOTATION_HOOK_CALLABLES:
            raise DomainError.on_field(
                field, "Use an https URL, or a Python hook the operator registered."
            )
    uses_urls = any("://" in reference for reference in hooks.values())
    if uses_urls and not project.hook_secret_encrypted:
        project.hook_secret_encrypted = encrypt(secrets.token_urlsafe(32))


def _check_name_free(project: Project) -> None:
    taken = Project.objects.filter(organization_id=project.organization_id, name=project.name)
    if taken.exclude(pk=project.pk).exists():
        raise Conflict(
            "A project with this name already exists.",
            name=["A project with this name already exists."],
        )


@transaction.atomic
def project_create(*, organization: Organization, actor: User, **fields) -> Project:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    task_type = fields.get("task_type")
    if task_type not in TaskType.values:
        raise DomainError.on_field("task_type", f"Unknown task type {task_type!r}.")
    fields["labels"] = labels_normalized(fields.get("labels", []), task_type)
    if isinstance(fields.get("price_per_task"), (int, float, str)):
        fields["price_per_task"] = Decimal(str(fields["price_per_task"]))
    project = Project(organization=organization, created_by=actor, **fields)
    _validate(project)
    _validate_hooks(project)
    _check_name_free(project)
    project.save()
    audit_record(
        organization_id=organization.id, actor=actor, action="project.created", target=project
    )
    return project


@transaction.atomic
def project_update(*, project: Project, actor: User, **fields) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Project.Status.DRAFT:
        raise ProjectNotEditable()
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if "labels" in fields or "task_type" in fields:
        fields["labels"] = labels_normalized(
            fields.get("labels", project.labels), fields.get("task_type", project.task_type)
        )
    for field, value in fields.items():
        setattr(project, field, value)
    _validate(project)
    _validate_hooks(project)
    _check_name_free(project)
    project.save()
    audit_record(
        organization_id=project.organization_id,
        actor=actor,
        action="project.updated",
        target=project,
        fields=sorted(fields),
    )
    return project
