from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Operations: health, request logging, the serve and worker commands."""

    name = "servicedesk.core"
