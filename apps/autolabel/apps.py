from django.apps import AppConfig


class AutolabelConfig(AppConfig):
    name = "apps.autolabel"
    label = "autolabel"
