"""Service levels and their immutable versions.

A `ServiceLevel` ("Gold") is what a contract points at; what it promises is in its
versions. Editing a level writes a new `ServiceLevelVersion` (number 1, 2, ...) and never
changes one: a ticket keeps the version it started under (`Ticket.service_level_version`),
so a change rewrites neither the due times of earlier tickets nor past reports.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ServiceLevel(models.Model):
    """A named service level; its name and description mirror its latest version."""

    key = models.SlugField(
        _("key"),
        max_length=60,
        unique=True,
        help_text=_("Stable name used by contracts and the API, e.g. gold. It cannot change."),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")

    def __str__(self) -> str:
        return self.name


class ImmutableVersionError(Exception):
    """Raised when code tries to change or delete a service-level version."""


class VersionQuerySet(models.QuerySet["ServiceLevelVersion"]):
    """Refuses bulk rewrites: a version, once written, is history."""

    def update(self, **kwargs: Any) -> int:
        raise ImmutableVersionError("service-level versions are immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableVersionError("service-level versions are immutable")


class ServiceLevelVersion(models.Model):
    """One version of a service level: its name, description and definition, never changed.

    `definition` is the checked, canonical form of `servicelevels.definition`.
    """

    service_level = models.ForeignKey(
        ServiceLevel,
        to_field="key",
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("service level"),
    )
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    definition = models.JSONField(_("definition"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["service_level", "-number"]
        verbose_name = _("service-level version")
        verbose_name_plural = _("service-level versions")
        constraints = [
            models.UniqueConstraint(
                fields=["service_level", "number"], name="service_level_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(name)s, version %(number)d") % {"name": self.name, "number": self.number})

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Tickets are measured by this version: what it promised must never change.
        if not self._state.adding:
            raise ImmutableVersionError("service-level versions are immutable")
        super().save(*args, **kwargs)
