from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "apps.tasks"
    label = "tasks"

    def ready(self) -> None:
        from apps.tasks import taskui  # noqa: F401  registers the "assignment" task frame kind
