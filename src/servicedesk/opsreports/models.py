"""The weekly digest's runs: one row per week, claimed once. Data only: `opsreports.digest`
writes them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestRun(models.Model):
    """One week's digest of stale and breached tickets, sent once.

    Its `week` (the local date of that week's digest time) is unique: the worker whose insert
    succeeds sends the digest in the same transaction; another worker's insert fails and it
    sends nothing, and a crash rolls both back, so the next tick sends it.
    """

    week = models.DateField(_("week of"), unique=True)
    claimed_at = models.DateTimeField(_("sent"))
    claimed_by = models.CharField(_("sent by worker"), max_length=100, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    tickets = models.PositiveIntegerField(_("tickets reported"), default=0)

    class Meta:
        ordering = ["-week"]
        verbose_name = _("weekly digest")
        verbose_name_plural = _("weekly digests")

    def __str__(self) -> str:
        return str(self.week)
