from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from apps.core.views import healthz

api_v1 = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.datasets.api.urls")),
    path("", include("apps.workforces.api.urls")),
    path("", include("apps.projects.api.urls")),
    path("", include("apps.tasks.api.urls")),
    path("", include("apps.taskui.api.urls")),
    path("", include("apps.reporting.api.urls")),
    path("", include("apps.reviews.api.urls")),
    path("", include("apps.payouts.api.urls")),
    path("", include("apps.autolabel.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("", include("apps.awsapi.urls")),
    path("", include("apps.workforces.urls")),
    path("", include("apps.taskui.urls")),
    path("", include("apps.tasks.urls")),
    path("", include("apps.projects.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.datasets.urls")),
    path("", include("apps.reporting.urls")),
    path("", include("apps.reviews.urls")),
    path("", include("apps.payouts.urls")),
    path("", include("apps.autolabel.urls")),
]

handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.server_error"
