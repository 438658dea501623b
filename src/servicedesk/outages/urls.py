"""Routes of the outage pages, included at the root: the desk's notices under
`desk/outages/`, the status page and its feed under `status/`, and the portal's
subscription and report hint under `portal/outages/`."""

from django.urls import path

from servicedesk.outages import views
from servicedesk.outages.feeds import StatusFeed

app_name = "outages"

urlpatterns = [
    path("desk/outages/", views.desk_list, name="desk-list"),
    path("desk/outages/new/", views.desk_new, name="desk-new"),
    path("desk/outages/<int:pk>/", views.desk_notice, name="desk-notice"),
    path("desk/outages/<int:pk>/update/", views.desk_update, name="desk-update"),
    path("desk/outages/<int:pk>/link/", views.desk_link, name="desk-link"),
    path("desk/outages/<int:pk>/link-search/", views.desk_link_search, name="desk-link-search"),
    path("desk/outages/ticket/<str:number>/", views.desk_ticket_link, name="desk-ticket-link"),
    path("status/", views.status_page, name="status"),
    path("status/feed.atom", StatusFeed(), name="status-feed"),
    path("status/<int:pk>/", views.status_notice, name="status-notice"),
    path("portal/outages/subscription/", views.portal_subscription, name="subscription"),
    path("portal/outages/hint/", views.intake_hint, name="intake-hint"),
]
