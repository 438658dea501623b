"""Top-level URL routes: health, API, admin."""

from django.contrib import admin
from django.urls import include, path

from servicedesk.core.views import health

urlpatterns = [
    path("health", health, name="health"),
    path("api/v1/", include("servicedesk.api.urls")),
    path("admin/", admin.site.urls),
]
