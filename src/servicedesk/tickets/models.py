"""Tickets, messages, attachments, links and the append-only event history.

Models hold data only: every change goes through `tickets.services`.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact, Organisation, Supplier, SupportLine, Team
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract


class Kind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    QUESTION = "question", _("Question")
    CHANGE_REQUEST = "change_request", _("Change request")
    APPLICATION_SERVICE = "application_service", _("Application service")
    COMPLAINT = "complaint", _("Complaint")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    API = "api", _("API")


class Status(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    WAITING_ON_SUPPLIER = "waiting_on_supplier", _("Waiting on supplier")
    PARKED = "parked", _("Parked")
    SOLUTION_OFFERED = "solution_offered", _("Solution offered")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


OPEN_STATUSES = frozenset(Status) - {Status.CLOSED}
# The same condition as SQL, written as the partial indexes of open tickets are, so that
# PostgreSQL and SQLite can see a query on open tickets may use them.
OPEN = ~models.Q(status=Status.CLOSED)


class Level(models.TextChoices):
    """Impact and urgency (seed 001): high, medium, low."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Reproducible(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class TicketNumber(models.Model):
    """The last ticket number handed out; numbers are never reused, even after a delete."""

    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last)


class Ticket(models.Model):
    """A customer's request: an incident, question, change request, service or complaint."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.INCIDENT)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    steps_taken = models.TextField(_("steps taken"), blank=True)
    expected_result = models.TextField(_("expected result"), blank=True)
    actual_result = models.TextField(_("actual result"), blank=True)
    reproducible = models.CharField(
        _("reproducible"),
        max_length=10,
        choices=Reproducible.choices,
        default=Reproducible.UNKNOWN,
    )
    administration = models.CharField(_("administration"), max_length=200, blank=True)
    affected_users = models.TextField(_("affected users"), blank=True)
    business_impact = models.TextField(_("business impact"), blank=True)
    recent_changes = models.TextField(_("recent changes"), blank=True)

    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL
    )
    requester = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("requester")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("organisation"),
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("contract"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("product"),
    )
    impact = models.CharField(_("impact"), max_length=10, choices=Level.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Level.choices, blank=True)
    requested_priority = models.CharField(_("requested priority"), max_length=20, blank=True)
    priority = models.CharField(_("priority"), max_length=20)
    priority_rank = models.PositiveSmallIntegerField(
        _("priority rank"), default=0, help_text=_("1 is the most urgent; used for ordering.")
    )
    priority_justification = models.TextField(_("priority justification"), blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("team"),
    )
    support_line = models.PositiveSmallIntegerField(
        _("support line"), choices=SupportLine.choices, default=SupportLine.SECOND
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("supplier"),
    )
    supplier_reference = models.CharField(_("supplier reference"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Denormalised from the ticket's clocks for queues and sweeps (see tickets.sla).
    sla_due_at = models.DateTimeField(
        _("next SLA due"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The earliest due time of a running SLA clock."),
    )
    sla_next_check_at = models.DateTimeField(
        _("next SLA check"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When time alone next changes an SLA clock (a warning or a breach)."),
    )
    sla_warn_at = models.DateTimeField(
        _("next SLA warning"),
        null=True,
        blank=True,
        help_text=_("The earliest warning time of a running SLA clock."),
    )
    sla_breached = models.BooleanField(
        _("SLA breached"), default=False, help_text=_("Whether an SLA clock has breached.")
    )
    service_level_version = models.ForeignKey(
        "servicelevels.ServiceLevelVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("service-level version"),
        help_text=_(
            "The version of its contract's service level the ticket is measured by, set when "
            "its clocks are first computed: a later edit of the level does not change it."
        ),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "priority_rank"], name="ticket_status_rank"),
            models.Index(fields=["organisation", "status"], name="ticket_org_status"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["requester", "status"], name="ticket_requester_status"),
            # "All tickets", latest change first.
            models.Index(fields=["updated_at", "id"], name="ticket_updated_order"),
            # The queues: open tickets in working order, everyone's and per assignee.
            models.Index(
                fields=["priority_rank", "sla_due_at", "created_at", "id"],
                name="ticket_open_work_order",
                condition=OPEN,
            ),
            models.Index(
                fields=["assignee", "priority_rank", "sla_due_at", "created_at", "id"],
                name="ticket_open_assignee_order",
                condition=OPEN,
            ),
            models.Index(fields=["sla_due_at"], name="ticket_open_due", condition=OPEN),
            # Everything the queue counts look at, so that PostgreSQL counts from the index
            # alone (an index-only scan) instead of visiting every open ticket's row.
            models.Index(
                fields=["status"],
                include=[
                    "id",
                    "assignee",
                    "team",
                    "product",
                    "sla_due_at",
                    "sla_warn_at",
                    "sla_breached",
                ],
                name="ticket_open_counts",
                condition=OPEN,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class LinkKind(models.TextChoices):
    DUPLICATE_OF = "duplicate_of", _("Duplicate of")
    RELATED = "related", _("Related to")
    SPLIT_FROM = "split_from", _("Split from")


class TicketLink(models.Model):
    """A directed link from one ticket to another."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticket_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="ticket_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")


