from apps.core.errors import DomainError


def invalid(field: str, message: str) -> DomainError:
    return DomainError(message, **{field: [message]})


UNSET = object()  # "leave this field as it is" in partial updates
