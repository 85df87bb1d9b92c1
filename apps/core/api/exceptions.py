"""One error format for the whole API: `{"code", "message", "details"}`."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from apps.core.errors import DomainError

logger = logging.getLogger(__name__)

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: NOWAIT/lock_timeout hit a held row lock


def error_response(
    *, code: str, message: str, status: int, details: object = None, headers: dict | None = None
) -> Response:
    body = {"code": code, "message": message, "details": details if details is not None else {}}
    return Response(body, status=status, headers=headers)


def exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, DomainError):
        return error_response(
            code=exc.code, message=exc.message, status=exc.status, details=exc.details
        )
    if isinstance(exc, RequestDataTooBig):
        return error_response(
            code="request_too_large", message="The request body is too large.", status=413
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))

    if isinstance(exc, exceptions.ValidationError):
        return error_response(
            code="invalid", message="The input is not valid.", status=400, details=exc.detail
        )
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
        return error_response(
            code=exc.default_code, message=str(exc.detail), status=exc.status_code, headers=headers
        )
    if isinstance(exc, OperationalError) and _is_lock_contention(exc):
        return error_response(
            code="locked",
            message="The resource is busy; retry shortly.",
            status=409,
            headers={"Retry-After": "1"},
        )
    logger.exception("Unhandled API error", exc_info=exc)
    return error_response(code="server_error", message="Internal server error.", status=500)


def _is_lock_contention(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE
