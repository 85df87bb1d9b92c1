"""Domain errors: services raise them, one exception handler renders them."""


class DomainError(Exception):
    code = "invalid"  # stable and machine-readable; clients switch on it
    status = 400
    message = "The request could not be processed."

    def __init__(self, message: str | None = None, **details: object) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = details

    @classmethod
    def on_field(cls, field: str, message: str) -> "DomainError":
        """This error with `message`, naming `field` in its details (pages show it there)."""
        return cls(message, **{field: [message]})


class NotFound(DomainError):
    """Missing, or belonging to another organization: the two look the same."""

    code, status = "not_found", 404
    message = "Not found."


class PermissionDenied(DomainError):
    code, status = "permission_denied", 403
    message = "Your role in this organization does not allow this action."


class Conflict(DomainError):
    code, status = "conflict", 409
    message = "The request conflicts with the current state."
