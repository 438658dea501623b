"""Routes of billing: the ticket page's time panel, the billing report, the credit page."""

from django.urls import path

from servicedesk.billing import views

app_name = "billing"

urlpatterns = [
    path("tickets/<str:number>/timer/start/", views.timer_start, name="timer-start"),
    path("tickets/<str:number>/timer/stop/", views.timer_stop, name="timer-stop"),
    path("tickets/<str:number>/time/", views.entry_create, name="entry-create"),
    path("time/<int:entry_id>/", views.entry_update, name="entry-update"),
    path("time/<int:entry_id>/delete/", views.entry_delete, name="entry-delete"),
    path("report/", views.report_page, name="report"),
    path("report/csv/", views.report_download, name="report-csv"),
    path("credit/", views.credit_page, name="credit"),
    path("credit/<int:contract_id>/", views.credit_page, name="credit-contract"),
]
