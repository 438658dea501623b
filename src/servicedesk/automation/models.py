"""Automation state: scheduled actions, notifications and the RACI matrix.

Models hold data only. Actions are scheduled and cancelled by the ticket services (through
`automation.schedule`) and done by the scheduler tick (`automation.tick`); notifications are
recorded by `automation.notify` and sent by the outbox (`servicedesk.outbox`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact, StaffRole
from servicedesk.outbox.models import OutboxItem, unsent_index
from servicedesk.tickets.models import Kind, Ticket


class ActionKind(models.TextChoices):
    """What a scheduled action does when it is due."""

    REMINDER_1 = "reminder_1", _("First reminder")
    REMINDER_2 = "reminder_2", _("Second reminder")
    AUTO_CLOSE = "auto_close", _("Automatic close")
    UNASSIGNED_ALERT = "unassigned_alert", _("Alert: still unassigned")


class ActionOutcome(models.TextChoices):
    """What became of a done action."""

    DONE = "done", _("Done")
    SUPERSEDED = "superseded", _("Superseded by a later step that was also due")
    OBSOLETE = "obsolete", _("No longer applies")
    FAILED = "failed", _("Failed")


PENDING = Q(done_at__isnull=True, cancelled_at__isnull=True)


class ScheduledAction(models.Model):
    """A time-based rule's next step for one ticket: what to do and when.

    Pending until the tick does it (`done_at`) or a change to the ticket cancels it
    (`cancelled_at`). A ticket has at most one pending action of each kind. The action is
    only valid while the ticket keeps `while_status` (when set); the tick checks again.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="scheduled_actions", verbose_name=_("ticket")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ActionKind.choices)
    while_status = models.CharField(_("while the status is"), max_length=30, blank=True)
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("scheduled"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ActionOutcome.choices, blank=True
    )
    claimed_by = models.CharField(_("done by worker"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("scheduled action")
        verbose_name_plural = _("scheduled actions")
        indexes = [
            # The tick's query: pending actions by due time; done ones are not indexed.
            models.Index(fields=["due_at", "id"], name="action_pending_due", condition=PENDING),
            models.Index(fields=["ticket", "kind"], name="action_ticket_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind"], condition=PENDING, name="action_one_pending_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.due_at.isoformat()}"


class Rule(models.TextChoices):
    """Why a notification is sent."""

    REMINDER_1 = "reminder_1", _("First reminder")
    REMINDER_2 = "reminder_2", _("Second reminder")
    AUTO_CLOSE = "auto_close", _("Closed automatically")
    UNASSIGNED_ALERT = "unassigned_alert", _("Still unassigned")
    TOP_PRIORITY_REPORTED = "top_priority_reported", _("Highest priority reported")
    FIRST_RESPONSE_ALERT = "first_response_alert", _("No first response within the target")
    INTERNAL_TARGET_MISSED = "internal_target_missed", _("Internal target missed")
    SLA_WARNING = "sla_warning", _("SLA target threatened")
    SLA_BREACHED = "sla_breached", _("SLA target breached")
    SURVEY_DETRACTOR = "survey_detractor", _("Low satisfaction score")
    PROPOSAL_SENT = "proposal_sent", _("Change proposal")
    PROPOSAL_REMINDER = "proposal_reminder", _("Change proposal awaiting an answer")
    PROPOSAL_LAPSED = "proposal_lapsed", _("Change proposal lapsed")
    PROPOSAL_ANSWERED = "proposal_answered", _("Change proposal answered")
    CHANGE_PLANNED = "change_planned", _("Change planned")
    CHANGE_CLOSED = "change_closed", _("Change released or rejected")
    BILLABLE_NOTICE = "billable_notice", _("Billable work")
    CREDIT_LOW = "credit_low", _("Credit 80% used")
    CREDIT_EXHAUSTED = "credit_exhausted", _("Credit used up")
    OUTAGE_UPDATE = "outage_update", _("Outage update")


class Audience(models.TextChoices):
    """Who a notification is for: customers see theirs on the ticket; staff alerts are internal."""

    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Staff")


class NotificationChannel(models.TextChoices):
    """How a notification reaches its recipient besides the ticket's timeline."""

    EMAIL = "email", _("E-mail")
    TIMELINE = "timeline", _("Timeline only (no e-mail address)")


class Notification(OutboxItem):
    """One message about one ticket to one recipient, created once and sent once.

    A row of the outbox (`servicedesk.outbox`): created in the same transaction as its
    cause, with a unique `dedupe_key`, so a rule evaluated twice creates it once; claimed,
    sent, retried and given up there. A customer's reminder or closing mail is handed to
    the e-mail channel when it is created (`sent_at` then): its `OutboundMail`, keyed by
    this dedupe key, is sent and retried there.
    """

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("ticket")
    )
    rule = models.CharField(_("rule"), max_length=30, choices=Rule.choices)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices)
    role = models.CharField(_("as role"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=NotificationChannel.choices,
        default=NotificationChannel.EMAIL,
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    dedupe_key = models.CharField(_("dedupe key"), max_length=150, unique=True)  # always set
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            unsent_index("notification_unsent"),
            models.Index(fields=["ticket", "created_at"], name="notification_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} to {self.email or self.role}"


class RaciStep(models.TextChoices):
    """The process steps of seed 003's RACI matrices."""

    INTAKE = "intake", _("Intake")
    HANDLING = "handling", _("Handling")
    CLOSING = "closing", _("Closing")
    ESCALATION = "escalation", _("Escalation")
    OUTAGE = "outage", _("Outage communication")
    CHANGE_PROPOSAL = "change_proposal", _("Change proposal")
    CREDIT = "credit", _("Billable work and credit")


CUSTOMER_ROLE = "customer"


class RaciRole(models.TextChoices):
    """Who a RACI letter is given to: the customer (the requester) or a staff role."""

    CUSTOMER = CUSTOMER_ROLE, _("Customer (requester)")
    AGENT = StaffRole.AGENT.value, _("Agent (assignee)")
    TEAM_LEAD = StaffRole.TEAM_LEAD.value, _("Team lead")
    SERVICE_MANAGER = StaffRole.SERVICE_MANAGER.value, _("Service manager")
    ADMINISTRATOR = StaffRole.ADMINISTRATOR.value, _("Administrator")


class RaciLetter(models.TextChoices):
    """Responsible, Accountable, Consulted, Informed."""

    RESPONSIBLE = "R", _("Responsible")
    ACCOUNTABLE = "A", _("Accountable")
    CONSULTED = "C", _("Consulted")
    INFORMED = "I", _("Informed")


class RaciEntry(models.Model):
    """One letter of the RACI matrix: in this step, for this kind, this role is R, A, C or I.

    A role may hold several letters in one step (one row each). Notifications of a step go
    to the roles holding the letters the rule names (usually A and I).
    """

    step = models.CharField(_("step"), max_length=20, choices=RaciStep.choices)
    kind = models.CharField(_("ticket kind"), max_length=30, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=20, choices=RaciRole.choices)
    letter = models.CharField(_("letter"), max_length=1, choices=RaciLetter.choices)

    class Meta:
        ordering = ["step", "kind", "role", "letter"]
        verbose_name = _("RACI entry")
        verbose_name_plural = _("RACI matrix")
        constraints = [
            models.UniqueConstraint(
                fields=["step", "kind", "role", "letter"], name="raci_entry_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step}/{self.kind}: {self.role} {self.letter}"
