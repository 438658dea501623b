from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class CoreConfig(AppConfig):
    """Operations: health, request logging, the serve and worker commands."""

    name = "servicedesk.core"
    default = True


class DeskAdminConfig(AdminConfig):
    """Django's admin on a site that asks the policy who may sign in."""

    default = False
    default_site = "servicedesk.core.admin_site.DeskAdminSite"
