"""Routes of the customer portal."""

from django.urls import include, path

from servicedesk.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("report/", views.report_start, name="report-start"),
    path("review-packs/", include("servicedesk.reviewpack.portal_urls")),
    path("report/<slug:kind>/", views.report, name="report"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:number>/submitted/", views.report_done, name="report-done"),
    path("tickets/<str:number>/reply/", views.reply, name="reply"),
    path("tickets/<str:number>/confirm/", views.confirm, name="confirm"),
    path("tickets/<str:number>/reopen/", views.reopen, name="reopen"),
    path("tickets/<str:number>/close/", views.close, name="close"),
    path(
        "tickets/<str:number>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
