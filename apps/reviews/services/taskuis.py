"""Human task UIs: named worker templates; the render check requesters run before use."""

import hashlib
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from apps.accounts.models import Organization, User
from apps.core.errors import Conflict, DomainError
from apps.core.services import audit_record
from apps.reviews.models import (
    HUMAN_TASK_UI_NAME_PATTERN,
    NAME_MAX_LENGTH,
    FlowDefinition,
    HumanTaskUi,
)
from apps.taskui.errors import TemplateRenderError
from apps.taskui.services import preview_create
from apps.taskui.templating import TEMPLATE_MAX_CHARS, render_task_template

_CROWD_FORM_OPEN = re.compile(r"<crowd-form[\s>]", re.IGNORECASE)
_CROWD_FORM_CLOSE = re.compile(r"</crowd-form\s*>", re.IGNORECASE)


class NameTaken(Conflict):
    code = "name_taken"
    message = "This name is already used."


class HumanTaskUiInUse(Conflict):
    code = "human_task_ui_in_use"
    message = "Flow definitions use this task UI; delete them first."


def check_name(value: object, *, pattern: str, field_name: str = "name") -> str:
    """A full match of an A2I name pattern, 1-63 characters; 400 naming the field."""
    if not isinstance(value, str) or not 1 <= len(value) <= NAME_MAX_LENGTH:
        raise DomainError.on_field(field_name, f"Use 1 to {NAME_MAX_LENGTH} characters.")
    if not re.fullmatch(pattern, value):
        raise DomainError.on_field(
            field_name,
            f"{value[:80]!r} does not match {pattern}: lower-case letters, digits and hyphens, "
            "starting and ending with a letter or digit.",
        )
    return value


@dataclass(frozen=True)
class RenderProblem:
    code: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class RenderResult:
    rendered: str
    errors: list[RenderProblem] = field(default_factory=list)
    frame_url: str = ""  # the sandboxed preview, when the template rendered


def _crowd_form_problems(source: str) -> list[RenderProblem]:
    opening = _CROWD_FORM_OPEN.search(source)
    if opening is None:
        return [
            RenderProblem(
                "missing_crowd_form",
                "Line 1: the template has no <crowd-form> element, so workers cannot submit "
                "an answer. Wrap the task's elements in <crowd-form> ... </crowd-form>.",
                line=1,
            )
        ]
    if not _CROWD_FORM_CLOSE.search(source, opening.end()):
        line = source.count("\n", 0, opening.start()) + 1
        return [
            RenderProblem(
                "unclosed_crowd_form",
                f"Line {line}: <crowd-form> is never closed with </crowd-form>.",
                line=line,
            )
        ]
    return []


def template_problems(source: str, task_input: dict | None = None) -> list[RenderProblem]:
    """Liquid errors (syntax, unknown filters, limits) and crowd-form problems of
    `source`, rendered with `task_input`, each naming its line; [] when it is usable."""
    try:
        render_task_template(source=source, task_input=task_input or {})
    except TemplateRenderError as error:
        return [RenderProblem("template_error", error.message, line=error.line)]
    return _crowd_form_problems(source)


def human_task_ui_render(*, source: str, task_input: dict) -> RenderResult:
    """Render `source` as the worker would see it with `task.input` = `task_input` (A2I's
    RenderUiTemplate): the problems found, and a sandboxed-frame preview if it rendered."""
    try:
        preview = preview_create(source=source, task_input=task_input)
    except TemplateRenderError as error:
        return RenderResult("", [RenderProblem("template_error", error.message, error.line)])
    return RenderResult(preview.rendered, _crowd_form_problems(source), preview.frame_url)


@transaction.atomic
def human_task_ui_create(
    *, organization: Organization, actor: User | None, name: str, content: str
) -> HumanTaskUi:
    check_name(name, pattern=HUMAN_TASK_UI_NAME_PATTERN)
    if not isinstance(content, str) or not content.strip():
        raise DomainError.on_field("content", "The template is empty.")
    if len(content) > TEMPLATE_MAX_CHARS:
        raise DomainError.on_field("content", f"At most {TEMPLATE_MAX_CHARS} characters.")
    problems = template_problems(content)
    if problems:
        raise DomainError(
            problems[0].message,
            content=[problem.message for problem in problems],
            lines=[problem.line for problem in problems],
        )
    ui = HumanTaskUi(
        organization=organization,
        name=name,
        content=content,
        content_sha256=hashlib.sha256(content.encode()).hexdigest(),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            ui.save()
    except IntegrityError:
        raise NameTaken.on_field("name", "A human task UI with this name exists.") from None
    audit_record(
        organization_id=organization.id, actor=actor, action="human_task_ui.created", target=ui
    )
    return ui


@transaction.atomic
def human_task_ui_delete(*, ui: HumanTaskUi, actor: User | None) -> None:
    """Refused while a flow definition that is not deleted uses it."""
    ui = HumanTaskUi.objects.select_for_update().get(pk=ui.pk)
    users = FlowDefinition.objects.filter(human_task_ui=ui, deleted_at__isnull=True)
    names = sorted(users.values_list("name", flat=True))
    if names:
        raise HumanTaskUiInUse(flow_definitions=names)
    audit_record(
        organization_id=ui.organization_id, actor=actor, action="human_task_ui.deleted", target=ui
    )
    ui.delete()
