"""The public survey page: answered through its signed link, without signing in."""

from django.urls import path

from servicedesk.surveys import views

app_name = "surveys"

urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
]
