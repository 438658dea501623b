from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API, version 1."""

    name = "servicedesk.api"
