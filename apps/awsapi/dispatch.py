"""Running one operation: permission, validation, idempotent retries, error translation.

Handlers are `handler(call, params) -> dict`: they parse nothing, call services/selectors
of the other apps and shape the answer; everything protocol-wide happens here."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import OperationalError, transaction
from django_scopes import scope

from apps.accounts.models import ApiCredential, Organization, User
from apps.accounts.permissions import role_has
from apps.awsapi import services
from apps.awsapi.errors import AwsError, from_domain
from apps.awsapi.shapes import validate
from apps.core.errors import DomainError

logger = logging.getLogger(__name__)


@dataclass
class Call:
    """Who is calling, from where: what every handler needs besides the parameters."""

    credential: ApiCredential
    region: str
    invocation_id: str = ""

    @property
    def organization(self) -> Organization:
        return self.credential.organization

    @property
    def actor(self) -> User:
        return self.credential.created_by


@dataclass(frozen=True)
class Operation:
    handler: Callable[[Call, dict], dict]
    permission: str
    # A create: its answer is kept so a retry of the same invocation gets it again (not
    # needed where the service is idempotent by itself, as StartHumanLoop is by name+input).
    is_create: bool = False
    # False where the one service called owns its transaction (the A2I hot path: no extra
    # BEGIN/SAVEPOINT round trips).
    is_atomic: bool = True
    # Domain error code -> the kind of AWS error (errors.SAGEMAKER / errors.A2I keys),
    # where the HTTP status of the domain error does not say it.
    errors: dict[str, str] = field(default_factory=dict)


def run(
    *, service: str, codes: dict, name: str, operation: Operation, call: Call, params: dict
) -> dict:
    validate(service, name, params)
    organization = call.organization
    if not role_has(call.credential.role, operation.permission):
        code, status = codes["denied"]
        raise AwsError(
            code,
            f"The credential's role ({call.credential.role}) is not allowed to call {name}.",
            status,
        )
    with scope(organization=organization.id):
        if operation.is_create:
            previous = services.invocation_find(
                organization=organization, invocation_id=call.invocation_id, operation=name
            )
            if previous is not None:
                return previous
        try:
            if not operation.is_atomic:
                return operation.handler(call, params)
            # All the services a call uses commit together (with a create's remembered answer).
            with transaction.atomic():
                result = operation.handler(call, params)
                if operation.is_create:
                    services.invocation_record(
                        organization=organization,
                        invocation_id=call.invocation_id,
                        operation=name,
                        response=result,
                    )
            return result
        except DomainError as error:
            if operation.is_create:  # a concurrent attempt of this invocation committed first
                previous = services.invocation_find(
                    organization=organization, invocation_id=call.invocation_id, operation=name
                )
                if previous is not None:
                    return previous
            raise from_domain(error, codes, operation.errors.get(error.code)) from None
        except OperationalError as error:
            if "lock" not in str(error).lower():
                raise
            code, status = codes["throttled"]
            raise AwsError(code, "The resource is busy; retry shortly.", status) from None
