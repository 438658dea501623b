"""What the reports keep beside the tickets: each settled clock's time per holder."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Supplier
from servicedesk.tickets.models import TicketClock


class HolderKind(models.TextChoices):
    """Who held a ticket (the values of `servicedesk.sla.attribution.Holder`)."""

    LINE1 = "line1", _("Line 1")
    LINE2 = "line2", _("Line 2")
    LINE3 = "line3", _("Line 3")
    SUPPLIER = "supplier", _("Supplier")
    CUSTOMER = "customer", _("Customer")


class ClockShare(models.Model):
    """The time one holder had of a met or missed SLA clock, in seconds of the clock's own
    calendar: counted (the clock ran), of which over target (after its due instant), and
    paused (the clock stood still, e.g. waiting on the customer: shown, never counted).

    Written when the ticket's clocks are refreshed (`servicedesk.reports.shares`), so the
    compliance report sums it in the database.
    """

    clock = models.ForeignKey(
        TicketClock, on_delete=models.CASCADE, related_name="shares", verbose_name=_("SLA clock")
    )
    holder = models.CharField(_("held by"), max_length=10, choices=HolderKind.choices)
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
    )
    seconds = models.PositiveIntegerField(_("counted seconds"), default=0)
    over_seconds = models.PositiveIntegerField(_("seconds over target"), default=0)
    paused_seconds = models.PositiveIntegerField(_("paused seconds"), default=0)

    class Meta:
        ordering = ["clock", "pk"]
        verbose_name = _("SLA clock share")
        verbose_name_plural = _("SLA clock shares")

    def __str__(self) -> str:
        return f"{self.holder}: {self.seconds}s"
