from django.apps import AppConfig


class WorkforcesConfig(AppConfig):
    name = "apps.workforces"
    label = "workforces"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.workforces import oidc  # noqa: F401 - connects the sign-in receiver
