from apps.core.errors import DomainError


class TemplateRenderError(DomainError):
    """A task template that does not parse or render; the message names the line."""

    code = "template_error"
    message = "The task template could not be rendered."

    def __init__(self, message: str, *, line: int | None = None, field: str = "template") -> None:
        super().__init__(message, **{field: [message]})
        self.line = line
