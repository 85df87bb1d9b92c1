"""SigV4 verification: real boto3 clients, signed requests tampered with on the way out."""

import json
from datetime import timedelta

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError
from django.utils import timezone

from apps.accounts import services as account_services
from apps.awsapi import sigv4
from apps.reviews.models import HumanLoop
from tests.awsapi.conftest import client
from tests.awsapi.test_a2i import code_of, flow_arn, start


def _error(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as error:
        call()
    code, status = code_of(error)
    return code, status, error.value.response["Error"]["Message"]


def test_a_body_changed_after_signing_is_refused(a2i, flow, organization):
    def tamper(request, **kwargs):
        body = json.loads(request.body)
        body["HumanLoopName"] = "tampered"
        request.body = json.dumps(body).encode()
        request.headers["Content-Length"] = str(len(request.body))

    a2i.meta.events.register("before-send.sagemaker-a2i-runtime.StartHumanLoop", tamper)

    code, status, message = _error(lambda: start(a2i, organization, "original"))

    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith("The request signature we calculated does not match")
    assert HumanLoop.objects.count() == 0


def test_the_operation_cannot_be_swapped_after_signing(sm):
    def swap(request, **kwargs):
        request.headers["X-Amz-Target"] = "SageMaker.DeleteWorkteam"

    sm.meta.events.register("before-send.sagemaker.ListWorkteams", swap)

    code, status, _ = _error(lambda: sm.list_workteams())

    assert (code, status) == ("InvalidSignatureException", 403)


def test_a_revoked_key_is_unrecognized(live_server, keys, flow, organization, owner):
    a2i = client(live_server, "sagemaker-a2i-runtime", keys)
    start(a2i, organization, "before")
    account_services.api_credential_revoke(credential=keys["credential"], actor=owner.user)

    code, status, _ = _error(lambda: start(a2i, organization, "after"))

    assert (code, status) == ("UnrecognizedClientException", 403)
    assert list(HumanLoop.objects.values_list("name", flat=True)) == ["before"]


def test_an_unknown_key_is_unrecognized(live_server, flow, organization):
    stranger = {"aws_access_key_id": "GWAKUNKNOWN000000000", "aws_secret_access_key": "x" * 40}
    a2i = client(live_server, "sagemaker-a2i-runtime", stranger)

    code, status, message = _error(lambda: a2i.describe_human_loop(HumanLoopName="any"))

    assert (code, status) == ("UnrecognizedClientException", 403)
    assert message == "The security token included in the request is invalid."


def test_a_wrong_secret_is_an_invalid_signature(live_server, keys, flow, organization):
    wrong = {**keys, "aws_secret_access_key": "y" * 40}
    a2i = client(live_server, "sagemaker-a2i-runtime", wrong)

    code, status, _ = _error(lambda: start(a2i, organization, "wrong"))

    assert (code, status) == ("InvalidSignatureException", 403)
    assert HumanLoop.objects.count() == 0


@pytest.mark.parametrize(("skew", "accepted"), [(14, True), (-14, True), (16, False), (-16, False)])
def test_requests_signed_more_than_15_minutes_away_are_refused(
    a2i, flow, organization, monkeypatch, skew, accepted
):
    monkeypatch.setattr(sigv4, "now", lambda: timezone.now() + timedelta(minutes=skew))

    if accepted:
        start(a2i, organization, "in-time")
        assert HumanLoop.objects.count() == 1
    else:
        code, status, message = _error(lambda: start(a2i, organization, "too-late"))
        assert (code, status) == ("InvalidSignatureException", 403)
        assert message.startswith("Signature expired: ")
        assert HumanLoop.objects.count() == 0


def test_an_unsigned_request_is_missing_its_token(live_server, keys, flow):
    a2i = client(live_server, "sagemaker-a2i-runtime", keys, signature_version=UNSIGNED)

    code, status, _ = _error(lambda: a2i.describe_human_loop(HumanLoopName="any"))

    assert (code, status) == ("MissingAuthenticationTokenException", 403)


def test_a_signature_that_does_not_sign_the_date_is_incomplete(a2i, flow):
    def unsign_date(request, **kwargs):
        authorization = request.headers["Authorization"].decode()
        request.headers["Authorization"] = authorization.replace(
            "SignedHeaders=host;x-amz-date", "SignedHeaders=host"
        )

    a2i.meta.events.register("before-send.sagemaker-a2i-runtime.DescribeHumanLoop", unsign_date)

    code, status, message = _error(lambda: a2i.describe_human_loop(HumanLoopName="any"))

    assert (code, status) == ("IncompleteSignatureException", 400)
    assert message == "The header 'x-amz-date' must be signed."


def test_temporary_credentials_sign_with_their_session_token(live_server, keys, flow, organization):
    a2i = client(
        live_server, "sagemaker-a2i-runtime", {**keys, "aws_session_token": "session-token-1"}
    )
    seen = []
    a2i.meta.events.register(
        "before-send.sagemaker-a2i-runtime.StartHumanLoop",
        lambda request, **kwargs: seen.append(request.headers["Authorization"].decode()),
    )

    started = start(a2i, organization, "temporary")

    assert "x-amz-security-token" in seen[0]
    assert started["HumanLoopArn"].endswith(":human-loop/temporary")


def test_query_strings_with_reserved_characters_are_signed_and_verified(a2i, flow, organization):
    start(a2i, organization, "q-1")

    code, status, message = _error(
        lambda: a2i.list_human_loops(
            FlowDefinitionArn=flow_arn(organization), NextToken="a+b/c= d&e"
        )
    )

    # The signature held (the token was read, and refused as a token).
    assert (code, status, message) == (
        "ValidationException",
        400,
        "Invalid pagination token (NextToken).",
    )


def test_a_declared_payload_hash_must_be_the_body_hash(a2i, flow, organization):
    def declare_then_tamper(request, **kwargs):
        request.body = request.body.replace(b"original", b"tampered")

    def declare(request, **kwargs):
        import hashlib

        request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(request.body).hexdigest()

    a2i.meta.events.register("before-sign.sagemaker-a2i-runtime.StartHumanLoop", declare)
    a2i.meta.events.register(
        "before-send.sagemaker-a2i-runtime.StartHumanLoop", declare_then_tamper
    )

    code, status, message = _error(lambda: start(a2i, organization, "original"))

    assert (code, status) == ("InvalidSignatureException", 403)
    assert "x-amz-content-sha256" in message
    assert HumanLoop.objects.count() == 0
