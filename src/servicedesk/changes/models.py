"""Change proposals: what the desk offers for a change request, and the customer's answer.

Models hold data only: every change goes through `changes.services`. The desk's decision
on a change request (rejected, roadmap, proposal) is recorded in the ticket's history
(`change_decided`); a proposal is a row here, one per version.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact
from servicedesk.tickets.models import Ticket


class Decision(models.TextChoices):
    """The desk's decision on a change request (seeds 000, 001)."""

    REJECTED = "rejected", _("Rejected")
    ROADMAP = "roadmap", _("Taken into the product roadmap")
    PROPOSAL = "proposal", _("Proposal to the customer")


class Pricing(models.TextChoices):
    """How a proposal's price is set."""

    HOURLY = "hourly", _("Estimate x hourly rate")
    FIXED = "fixed", _("Fixed price")


class ProposalState(models.TextChoices):
    """Where a proposal stands."""

    PENDING = "pending", _("Awaiting the customer's answer")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    LAPSED = "lapsed", _("Lapsed: not answered in time")
    SUPERSEDED = "superseded", _("Replaced by a revised proposal")
    PLANNED = "planned", _("Planned")
    RELEASED = "released", _("Released")


PENDING = Q(state=ProposalState.PENDING)
# The states in which a proposal is the change's agreed plan.
AGREED_STATES = frozenset({ProposalState.ACCEPTED, ProposalState.PLANNED, ProposalState.RELEASED})


class Proposal(models.Model):
    """One version of the desk's proposal for a change request: scope, approach, impact,
    estimate, price and planning window; then the customer's answer and the planning.

    A revision is a new row with the next `version`; the earlier one is superseded and
    stays readable. `next_look_at` is when time alone next changes a pending proposal
    (the reminder, then the lapse): the worker's tick claims it with a conditional UPDATE.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("ticket")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    state = models.CharField(
        _("state"), max_length=20, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    scope = models.TextField(_("scope"))
    approach = models.TextField(_("approach"), blank=True)
    impact = models.TextField(_("impact"), blank=True)
    estimate_hours = models.DecimalField(_("estimate (hours)"), max_digits=7, decimal_places=2)
    pricing = models.CharField(
        _("pricing"), max_length=10, choices=Pricing.choices, default=Pricing.HOURLY
    )
    hourly_rate = models.DecimalField(
        _("hourly rate"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    window_start = models.DateField(_("proposed start"), null=True, blank=True)
    window_end = models.DateField(_("proposed end"), null=True, blank=True)
    internal_note = models.TextField(
        _("internal note"),
        blank=True,
        help_text=_("For the desk only; the customer never sees it."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("sent"))
    answer_due_at = models.DateTimeField(_("answer due"))
    remind_at = models.DateTimeField(_("reminder at"), null=True, blank=True)
    next_look_at = models.DateTimeField(_("next look"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("lapsed"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answer_comment = models.TextField(_("comment"), blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consultant"),
    )
    planned_at = models.DateTimeField(_("planned"), null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["ticket", "-version"]
        verbose_name = _("change proposal")
        verbose_name_plural = _("change proposals")
        indexes = [
            # The tick's query: pending proposals by when to look next; others not indexed.
            models.Index(
                fields=["next_look_at", "id"], name="proposal_pending_look", condition=PENDING
            ),
            models.Index(fields=["state", "created_at"], name="proposal_state_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "version"], name="proposal_version_unique"),
            models.UniqueConstraint(
                fields=["ticket"], condition=PENDING, name="proposal_one_pending_per_ticket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} v{self.version} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state == ProposalState.PENDING
