from apps.core.errors import Conflict, DomainError, NotFound, PermissionDenied


class WorkerAddressRefused(PermissionDenied):
    """A worker request for a private workforce's work from outside its source CIDRs."""

    code = "ip_not_allowed"
    message = (
        "This work is only available from the networks its organization allows; "
        "your address is not one of them."
    )

    @classmethod
    def for_address(cls, address: str | None) -> "WorkerAddressRefused":
        return cls(address=[f"Your address {address or '(unknown)'} is not allowed."])


class WorkerSuspended(PermissionDenied):
    code = "worker_suspended"
    message = "This worker account is suspended."


class NotAVendor(DomainError):
    code = "not_a_vendor"
    message = "This organization is not a vendor."


class NameTaken(Conflict):
    code = "name_taken"
    message = "This name is already used in the organization."


class AlreadyBlocked(Conflict):
    code = "already_blocked"
    message = "This worker is already blocked."


class AlreadySubscribed(Conflict):
    code = "already_subscribed"
    message = "A subscription to this vendor is already requested or active."


class SubscriptionNotPending(Conflict):
    code = "subscription_not_pending"
    message = "This subscription is not waiting for a decision."


class SubscriptionNotActive(Conflict):
    code = "subscription_not_active"
    message = "This vendor subscription is not active."


class AlreadyGranted(Conflict):
    code = "already_granted"
    message = "This worker already holds the qualification."


class TestNotAvailable(Conflict):
    code = "qualification_test_not_available"
    message = "This qualification has no test, or you may not take it again."


class StaffOnly(PermissionDenied):
    code = "staff_only"
    message = "Only platform staff can do this."


__all__ = [
    "AlreadyBlocked",
    "AlreadyGranted",
    "AlreadySubscribed",
    "NameTaken",
    "NotAVendor",
    "NotFound",
    "StaffOnly",
    "SubscriptionNotActive",
    "SubscriptionNotPending",
    "TestNotAvailable",
    "WorkerAddressRefused",
    "WorkerSuspended",
]
