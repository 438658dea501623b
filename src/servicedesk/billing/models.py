"""Time logged on tickets, the credit bundles a contract buys, and what the time consumed.

Data only: `billing.services` writes them. A billable entry's minutes are split over the
contract's bundles (`CreditConsumption` rows, oldest valid bundle first) and, beyond the
credit, kept as the entry's `overuse_minutes`: consumption plus over-use is always the
billable time logged, and covered time consumes nothing.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.contracts.models import Contract
from servicedesk.tickets.models import Ticket

MAX_ENTRY_MINUTES = 24 * 60  # one entry is at most a day's work


class Activity(models.TextChoices):
    """What the time was spent on."""

    ANALYSIS = "analysis", _("Analysis")
    CONSULTING = "consulting", _("Consulting")
    DEVELOPMENT = "development", _("Development")
    TESTING = "testing", _("Testing")
    TRAINING = "training", _("Training")
    COMMUNICATION = "communication", _("Communication")
    OTHER = "other", _("Other")


class BundleKind(models.TextChoices):
    """A basic service bundle comes with the contract; credit bundles are bought on top."""

    BASIC = "basic", _("Basic service bundle")
    CREDIT = "credit", _("Credit bundle")


class CreditBundle(models.Model):
    """Hours a customer bought under a contract, usable from `valid_from` to `valid_to`.

    `low_alerted_at` and `exhausted_alerted_at` record the alerts at 80% used and at
    exhaustion: each is claimed once with a conditional UPDATE, so it is sent once.
    """

    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="credit_bundles",
        verbose_name=_("contract"),
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=BundleKind.choices, default=BundleKind.CREDIT
    )
    name = models.CharField(_("name"), max_length=120)
    hours = models.DecimalField(
        _("hours"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25"))],
        help_text=_("The hours bought."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    low_alerted_at = models.DateTimeField(_("80% alert sent"), null=True, blank=True)
    exhausted_alerted_at = models.DateTimeField(_("exhausted alert sent"), null=True, blank=True)

    class Meta:
        ordering = ["valid_from", "valid_to", "pk"]
        verbose_name = _("credit bundle")
        verbose_name_plural = _("credit bundles")
        indexes = [models.Index(fields=["contract", "valid_from"], name="bundle_contract_from")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="bundle_valid_to_after_from",
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="bundle_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.hours} h)"

    @property
    def minutes(self) -> int:
        """Return the bundle's size in whole minutes."""
        return int(self.hours * 60)


class TimeEntry(models.Model):
    """Time a staff member spent on a ticket: how long, on which day, on what, and whether
    it is billable. The note is internal: customers never read it."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="time_entries", verbose_name=_("ticket")
    )
    # The ticket's contract when the time was logged: its bundles are the ones consumed.
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_entries",
        verbose_name=_("contract"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("logged by"),
    )
    worked_on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"))
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices)
    billable = models.BooleanField(_("billable"), default=False)
    note = models.TextField(_("internal note"), blank=True)
    overuse_minutes = models.PositiveIntegerField(
        _("beyond the credit"), default=0, help_text=_("Billable minutes no bundle covered.")
    )
    created_at = models.DateTimeField(_("logged"))
    updated_at = models.DateTimeField(_("changed"))

    class Meta:
        ordering = ["worked_on", "created_at", "pk"]
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        indexes = [
            models.Index(fields=["ticket", "worked_on"], name="time_ticket_day"),
            models.Index(fields=["contract", "worked_on"], name="time_contract_day"),
            models.Index(fields=["worked_on"], name="time_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0, minutes__lte=MAX_ENTRY_MINUTES),
                name="time_minutes_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(overuse_minutes__lte=models.F("minutes")),
                name="time_overuse_within_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.ticket_id} ({self.worked_on.isoformat()})"


class CreditConsumption(models.Model):
    """The minutes of one billable entry taken from one bundle."""

    entry = models.ForeignKey(
        TimeEntry, on_delete=models.CASCADE, related_name="consumptions", verbose_name=_("entry")
    )
    bundle = models.ForeignKey(
        CreditBundle,
        on_delete=models.CASCADE,
        related_name="consumptions",
        verbose_name=_("bundle"),
    )
    minutes = models.PositiveIntegerField(_("minutes"))

    class Meta:
        ordering = ["entry", "bundle"]
        verbose_name = _("credit consumption")
        verbose_name_plural = _("credit consumption")
        constraints = [
            models.UniqueConstraint(fields=["entry", "bundle"], name="consumption_entry_bundle"),
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0), name="consumption_minutes_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min of {self.bundle_id} by {self.entry_id}"


class RunningTimer(models.Model):
    """A staff member's running timer on a ticket, kept on the server so a reload keeps it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="running_timers",
        verbose_name=_("user"),
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="running_timers", verbose_name=_("ticket")
    )
    started_at = models.DateTimeField(_("started"))

    class Meta:
        verbose_name = _("running timer")
        verbose_name_plural = _("running timers")
        constraints = [
            models.UniqueConstraint(fields=["user", "ticket"], name="timer_one_per_user_ticket"),
        ]

    def __str__(self) -> str:
        return f"timer {self.user_id} on {self.ticket_id}"
