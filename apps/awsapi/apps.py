from django.apps import AppConfig


class AwsApiConfig(AppConfig):
    name = "apps.awsapi"
    label = "awsapi"
