"""The dashboard's route (included in `desk.urls`, so its name is `desk:dashboard`)."""

from django.urls import path

from servicedesk.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
