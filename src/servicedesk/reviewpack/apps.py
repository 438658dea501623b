from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewPackConfig(AppConfig):
    """The quarterly service review pack per customer: a page in the desk, a PDF for both."""

    name = "servicedesk.reviewpack"
    label = "reviewpack"
    verbose_name = _("Service review packs")
