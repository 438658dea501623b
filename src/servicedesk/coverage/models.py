"""Coverage decisions: who pays for a ticket's work (seeds 000, 004).

Data only: `coverage.services` writes them. Every decision is kept; a ticket's current
decision is its latest. The customer's agreement to billable work is kept on the decision
it answers, and is given once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.contracts.models import RequestType
from servicedesk.tickets.models import Message, Ticket


class Decision(models.TextChoices):
    """Who pays: maintenance (covered), the customer (billable) or the vendor (warranty)."""

    COVERED = "covered", _("Covered by maintenance")
    BILLABLE = "billable", _("Billable")
    WARRANTY = "warranty", _("Warranty (at the vendor's cost)")


class Agreement(models.TextChoices):
    """Where the customer's agreement to billable work stands."""

    NOT_NEEDED = "not_needed", _("Not needed")
    AWAITING = "awaiting", _("Awaiting the customer's agreement")
    AGREED = "agreed", _("Agreed")
    DECLINED = "declined", _("Declined")


class CoverageDecision(models.Model):
    """An agent's decision on who pays for a ticket's work, with the desk's suggestion."""

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="coverage_decisions",
        verbose_name=_("ticket"),
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    suggested = models.CharField(
        _("suggested"), max_length=20, choices=Decision.choices, blank=True
    )
    request_type = models.CharField(_("request type"), max_length=30, choices=RequestType.choices)
    against_specification = models.BooleanField(_("against its specification"), default=False)
    not_as_is = models.BooleanField(_("not delivered 'as is'"), default=False)
    # Internal: never shown to the customer.
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), db_index=True)
    notice = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notice to the customer"),
    )
    agreement = models.CharField(
        _("customer's agreement"),
        max_length=20,
        choices=Agreement.choices,
        default=Agreement.NOT_NEEDED,
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer_comment = models.TextField(_("customer's comment"), blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("coverage decision")
        verbose_name_plural = _("coverage decisions")
        indexes = [models.Index(fields=["ticket", "-decided_at", "-id"], name="coverage_latest")]

    def __str__(self) -> str:
        return f"{self.decision} ({self.ticket_id})"
