"""AWS Signature Version 4, verified by recomputing the signature with botocore's own signer
(aws-compat spec, section 4.3): the canonical request is built exactly as the client built it.

Credentials are the organization's API credentials (access key id + secret, the secret
encrypted at rest); both SageMaker clients sign with service `sagemaker`; any region."""

import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import ApiCredential
from apps.accounts.selectors import api_credential_find_active
from apps.accounts.services import api_credential_mark_used
from apps.awsapi.errors import AwsError
from apps.core.crypto import InvalidToken, decrypt

SERVICE = "sagemaker"
MAX_SKEW = timedelta(minutes=15)  # AWS refuses requests dated further from its clock
AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/\s]+)/(?P<date>\d{8})/(?P<region>[^/\s]+)/"
    r"(?P<service>[^/\s]+)/aws4_request,\s*SignedHeaders=(?P<signed>[a-z0-9;\-]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


def _incomplete(message: str) -> AwsError:
    return AwsError("IncompleteSignatureException", message, 400)


def now() -> datetime:
    return timezone.now()


def wire_path(request: HttpRequest) -> str:
    """The path as the client sent it (percent-encoded): gunicorn keeps it in RAW_URI; other
    servers only give the decoded path, re-encoded here as botocore encodes URI labels."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if raw:
        return raw.split("?", 1)[0] or "/"
    return quote(request.path, safe="/-_.~") or "/"


def _header(request: HttpRequest, name: str) -> str | None:
    if name == "content-type":
        return request.META.get("CONTENT_TYPE")
    if name == "content-length":
        return request.META.get("CONTENT_LENGTH")
    return request.META.get("HTTP_" + name.upper().replace("-", "_"))


def authenticate(request: HttpRequest, *, required: tuple[str, ...] = ()) -> ApiCredential:
    """The live credential that signed `request`, or the AwsError a client expects.

    `required`: headers that must be among the signed ones besides host and x-amz-date
    (x-amz-target for SageMaker, so a captured request cannot be replayed as another
    operation)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        raise AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
    match = AUTHORIZATION.match(header.strip())
    if match is None:
        raise _incomplete(
            "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
            "parameters of an AWS4-HMAC-SHA256 signature."
        )
    parts = match.groupdict()
    signed = parts["signed"].split(";")
    for name in ("host", "x-amz-date", *required):
        if name not in signed:
            raise _incomplete(f"The header '{name}' must be signed.")
    if parts["service"] != SERVICE:
        raise _incomplete(f"Credential should be scoped to correct service: '{SERVICE}'.")
    amz_date = _header(request, "x-amz-date") or ""
    try:
        signed_at = datetime.strptime(amz_date, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise _incomplete(
            f"X-Amz-Date {amz_date!r} is not of the form YYYYMMDD'T'HHMMSS'Z'."
        ) from None
    if amz_date[:8] != parts["date"]:
        raise AwsError(
            "InvalidSignatureException",
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{parts['date']}' != '{amz_date[:8]}'",
            403,
        )
    credential = api_credential_find_active(access_key_id=parts["key"])
    if credential is None:
        raise AwsError(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            403,
        )
    try:
        secret = decrypt(credential.secret_encrypted)
    except InvalidToken:  # the encryption key changed: this credential cannot be verified
        raise AwsError(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            403,
        ) from None
    current = now()
    if abs(current - signed_at) > MAX_SKEW:
        earliest = (current - MAX_SKEW).strftime(AMZ_DATE_FORMAT)
        latest = (current + MAX_SKEW).strftime(AMZ_DATE_FORMAT)
        raise AwsError(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than {earliest} or later than "
            f"{latest} ({current.strftime(AMZ_DATE_FORMAT)} +/- 15 min.)",
            403,
        )
    # botocore hashes the payload as this header says when it is present: it must be the
    # body's own hash, or a signed header would vouch for a body swapped in transit.
    declared = _header(request, "x-amz-content-sha256")
    if declared is not None and declared != hashlib.sha256(request.body).hexdigest():
        raise AwsError(
            "InvalidSignatureException",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            403,
        )
    aws_request = AWSRequest(
        method=request.method,
        url="http://" + (_header(request, "host") or "") + wire_path(request),
        data=request.body,
    )
    for name in signed:
        value = _header(request, name)
        if value is None:
            raise _incomplete(f"The signed header '{name}' is missing from the request.")
        aws_request.headers[name] = value
    query = request.META.get("QUERY_STRING", "")
    aws_request.params = parse_qsl(query, keep_blank_values=True) if query else {}
    aws_request.context["timestamp"] = amz_date
    signer = SigV4Auth(
        Credentials(parts["key"], secret, _header(request, "x-amz-security-token")),
        SERVICE,
        parts["region"],
    )
    expected = signer.signature(
        signer.string_to_sign(aws_request, signer.canonical_request(aws_request)), aws_request
    )
    if not hmac.compare_digest(expected, parts["signature"]):
        raise AwsError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method.",
            403,
        )
    api_credential_mark_used(credential=credential)
    request.aws_region = parts["region"]
    return credential
