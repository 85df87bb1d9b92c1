"""Server-side answer checks per task type: a 400 naming the problem, nothing stored.

Answers arrive as the object a `crowd-form` submits: one key per named element. Built-in
templates have one element, so the value is read from the answer's single entry.
"""

import json

from apps.core.errors import DomainError
from apps.projects.models import Project, TaskType

MAX_ANSWER_BYTES = 1_000_000  # custom answers: any JSON up to this size


class InvalidAnswer(DomainError):
    code = "invalid_answer"
    message = "The answer is not valid for this task."


def _fail(message: str) -> InvalidAnswer:
    return InvalidAnswer.on_field("answer", message)


def _single_value(answer: dict) -> object:
    if len(answer) != 1:
        raise _fail("The answer must contain exactly one labeled element.")
    return next(iter(answer.values()))


def _check_label(label: object, allowed: list[str]) -> str:
    if not isinstance(label, str) or label not in allowed:
        raise _fail(f"Unknown label {label!r}; expected one of: {', '.join(allowed)}.")
    return label


def _classification(value: object, project: Project, item) -> None:
    if not isinstance(value, dict) or "label" not in value:
        raise _fail('Expected {"label": <category>}.')
    _check_label(value["label"], project.label_names)


def _multilabel(value: object, project: Project, item) -> None:
    labels = value.get("labels") if isinstance(value, dict) else None
    if not isinstance(labels, list):
        raise _fail('Expected {"labels": [<category>, ...]}.')
    for label in labels:
        _check_label(label, project.label_names)
    if len(set(labels)) != len(labels):
        raise _fail("A label appears twice.")


def _entities(value: object, project: Project, item) -> None:
    entities = value.get("entities") if isinstance(value, dict) else None
    if not isinstance(entities, list):
        raise _fail('Expected {"entities": [{label, startOffset, endOffset}, ...]}.')
    text = item.data.get("source")
    length = len(text) if isinstance(text, str) else 0
    spans = []
    for number, entity in enumerate(entities, start=1):
        if not isinstance(entity, dict):
            raise _fail(f"Entity #{number} is not an object.")
        _check_label(entity.get("label"), project.label_names)
        start, end = entity.get("startOffset"), entity.get("endOffset")
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
            raise _fail(f"Entity #{number} needs integer startOffset and endOffset.")
        if not 0 <= start < end <= length:
            raise _fail(f"Entity #{number} ({start}-{end}) is outside the text (0-{length}).")
        spans.append((start, end, number))
    spans.sort()
    for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise _fail(f"Entities #{first} and #{second} overlap.")


def _verification(answer: dict, project: Project) -> None:
    """Label verification (apps.reviews chained projects): a verdict among the project's
    labels, and an optional comment."""
    verdict = answer.get("verdict")
    if not isinstance(verdict, dict) or "label" not in verdict:
        raise _fail('Expected {"verdict": {"label": <verdict>}, "comment": <optional text>}.')
    _check_label(verdict["label"], project.label_names)
    comment = answer.get("comment", "")
    if not isinstance(comment, str) or len(comment) > 2000:
        raise _fail("The comment is text of at most 2000 characters.")


VALIDATORS = {
    TaskType.TEXT_CLASSIFICATION: _classification,
    TaskType.IMAGE_CLASSIFICATION: _classification,
    TaskType.VIDEO_CLASSIFICATION: _classification,
    TaskType.TEXT_CLASSIFICATION_MULTILABEL: _multilabel,
    TaskType.IMAGE_CLASSIFICATION_MULTILABEL: _multilabel,
    TaskType.NAMED_ENTITY_RECOGNITION: _entities,
}


def validate_answer(*, project: Project, item, answer: object) -> None:
    if not isinstance(answer, dict):
        raise _fail("The answer must be a JSON object.")
    size = len(json.dumps(answer, separators=(",", ":")).encode())
    if size > MAX_ANSWER_BYTES:
        raise _fail(f"The answer is {size} bytes; at most {MAX_ANSWER_BYTES} are accepted.")
    if project.task_type == TaskType.LABEL_VERIFICATION:
        _verification(answer, project)
        return
    validator = VALIDATORS.get(project.task_type)
    if validator is not None:
        validator(_single_value(answer), project, item)
