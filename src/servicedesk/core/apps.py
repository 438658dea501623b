from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    """Operations: health, request logging, the serve and worker commands."""

    name = "servicedesk.core"


class DeskAdminConfig(admin_apps.AdminConfig):
    """Django's admin on a site that asks the policy who may sign in."""

    default = False
    default_site = "servicedesk.core.admin_site.DeskAdminSite"
