from django.contrib import messages
from django.http import HttpRequest

from apps.core.errors import DomainError


def report_error(request: HttpRequest, error: DomainError, form=None) -> None:
    """Show a domain error on a page: on the form's fields where it names them, else as
    a message at the top."""
    for field, field_messages in error.details.items():
        if form is not None and field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
        else:
            messages.error(request, " ".join(map(str, field_messages)))
    if not error.details:
        messages.error(request, error.message)
