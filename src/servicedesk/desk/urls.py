"""Routes of the agent desk."""

from django.urls import include, path
from django.views.generic import RedirectView

from servicedesk.desk import ticket_views, views

app_name = "desk"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="desk:queue"), {"queue": "mine"}, name="home"),
    path("queues/<slug:queue>/", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("views/", views.view_save, name="view-save"),
    path("views/<int:pk>/delete/", views.view_delete, name="view-delete"),
    path("phone/", views.phone, name="phone"),
    path("dashboard/", include("servicedesk.dashboard.urls")),
    path("reports/", include("servicedesk.opsreports.urls")),
    path("reports/compliance/", include("servicedesk.reports.urls")),
    path("reports/satisfaction/", include("servicedesk.surveys.desk_urls")),
    path("reports/review-pack/", include("servicedesk.reviewpack.desk_urls")),
    path("tickets/<str:number>/", ticket_views.ticket_page, name="ticket"),
    path("tickets/<str:number>/message/", ticket_views.message, name="message"),
    path("tickets/<str:number>/call/", ticket_views.call, name="call"),
    path("tickets/<str:number>/edit/", ticket_views.edit, name="edit"),
    path("tickets/<str:number>/take/", ticket_views.take, name="take"),
    path("tickets/<str:number>/status/", ticket_views.status, name="status"),
    path("tickets/<str:number>/priority/", ticket_views.priority, name="priority"),
    path("tickets/<str:number>/assign/", ticket_views.assign, name="assign"),
    path("tickets/<str:number>/link/", ticket_views.link, name="link"),
    path("tickets/<str:number>/split/", ticket_views.split, name="split"),
    path(
        "tickets/<str:number>/attachments/<int:attachment_id>/",
        ticket_views.attachment,
        name="attachment",
    ),
]
