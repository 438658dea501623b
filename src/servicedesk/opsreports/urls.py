"""The desk's report pages (included in `desk.urls`, so their names are `desk:...`)."""

from django.urls import path

from servicedesk.opsreports import views

urlpatterns = [
    path("open-tickets/", views.open_tickets, name="report-open-tickets"),
    path("reaction-times/", views.reaction_times, name="report-reaction-times"),
    path("stale/", views.stale, name="report-stale"),
]
