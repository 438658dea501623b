"""Outage notices (seed 003 "Communicatie verstoringen"): the notice, its history of updates,
the tickets linked to it, who subscribed, and the fan-out of each update.

Models hold data only: every change goes through `outages.services`; time-based work
(warnings, escalations, the automatic close, the fan-out) is done by `outages.fanout`,
driven by the scheduler tick.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact
from servicedesk.catalog.models import Product
from servicedesk.tickets.models import Level, Message, Ticket

# Seed 003: the next update follows at the solution or within 2 hours, and at least daily.
DEFAULT_CADENCE = datetime.timedelta(hours=2)
MAX_CADENCE = datetime.timedelta(hours=24)
# The responsible team manager is warned this long before an update is due.
WARN_BEFORE = datetime.timedelta(minutes=15)
# Seed 003: the notice closes 4 hours after the solution.
CLOSE_AFTER = datetime.timedelta(hours=4)


class OutageState(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


UNRESOLVED_STATES = frozenset(
    {OutageState.INVESTIGATING, OutageState.IDENTIFIED, OutageState.MONITORING}
)
UNRESOLVED = Q(state__in=sorted(UNRESOLVED_STATES))
UNCLOSED = ~Q(state=OutageState.CLOSED)


class Outage(models.Model):
    """A notice of a disruption that hits several customers: what, since when, how users
    notice it, who is responsible, and when the next update is promised.

    `warn_at`, `escalate_at` and `close_at` are the worker's "next look" columns (indexed,
    empty when there is nothing to do): the tick claims a due one by clearing it in the
    transaction that records what it does, so each is done exactly once.
    """

    title = models.CharField(_("title"), max_length=200)
    products = models.ManyToManyField(
        Product, related_name="outages", verbose_name=_("affected products")
    )
    started_at = models.DateTimeField(_("started"), db_index=True)
    symptoms = models.TextField(
        _("symptoms"), help_text=_("How users notice the disruption, in plain words.")
    )
    impact = models.CharField(_("impact"), max_length=10, choices=Level.choices, default=Level.HIGH)
    state = models.CharField(
        _("state"), max_length=20, choices=OutageState.choices, default=OutageState.INVESTIGATING
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="managed_outages",
        verbose_name=_("responsible team manager"),
    )
    cadence = models.DurationField(
        _("update cadence"),
        default=DEFAULT_CADENCE,
        help_text=_("How often an update follows while unresolved: at most a day."),
    )
    next_update_due_at = models.DateTimeField(_("next update due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    cause = models.TextField(
        _("cause"), blank=True, help_text=_("The cause in non-technical words, at resolution.")
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    # The worker's next looks (see the docstring).
    warn_at = models.DateTimeField(null=True, blank=True)
    escalate_at = models.DateTimeField(null=True, blank=True)
    close_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("outage notice")
        verbose_name_plural = _("outage notices")
        indexes = [
            models.Index(
                fields=["warn_at"], name="outage_warn_at", condition=Q(warn_at__isnull=False)
            ),
            models.Index(
                fields=["escalate_at"],
                name="outage_escalate_at",
                condition=Q(escalate_at__isnull=False),
            ),
            models.Index(
                fields=["close_at"], name="outage_close_at", condition=Q(close_at__isnull=False)
            ),
            models.Index(fields=["state"], name="outage_unclosed", condition=UNCLOSED),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence__lte=MAX_CADENCE) & Q(cadence__gt=datetime.timedelta(0)),
                name="outage_cadence_at_most_daily",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resolved(self) -> bool:
        return self.state in (OutageState.RESOLVED, OutageState.CLOSED)


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a recorded outage update."""


class OutageUpdateQuerySet(models.QuerySet["OutageUpdate"]):
    """Refuses bulk rewrites of a notice's history."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("outage updates are append-only")


class OutageUpdate(models.Model):
    """One entry of a notice's history: a public update (published, mailed and posted on
    the linked tickets) or an internal record of a change (`public` false). Never changed.

    `late` records whether it came after the update promised before it: the report counts
    promises kept from it.
    """

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(_("at"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    state = models.CharField(_("state"), max_length=20, choices=OutageState.choices)
    text = models.TextField(_("text"))
    cause = models.TextField(_("cause"), blank=True)
    next_update_due_at = models.DateTimeField(_("next update due"), null=True, blank=True)
    public = models.BooleanField(_("public"), default=True)
    late = models.BooleanField(_("later than promised"), default=False)

    objects = OutageUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("outage update")
        verbose_name_plural = _("outage updates")
        indexes = [models.Index(fields=["outage", "at"], name="outage_update_at")]

    def __str__(self) -> str:
        return f"{self.state} @ {self.at.isoformat()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("outage updates are append-only")
        super().save(*args, **kwargs)


class OutageFanout(models.Model):
    """The background delivery of one public update: posted on every linked ticket and
    mailed to the audience (CPCs, subscribers, requesters), in batches.

    `due_at` is the worker's next look (empty when done); `audience_done_at` marks the
    CPCs' and subscribers' mail done. Linking more tickets makes the latest update's
    fan-out due again from the first ticket: its `OutageDelivery` rows say which tickets
    already have it.
    """

    update = models.OneToOneField(OutageUpdate, on_delete=models.CASCADE, related_name="fanout")
    due_at = models.DateTimeField(null=True, blank=True)
    audience_done_at = models.DateTimeField(null=True, blank=True)
    # Cursors: the linked tickets are posted in id order, the audience mailed in id order;
    # the last ticket and contact done.
    tickets_after = models.BigIntegerField(default=0)
    audience_after = models.BigIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outage fan-out")
        verbose_name_plural = _("outage fan-outs")
        indexes = [
            models.Index(
                fields=["due_at"], name="outage_fanout_due", condition=Q(due_at__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"fan-out of {self.update_id}"


class OutageDelivery(models.Model):
    """An update posted on one linked ticket: written in the transaction of the post, and
    unique, so a fan-out run again never posts it twice."""

    update = models.ForeignKey(OutageUpdate, on_delete=models.CASCADE, related_name="deliveries")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("outage delivery")
        verbose_name_plural = _("outage deliveries")
        constraints = [
            models.UniqueConstraint(fields=["update", "ticket"], name="outage_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.update_id} -> {self.ticket_id}"


class OutageTicket(models.Model):
    """A ticket about the outage, linked by an agent or by the customer at intake."""

    outage = models.ForeignKey(Outage, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="outage_links")
    linked_at = models.DateTimeField(_("linked"))
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linked by"),
    )

    class Meta:
        ordering = ["linked_at", "pk"]
        verbose_name = _("ticket of an outage")
        verbose_name_plural = _("tickets of outages")
        constraints = [
            models.UniqueConstraint(fields=["outage", "ticket"], name="outage_ticket_once"),
        ]

    def __str__(self) -> str:
        return f"{self.outage_id} <- {self.ticket_id}"


class OutageSubscription(models.Model):
    """A contact who wants outage notices of a product (empty: of all their products)."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="outage_subscriptions"
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outage_subscriptions",
        verbose_name=_("product"),
        help_text=_("Empty: every product of the contact's organisation."),
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("outage subscription")
        verbose_name_plural = _("outage subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["contact", "product"], name="outage_subscription_once"),
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(product__isnull=True),
                name="outage_subscription_all_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.product_id or 'all'}"
