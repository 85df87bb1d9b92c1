from django.apps import AppConfig


class WorkforcesConfig(AppConfig):
    name = "apps.workforces"
    label = "workforces"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.workforces import access_cache, oidc  # noqa: F401 - oidc connects the sign-in receiver

        access_cache.connect_signals()
