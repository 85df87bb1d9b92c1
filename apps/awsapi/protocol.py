"""Shared pieces of both wire protocols: ARNs, timestamps, NextToken pagination."""

import base64
import json
from datetime import UTC, datetime

from django.core import signing
from django.db.models import Q, QuerySet

from apps.accounts.models import Organization
from apps.awsapi.errors import validation

DEFAULT_MAX_RESULTS = 10
_TOKEN_SALT = "awsapi.next-token"


# ARNs (aws-compat spec, section 6.1): the client's region, the organization's account id.


def arn(organization: Organization, region: str, kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{region}:{organization.account_id}:{kind}/{name}"


def name_from(value: str, kind: str, organization: Organization) -> str | None:
    """The name in `value`, which is a name or an ARN of `kind` (any partition and region)
    in this organization's account; None for another kind or another account's ARN."""
    if not value.startswith("arn:"):
        return value
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[2] != "sagemaker" or parts[4] != organization.account_id:
        return None
    resource_kind, _, name = parts[5].partition("/")
    return name if resource_kind == kind and name else None


# Timestamps (section 3.3): epoch seconds for SageMaker, ISO-8601 for A2I.


def epoch(moment: datetime | None) -> float | None:
    return None if moment is None else round(moment.timestamp(), 3)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_time(value: object, member: str) -> datetime | None:
    """An input timestamp: epoch seconds (number or numeric string) or ISO-8601."""
    if value is None:
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, tz=UTC)
        if isinstance(value, str):
            try:
                return datetime.fromtimestamp(float(value), tz=UTC)
            except ValueError:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise validation(
        f"Value '{value}' at '{member}' failed to satisfy constraint: Member must be a timestamp"
    )


def drop_none(data: dict) -> dict:
    """JSON 1.1 and REST-JSON omit absent members rather than sending null."""
    return {key: value for key, value in data.items() if value is not None}


# Pagination (section 3.5): opaque, signed keyset tokens; the last page has no token.


def _encode(values: list) -> str:
    payload = signing.dumps(values, salt=_TOKEN_SALT, compress=True)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _decode(token: str) -> list:
    try:
        padded = token + "=" * (-len(token) % 4)
        return signing.loads(base64.urlsafe_b64decode(padded).decode(), salt=_TOKEN_SALT)
    except (signing.BadSignature, ValueError, UnicodeDecodeError, json.JSONDecodeError):
        raise validation("Invalid pagination token (NextToken).") from None


def _value(row, field: str):
    value = getattr(row, field)
    return value.isoformat() if isinstance(value, datetime) else value


def page(
    queryset: QuerySet,
    *,
    order: tuple[str, ...],
    descending: bool = False,
    max_results: int | None = None,
    next_token: str | None = None,
) -> tuple[list, str | None]:
    """One page of `queryset` ordered by the `order` fields (the last one unique, e.g. "id"),
    and the token of the next page (None on the last). Keyset pages stay correct while rows
    are added between calls."""
    size = max_results or DEFAULT_MAX_RESULTS
    queryset = queryset.order_by(*(f"-{field}" if descending else field for field in order))
    if next_token:
        last = _decode(next_token)
        if not isinstance(last, list) or len(last) != len(order):
            raise validation("Invalid pagination token (NextToken).")
        after = "lt" if descending else "gt"
        condition = Q()
        for index, field in enumerate(order):
            step = Q(**{f"{field}__{after}": last[index]})
            for previous in range(index):
                step &= Q(**{order[previous]: last[previous]})
            condition |= step
        queryset = queryset.filter(condition)
    rows = list(queryset[: size + 1])
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    return rows, _encode([_value(rows[-1], field) for field in order])
