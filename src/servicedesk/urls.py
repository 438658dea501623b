"""Top-level URL routes: health, API, admin."""

from django.contrib import admin
from django.urls import include, path

from servicedesk.core.views import health
from servicedesk.portal.account_views import home

urlpatterns = [
    path("health", health, name="health"),
    path("api/v1/", include("servicedesk.api.urls")),
    path("admin/", admin.site.urls),
    path("", home, name="home"),
    path("accounts/", include("servicedesk.portal.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("servicedesk.portal.urls")),
    path("desk/", include("servicedesk.desk.urls")),
    path("mail/", include("servicedesk.mail.urls")),
    path("survey/", include("servicedesk.surveys.urls")),
    path("changes/", include("servicedesk.changes.urls")),
    path("billing/", include("servicedesk.billing.urls")),
    path("", include("servicedesk.outages.urls")),  # desk/outages/, status/, portal/outages/
    path("coverage/", include("servicedesk.coverage.urls")),
]
