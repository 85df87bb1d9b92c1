from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "apps.tasks"
    label = "tasks"

    def ready(self) -> None:
        from apps.tasks import demo, taskui  # noqa: F401  register the demo seeder, the task frame kind
