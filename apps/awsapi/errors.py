"""AWS errors: the code boto3 turns into an exception class, the status, the message.

SageMaker (JSON 1.1) clients read the code from the body's `__type` only; A2I (REST-JSON)
clients read the `x-amzn-ErrorType` header first. Every error carries both (aws-compat
spec, section 3.4)."""

from apps.core.errors import DomainError


class AwsError(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message[:1024]
        self.status = status


def validation(message: str) -> AwsError:
    return AwsError("ValidationException", message)


# The codes of each protocol for the same failure (section 3.4.2): SageMaker models no
# statuses (400 throughout); A2I models 404, 409, 402, 429 and 500.
SAGEMAKER = {
    "not_found": ("ResourceNotFound", 400),
    "in_use": ("ResourceInUse", 400),
    "conflict": ("ConflictException", 400),
    "invalid": ("ValidationException", 400),
    "denied": ("AccessDeniedException", 400),
    "throttled": ("ThrottlingException", 400),
    "internal": ("InternalFailure", 500),
}
A2I = {
    "not_found": ("ResourceNotFoundException", 404),
    "in_use": ("ConflictException", 409),
    "conflict": ("ConflictException", 409),
    "invalid": ("ValidationException", 400),
    "denied": ("AccessDeniedException", 403),
    "throttled": ("ThrottlingException", 429),
    "internal": ("InternalServerException", 500),
}


def kind_of(error: DomainError) -> str:
    if error.status == 404:
        return "not_found"
    if error.status == 403:
        return "denied"
    if error.status == 409:
        return "in_use"
    return "invalid"


def from_domain(error: DomainError, codes: dict, kind: str | None = None) -> AwsError:
    """The AWS error for a service's refusal; `kind` overrides the one its status implies
    (e.g. a state conflict that AWS reports as a validation error)."""
    code, status = codes[kind or kind_of(error)]
    message = error.message
    fields = [
        f"{name}: {'; '.join(map(str, value))}"
        for name, value in error.details.items()
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    ]
    if fields and error.message not in fields[0]:
        message = f"{message} ({'; '.join(fields)})"
    return AwsError(code, message, status)
