"""What the e-mail channel stores: mailboxes to poll, every inbound mail, every outbound mail.

Models hold data only: intake (`mail.intake`) and sending (`mail.outbound`) change them.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Team
from servicedesk.catalog.models import Product
from servicedesk.outbox.models import OutboxItem, unsent_index
from servicedesk.tickets.models import Message, Ticket


class Security(models.TextChoices):
    SSL = "ssl", _("TLS from the start (IMAPS, port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (only on a trusted network)")


class Mailbox(models.Model):
    """An IMAP mailbox that `servicedesk mail_poll` reads; its tickets go to a team/product."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("The mailbox's own address: mail from it is never answered."),
    )
    host = models.CharField(_("IMAP server"), max_length=200)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("transport security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=200)
    password = models.CharField(_("password"), max_length=300, blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    processed_folder = models.CharField(
        _("folder for processed mail"),
        max_length=200,
        blank=True,
        help_text=_(
            "Processed mail is moved here (every message in the folder is read). Empty: only "
            "unread mail is read, and it is marked read."
        ),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team for new tickets"),
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product of new tickets"),
    )
    active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not processed yet")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored (automated or duplicate)")
    REFUSED = "refused", _("Refused")
    QUARANTINED = "quarantined", _("Quarantined")


# Mail with one of these statuses has been handled: a later copy is a duplicate.
HANDLED_STATUSES = (InboundStatus.PROCESSED, InboundStatus.REFUSED, InboundStatus.IGNORED)
# An administrator may run these through the pipeline again.
RERUNNABLE_STATUSES = (InboundStatus.RECEIVED, InboundStatus.QUARANTINED, InboundStatus.REFUSED)


class InboundMail(models.Model):
    """One message as received, stored before anything else, with what became of it.

    `raw` holds the bytes exactly as they came (only the head when the message was over
    the size limit, see `truncated`), so a message can always be inspected and run through
    the pipeline again. `text` and `html` keep the full original bodies (the ticket shows
    only the new part of a reply); `html` is sanitised.
    """

    raw = models.BinaryField(_("raw message"))
    size = models.PositiveBigIntegerField(_("size in bytes"))
    truncated = models.BooleanField(
        _("only the head kept"),
        default=False,
        help_text=_("The message was over the size limit: only its head is stored."),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    source = models.CharField(_("source"), max_length=120)
    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_mails",
        verbose_name=_("mailbox"),
    )
    envelope_to = models.TextField(_("envelope recipients"), blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True, db_index=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=1000, blank=True)
    text = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML (sanitised)"), blank=True)
    defects = models.JSONField(_("defects"), default=list, blank=True)

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_mails",
        verbose_name=_("ticket"),
    )
    ticket_message = models.OneToOneField(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_mail",
        verbose_name=_("message"),
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("inbound mail")
        verbose_name_plural = _("inbound mail")
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_mail_sender"),
            models.Index(fields=["status", "received_at"], name="inbound_mail_status"),
        ]
        constraints = [
            # One message, one ticket entry: a second copy can never be processed too.
            # (The sender is part of it: some mailers reuse Message-IDs for other mail.)
            models.UniqueConstraint(
                fields=["message_id", "sender"],
                condition=Q(status="processed"),
                name="inbound_mail_processed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.sender} {self.subject[:60]}".strip()


class OutboundKind(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Confirmation of a new ticket")
    AGENT_REPLY = "agent_reply", _("Public reply")
    STATUS_CHANGED = "status_changed", _("Status change")
    REMINDER = "reminder", _("Reminder")
    CLOSED = "closed", _("Closed")
    REFUSED_REPORTER = "refused_reporter", _("Refusal: not allowed to report")
    REFUSED_CHANNEL = "refused_channel", _("Refusal: requests go through the portal")
    REFUSED_UNKNOWN = "refused_unknown", _("Refusal: unknown sender")
    TOO_LARGE = "too_large", _("Refusal: message too large")
    SURVEY = "survey", _("Satisfaction survey")
    OPS_DIGEST = "ops_digest", _("Weekly digest of stale and breached tickets")


class OutboundMail(OutboxItem):
    """One mail the desk sends: rendered once, sent in the background, retried on failure.

    A row of the outbox (`servicedesk.outbox`): claimed, sent, retried and given up there.
    Our `message_id` is what a customer's reply names in In-Reply-To/References, so it
    threads the reply onto `ticket`. `dedupe_key` makes a second request for the same
    notice (say, a confirmation) a no-op.
    """

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbound_mails",
        verbose_name=_("ticket"),
    )
    ticket_message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbound_mails",
        verbose_name=_("message"),
    )
    inbound = models.ForeignKey(
        InboundMail,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("in answer to"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutboundKind.choices)
    to = models.CharField(_("to"), max_length=320)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"))
    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=500, blank=True)
    references = models.TextField(_("References"), blank=True)
    threaded = models.BooleanField(
        _("threading headers set"),
        default=False,
        help_text=_("In-Reply-To and References are fixed at the first attempt to send."),
    )
    reply_to = models.CharField(_("Reply-To"), max_length=320, blank=True)
    auto_submitted = models.CharField(_("Auto-Submitted"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbound mail")
        verbose_name_plural = _("outbound mail")
        indexes = [
            unsent_index("outbound_mail_unsent"),
            models.Index(fields=["to", "kind", "created_at"], name="outbound_mail_to_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"
