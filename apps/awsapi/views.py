"""The two boto3-compatible endpoints (aws-compat spec, sections 3 and 8).

- `/aws/sagemaker`: AWS JSON 1.1, `POST` with `X-Amz-Target: SageMaker.<Operation>`.
- `/aws/a2i/human-loops...`: REST-JSON, routed on method + path (`POST /human-loops/stop`
  is StopHumanLoop; `GET|DELETE /human-loops/stop` concern a loop named `stop`).

Every response carries `x-amzn-RequestId`; errors carry the code in the body's `__type`
(what SageMaker clients read) and in `x-amzn-ErrorType` (what A2I clients read)."""

import json
import logging
import uuid

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from apps.awsapi import a2i, errors, sagemaker
from apps.awsapi.dispatch import Call, run
from apps.awsapi.errors import AwsError
from apps.awsapi.sigv4 import authenticate

logger = logging.getLogger(__name__)

SAGEMAKER_JSON = "application/x-amz-json-1.1"
A2I_JSON = "application/json"


def _response(body: dict, *, status: int, content_type: str, request_id: str, error: str = ""):
    response = HttpResponse(json.dumps(body), status=status, content_type=content_type)
    response["x-amzn-RequestId"] = request_id
    if error:
        response["x-amzn-ErrorType"] = error
    return response


def _error(error: AwsError, content_type: str, request_id: str) -> HttpResponse:
    body = {"__type": error.code, "message": error.message}
    return _response(
        body,
        status=error.status,
        content_type=content_type,
        request_id=request_id,
        error=error.code,
    )


def _body(request: HttpRequest) -> dict:
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise AwsError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise AwsError("SerializationException", "The request body must be a JSON object.")
    return body


def _call(request: HttpRequest, credential) -> Call:
    return Call(
        credential=credential,
        region=request.aws_region,
        invocation_id=request.META.get("HTTP_AMZ_SDK_INVOCATION_ID", ""),
    )


def _serve(request, content_type, codes, work) -> HttpResponse:
    request_id = str(uuid.uuid4())
    try:
        body = work()
    except AwsError as error:
        return _error(error, content_type, request_id)
    except Exception:
        logger.exception("Unhandled error in the AWS-compatible API")
        code, status = codes["internal"]
        return _error(AwsError(code, "Internal server error.", status), content_type, request_id)
    return _response(body, status=200, content_type=content_type, request_id=request_id)


@csrf_exempt
def sagemaker_endpoint(request: HttpRequest) -> HttpResponse:
    def work() -> dict:
        if request.method != "POST":
            raise AwsError("UnknownOperationException", "SageMaker operations are POSTed.")
        credential = authenticate(request, required=("x-amz-target",))
        prefix, _, name = request.META.get("HTTP_X_AMZ_TARGET", "").partition(".")
        operation = sagemaker.OPERATIONS.get(name) if prefix == "SageMaker" else None
        if operation is None:
            raise AwsError("UnknownOperationException", f"Unknown operation {name or prefix!r}.")
        return run(
            service="sagemaker",
            codes=errors.SAGEMAKER,
            name=name,
            operation=operation,
            call=_call(request, credential),
            params=_body(request),
        )

    return _serve(request, SAGEMAKER_JSON, errors.SAGEMAKER, work)


def _a2i_route(request: HttpRequest, name: str | None) -> tuple[str, dict]:
    method = request.method
    if name is None:
        if method == "POST":
            return "StartHumanLoop", _body(request)
        if method == "GET":
            return "ListHumanLoops", _list_params(request)
    elif name == "stop" and method == "POST":
        return "StopHumanLoop", _body(request)
    elif method == "GET":
        return "DescribeHumanLoop", {"HumanLoopName": name}
    elif method == "DELETE":
        return "DeleteHumanLoop", {"HumanLoopName": name}
    raise AwsError("UnknownOperationException", f"No operation for {method} {request.path}.", 404)


def _list_params(request: HttpRequest) -> dict:
    params: dict = {key: request.GET[key] for key in request.GET}
    if "MaxResults" in params:
        try:
            params["MaxResults"] = int(params["MaxResults"])
        except ValueError:
            raise errors.validation(
                f"Value '{params['MaxResults']}' at 'maxResults' failed to satisfy constraint: "
                "Member must be an integer"
            ) from None
    return params


@csrf_exempt
def a2i_endpoint(request: HttpRequest, name: str | None = None) -> HttpResponse:
    def work() -> dict:
        credential = authenticate(request)
        operation_name, params = _a2i_route(request, name)
        return run(
            service="sagemaker-a2i-runtime",
            codes=errors.A2I,
            name=operation_name,
            operation=a2i.OPERATIONS[operation_name],
            call=_call(request, credential),
            params=params,
        )

    return _serve(request, A2I_JSON, errors.A2I, work)
