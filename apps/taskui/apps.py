from django.apps import AppConfig


class TaskUiConfig(AppConfig):
    name = "apps.taskui"
    label = "taskui"
    verbose_name = "Task UIs"

    def ready(self) -> None:
        from apps.taskui import services  # noqa: F401  registers the "preview" frame kind
