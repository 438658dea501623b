"""The desk's compliance report (included in `desk.urls`, so its names are `desk:...`)."""

from django.urls import path

from servicedesk.reports import views

urlpatterns = [
    path("", views.compliance, name="compliance"),
    path("csv/", views.compliance_download, name="compliance-csv"),
]
