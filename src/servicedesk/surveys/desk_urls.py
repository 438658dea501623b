"""The desk's satisfaction page (included in `desk.urls`, so its names are `desk:...`)."""

from django.urls import path

from servicedesk.surveys import views

urlpatterns = [
    path("", views.desk_answers, name="satisfaction"),
]
