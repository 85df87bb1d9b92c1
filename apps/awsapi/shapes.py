"""Server-side validation of inputs against the botocore service models.

botocore checks only required members, types, unknown names and minimums on the client
(aws-compat spec, section 3.6); maximums, patterns and enums are the server's job. Driving
the checks from the same models the SDK ships keeps them in step with it."""

from datetime import datetime
from functools import cache

import botocore.session
import regex  # Java-style \p{L} classes in tag and group patterns

from apps.awsapi.errors import validation

MAX_REPORTED = 5


@cache
def service_model(name: str):
    return botocore.session.get_session().get_service_model(name)


@cache
def _pattern(source: str):
    return regex.compile(source)


def _member_path(path: list[str]) -> str:
    return ".".join(
        part[:1].lower() + part[1:] if not part.startswith("[") else part for part in path
    ).replace(".[", "[")


def _describe(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 100 else text[:100] + "..."


def _problem(value: object, at: str, rule: str) -> str:
    shown = "null" if value is None else f"'{_describe(value)}'"
    return f"Value {shown} at '{at}' failed to satisfy constraint: Member must {rule}"


_TYPES = {
    "structure": (dict, "be an object"),
    "list": (list, "be a list"),
    "map": (dict, "be a map"),
    "string": (str, "be a string"),
    "integer": (int, "be an integer"),
    "long": (int, "be an integer"),
    "boolean": (bool, "be a boolean"),
    "timestamp": (int | float | str | datetime, "be a timestamp"),
}


def _check(shape, value, path: list[str], problems: list[str]) -> None:
    if value is None:
        return
    at = _member_path(path)
    kind, meta = shape.type_name, shape.metadata
    expected, rule = _TYPES.get(kind, (object, ""))
    wrong_bool = isinstance(value, bool) and kind in ("integer", "long", "timestamp")
    if wrong_bool or not isinstance(value, expected):
        problems.append(_problem(value, at, rule))
        return
    if kind == "structure":
        for name in shape.required_members:
            if value.get(name) is None:
                problems.append(_problem(None, _member_path([*path, name]), "not be null"))
        for name, member in shape.members.items():
            if name in value:
                _check(member, value[name], [*path, name], problems)
    elif kind == "list":
        _bounds(meta, len(value), value, at, "have length", problems)
        for index, item in enumerate(value):
            _check(shape.member, item, [*path, f"[{index + 1}]"], problems)
    elif kind == "map":
        _bounds(meta, len(value), value, at, "have length", problems)
        for key, item in value.items():
            _check(shape.key, key, [*path, "key"], problems)
            _check(shape.value, item, [*path, f"[{key}]"], problems)
    elif kind == "string":
        _bounds(meta, len(value), value, at, "have length", problems)
        if shape.enum and value not in shape.enum:
            problems.append(
                _problem(value, at, f"satisfy enum value set: [{', '.join(shape.enum)}]")
            )
        pattern = meta.get("pattern")
        if pattern and not _pattern(pattern).fullmatch(value):
            problems.append(_problem(value, at, f"satisfy regular expression pattern: {pattern}"))
    elif kind in ("integer", "long"):
        _bounds(meta, value, value, at, "have value", problems)


def _bounds(meta: dict, measure: int, value, at: str, what: str, problems: list[str]) -> None:
    if "min" in meta and measure < meta["min"]:
        problems.append(_problem(value, at, f"{what} greater than or equal to {meta['min']}"))
    if "max" in meta and measure > meta["max"]:
        problems.append(_problem(value, at, f"{what} less than or equal to {meta['max']}"))


def validate(service: str, operation: str, params: dict) -> None:
    """Raise ValidationException (AWS's message format) for every constraint `params`
    breaks in the operation's input shape."""
    shape = service_model(service).operation_model(operation).input_shape
    if shape is None:
        return
    problems: list[str] = []
    _check(shape, params, [], problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise validation(
            f"{count} validation {noun} detected: " + "; ".join(problems[:MAX_REPORTED])
        )
