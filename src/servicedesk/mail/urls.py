"""Routes of the e-mail channel: the inbound webhook."""

from django.urls import path

from servicedesk.mail import views

app_name = "mail"

urlpatterns = [
    path("inbound", views.inbound_webhook, name="inbound"),
]
