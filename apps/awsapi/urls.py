from django.urls import path

from apps.awsapi import views

# No trailing slash: botocore posts to the endpoint URL exactly as configured, and does
# not follow redirects (aws-compat spec, section 1.2); both spellings are served.
urlpatterns = [
    path("aws/sagemaker", views.sagemaker_endpoint, name="aws-sagemaker"),
    path("aws/sagemaker/", views.sagemaker_endpoint),
    path("aws/a2i/human-loops", views.a2i_endpoint, name="aws-a2i"),
    path("aws/a2i/human-loops/<path:name>", views.a2i_endpoint, name="aws-a2i-loop"),
]
