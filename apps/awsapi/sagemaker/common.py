"""Helpers shared by the SageMaker operation modules."""

from collections.abc import Callable
from decimal import Decimal

from apps.awsapi.dispatch import Call
from apps.awsapi.errors import AwsError, validation
from apps.awsapi.protocol import arn, name_from
from apps.core.errors import NotFound
from apps.workforces.models import Workforce, Workteam
from apps.workforces.selectors import workteam_list

WORKTEAM_CROWDS = {
    Workforce.Kind.PRIVATE: "private-crowd",
    Workforce.Kind.PUBLIC: "public-crowd",
    Workforce.Kind.VENDOR: "vendor-crowd",
}


def not_found(message: str) -> AwsError:
    return AwsError("ResourceNotFound", message)


def found(selector: Callable, message: str, **lookup):
    """What the selector finds, or ResourceNotFound (another organization's: the same)."""
    try:
        return selector(**lookup)
    except NotFound:
        raise not_found(message) from None


def resolve_name(call: Call, reference: str, kind: str, what: str) -> str:
    """A name from a name or an ARN of `kind` in the caller's account; the last path
    segment of workteam ARNs (`workteam/private-crowd/<name>`)."""
    name = name_from(reference, kind, call.organization)
    if name is None:
        raise not_found(f"{what} '{reference}' does not exist.")
    return name.rsplit("/", 1)[-1]


def workteam_named(call: Call, reference: str) -> Workteam:
    """The caller's team by name or ARN; ResourceNotFound otherwise."""
    name = resolve_name(call, reference, "workteam", "Workteam")
    workteam = workteam_list(organization=call.organization).filter(name=name).first()
    if workteam is None:
        raise not_found(f"Workteam '{reference}' does not exist.")
    return workteam


def workteam_referenced(call: Call, reference: str) -> Workteam:
    """The team a job or flow names (name or ARN): an unknown one, or another account's,
    is a ValidationException of the create (the job or flow is what does not exist)."""
    name = name_from(reference, "workteam", call.organization)
    name = name.rsplit("/", 1)[-1] if name else None
    workteam = workteam_list(organization=call.organization).filter(name=name).first()
    if workteam is None:
        raise validation(f"Workteam '{reference}' does not exist.")
    return workteam


def workteam_arn(call: Call, workteam: Workteam) -> str:
    crowd = WORKTEAM_CROWDS[workteam.workforce.kind]
    return arn(call.organization, call.region, "workteam", f"{crowd}/{workteam.name}")


def workforce_arn(call: Call, workforce: Workforce) -> str:
    return arn(workforce.organization, call.region, "workforce", workforce.name)


def price_from_usd(price: dict | None) -> Decimal | None:
    """PublicWorkforceTaskPrice.AmountInUsd -> dollars (e.g. 0 + 3 cents + 6 tenths = 0.036)."""
    amount = (price or {}).get("AmountInUsd")
    if amount is None:
        return None
    return (
        Decimal(amount.get("Dollars", 0))
        + Decimal(amount.get("Cents", 0)) / 100
        + Decimal(amount.get("TenthFractionsOfACent", 0)) / 1000
    )


def price_to_usd(price: Decimal | None) -> dict | None:
    if price is None:
        return None
    tenths = int((price * 1000).to_integral_value())
    return {
        "AmountInUsd": {
            "Dollars": tenths // 1000,
            "Cents": tenths % 1000 // 10,
            "TenthFractionsOfACent": tenths % 10,
        }
    }


def unsupported(member: str, why: str) -> AwsError:
    return validation(f"{member} is not supported by this service: {why}")


def sort_descending(params: dict, default: str) -> bool:
    return params.get("SortOrder", default) == "Descending"
