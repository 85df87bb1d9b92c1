from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from apps.accounts import demo  # noqa: F401  (registers the demo seeder)
        from apps.accounts.api import schema  # noqa: F401  (registers the OpenAPI auth scheme)