class Message(models.Model):
    """One entry of a ticket's conversation: a public reply or an internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author (contact)"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.visibility} {self.pk}"

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Store attachments per ticket, under a random name so names never collide or leak."""
    import uuid

    return f"attachments/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a ticket, optionally belonging to one message."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    internal = models.BooleanField(
        _("internal"), default=False, help_text=_("Only staff see internal attachments.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a recorded event."""


class AppendOnlyQuerySet(models.QuerySet["TicketEvent"]):
    """Refuses bulk rewrites of history; deleting a ticket still removes its events."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("ticket events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ticket events are append-only")


class EventAction(models.TextChoices):
    """What a ticket event records: the vocabulary of a ticket's history."""

    CREATED = "created", _("Created")
    UPDATED = "updated", _("Changed")
    ASSIGNED = "assigned", _("Assigned")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    OUTCOME = "outcome", _("Outcome")
    NOTE_ADDED = "note_added", _("Internal note")
    AGENT_REPLIED = "agent_replied", _("Reply from the service desk")
    CUSTOMER_REPLIED = "customer_replied", _("Reply from the customer")
    CALL_LOGGED = "call_logged", _("Phone call")
    WORKAROUND_OFFERED = "workaround_offered", _("Workaround offered")
    LINKED = "linked", _("Linked")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    ATTACHMENT_INTERNAL = "attachment_internal", _("Internal attachment added")
    NOTIFIED = "notified", _("Customer notified")
    NOTIFIED_STAFF = "notified_staff", _("Staff notified")
    SLA_WARNING = "sla_warning", _("SLA target threatened")
    SLA_BREACHED = "sla_breached", _("SLA target breached")
    CHANGE_DECIDED = "change_decided", _("Change decision")
    PROPOSAL_SENT = "proposal_sent", _("Proposal sent")
    PROPOSAL_ANSWERED = "proposal_answered", _("Proposal answered")
    PROPOSAL_LAPSED = "proposal_lapsed", _("Proposal lapsed")
    CHANGE_PLANNED = "change_planned", _("Change planned")
    CHANGE_RELEASED = "change_released", _("Change released")
    COVERAGE_DECIDED = "coverage_decided", _("Coverage decided")
    BILLABLE_ANSWERED = "billable_answered", _("Billable work answered")
    TIME_LOGGED = "time_logged", _("Time logged")
    OUTAGE_LINKED = "outage_linked", _("Linked to an outage")
    OUTAGE_UPDATE = "outage_update", _("Outage update")


class TicketEvent(models.Model):
    """One recorded change to a ticket: who, when, what, old and new value. Never changed."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=40, choices=EventAction.choices)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.action} {self.field}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # History is evidence for SLA disputes: it is written once and never rewritten.
        if self.pk is not None:
            raise AppendOnlyError("ticket events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ticket events are append-only")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    NONE = "none", _("No target")


class TicketClock(models.Model):
    """The stored state of one SLA target of a ticket, as last computed by the SLA engine."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks")
    key = models.CharField(_("target"), max_length=40)
    metric = models.CharField(_("metric"), max_length=30)
    state = models.CharField(_("state"), max_length=10, choices=ClockState.choices)
    priority = models.CharField(_("priority"), max_length=20, blank=True)
    target_seconds = models.PositiveIntegerField(_("target"), null=True, blank=True)
    objective_percent = models.FloatField(_("objective"), null=True, blank=True)
    internal = models.BooleanField(_("internal target"), default=False)
    no_target_reason = models.CharField(_("why no target"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    remaining_seconds = models.IntegerField(_("remaining"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))
    # Set once, by a conditional update, so each warning and breach is recorded once.
    warning_recorded_at = models.DateTimeField(null=True, blank=True)
    breach_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ticket", "pk"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "key"], name="ticket_clock_unique"),
        ]
        indexes = [
            # The compliance report counts a met clock at met_at, one that may be missed at
            # due_at, a running one and one without a target by their start: one partial
            # index each, so a period reads only the clocks it counts.
            models.Index(fields=["met_at"], name="clock_met_at", condition=models.Q(state="met")),
            models.Index(
                fields=["due_at"],
                name="clock_may_miss_due",
                condition=models.Q(state__in=["breached", "running", "paused"]),
            ),
            models.Index(
                fields=["started_at"],
                name="clock_undecided_started",
                condition=models.Q(state__in=["running", "paused"]),
            ),
            models.Index(
                fields=["started_at"], name="clock_none_started", condition=models.Q(state="none")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.state}"
