"""Every change to a ticket goes through one of these functions.

Each validates the rule, writes the change and its event in one transaction, and
raises `django.core.exceptions.ValidationError` (keyed by the field at fault) when
the change is not allowed. Views, API, mail intake and commands only call them.

Time-based rules ride along in the same transaction (`servicedesk.automation`): a status
change schedules or cancels reminders and the automatic close, a new ticket schedules the
unassigned alert, an assignment cancels it, and SLA warnings and breaches recorded on the
way become notifications.
"""

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, Supplier, Team, User
from servicedesk.automation import notify as automation_notify
from servicedesk.automation import schedule
from servicedesk.automation.policy import rule_settings
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract, Reporters
from servicedesk.mail import outbound
from servicedesk.tickets import priorities, workflow
from servicedesk.tickets.models import (
    Attachment,
    Channel,
    Kind,
    Level,
    LinkKind,
    Message,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
    Visibility,
)
from servicedesk.tickets.numbering import next_ticket_number
from servicedesk.tickets.sla import sla_refresh

DESCRIPTION_FIELDS = (
    "description",
    "steps_taken",
    "expected_result",
    "actual_result",
    "reproducible",
    "administration",
    "affected_users",
    "business_impact",
    "recent_changes",
)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


def _refresh_sla(
    ticket: Ticket, *, at: datetime.datetime, created: TicketEvent | None = None
) -> None:
    """Recompute the ticket's SLA clocks and notify the warnings and breaches they record."""
    clocks = sla_refresh(ticket, now=at, created=created)
    if automation_notify.sla_events_possible(clocks, at=at):
        automation_notify.sla_events_notify(ticket, at=at)


def _lock_current(ticket: Ticket) -> None:
    """Lock the ticket's row for this transaction and bring its status fields up to date.

    The worker changes tickets behind a caller's back (an automatic close); a status
    decision must be taken on the stored status, and the lock keeps it stored until commit.
    """
    row = (
        Ticket.objects.select_for_update()
        .filter(pk=ticket.pk)
        .values("status", "closed_at", "resolved_at")
        .first()
    )
    if row is not None:
        ticket.status, ticket.closed_at, ticket.resolved_at = (
            row["status"], row["closed_at"], row["resolved_at"]
        )  # fmt: skip


def _is_staff(user: User | None) -> bool:
    return user is not None and bool(user.role or user.is_superuser)


def _event(
    ticket: Ticket,
    *,
    actor: User | None,
    action: str,
    at: datetime.datetime,
    field: str = "",
    old: object = "",
    new: object = "",
    note: str = "",
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        action=action,
        at=at,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        note=note,
    )


def contract_for(
    *, contact: Contact, product: Product | None, on: datetime.date
) -> Contract | None:
    """Return the active contract that covers the product for the contact's organisation."""
    contracts = Contract.objects.filter(
        organisation_id=contact.organisation_id, active=True, starts_on__lte=on
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    if product is not None:
        covering = contracts.filter(products=product).first()
        if covering is not None:
            return covering
    return contracts.order_by("starts_on", "pk").first()


def may_report(*, contact: Contact, contract: Contract | None, product: Product | None) -> bool:
    """Return whether the contact may report under the contract (seed 000: CPC/key users)."""
    if contract is None or contract.reporters == Reporters.ANY_CONTACT:
        return True
    if contact.is_cpc:
        return True
    if product is None:
        return contact.key_user_products.exists()
    return contact.key_user_products.filter(pk=product.pk).exists()


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": [_("A title is required.")]})
    return title


def _check_choice(field: str, value: str, choices: type[Any]) -> None:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ValidationError(
            {
                field: [
                    _("%(value)r is not one of: %(allowed)s.")
                    % {"value": value, "allowed": allowed}
                ]
            }
        )


@transaction.atomic
def ticket_create(
    *,
    requester: Contact,
    title: str,
    kind: str = Kind.INCIDENT,
    channel: str = Channel.PORTAL,
    product: Product | None = None,
    impact: str = "",
    urgency: str = "",
    requested_priority: str = "",
    details: Mapping[str, str] | None = None,
    actor: User | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Create and return a ticket for the requester, with its number and first event."""
    at = _now(now)
    title = _clean_title(title)
    _check_choice("kind", kind, Kind)
    _check_choice("channel", channel, Channel)
    for field, value in (("impact", impact), ("urgency", urgency)):
        if value:
            _check_choice(field, value, Level)
    if not requester.active:
        raise ValidationError({"requester": [_("This contact is no longer active.")]})
    if product is not None and not product.active:
        raise ValidationError({"product": [_("This product is no longer supported.")]})
    details = dict(details or {})
    unknown = set(details) - set(DESCRIPTION_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown description field.")]})

    contract = contract_for(contact=requester, product=product, on=timezone.localdate(at))
    if not may_report(contact=requester, contract=contract, product=product):
        raise ValidationError(
            {
                "requester": [
                    _(
                        "Under this contract only the central point of contact and key users "
                        "may report."
                    )
                ]
            }
        )
    scheme = priorities.scheme_for(contract)
    if requested_priority and not scheme.has(requested_priority):
        raise ValidationError(
            {
                "requested_priority": [
                    _("Choose one of: %(codes)s.") % {"codes": ", ".join(scheme.codes())}
                ]
            }
        )
    priority = requested_priority or priorities.suggest(scheme, impact=impact, urgency=urgency)

    ticket = Ticket(
        number=next_ticket_number(),
        kind=kind,
        title=title,
        channel=channel,
        requester=requester,
        organisation=requester.organisation,
        contract=contract,
        product=product,
        impact=impact,
        urgency=urgency,
        requested_priority=requested_priority,
        priority=priority,
        priority_rank=scheme.rank(priority),
        created_at=at,
        updated_at=at,
        **details,
    )
    if ticket.reproducible == "":
        ticket.reproducible = "unknown"
    try:
        ticket.full_clean(exclude=["number", "requester", "organisation", "contract", "product"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    ticket.save(force_insert=True)
    created = _event(
        ticket,
        actor=actor,
        action="created",
        at=at,
        field="status",
        new=ticket.status,
        note=f"channel {channel}",
    )
    _refresh_sla(ticket, at=at, created=created)
    schedule.on_created(ticket, at=at)
    outbound.mail_on_ticket_created(ticket)
    return ticket


UPDATABLE_BY_CONTACT = frozenset({"title", *DESCRIPTION_FIELDS})
UPDATABLE_BY_STAFF = frozenset(
    {"title", "kind", "product", "impact", "urgency", *DESCRIPTION_FIELDS}
)


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User,
    changes: Mapping[str, Any],
    staff: bool,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Change descriptive fields the actor's role may change; record one event per field."""
    at = _now(now)
    allowed = UPDATABLE_BY_STAFF if staff else UPDATABLE_BY_CONTACT
    for field in changes:
        if field not in allowed:
            raise ValidationError({field: [_("You may not change this field.")]})
    if not staff and ticket.status == Status.CLOSED:
        raise ValidationError({"status": [_("A closed ticket can no longer be changed.")]})
    changes = dict(changes)
    if "title" in changes:
        changes["title"] = _clean_title(changes["title"])
    changed = []
    for field, value in changes.items():
        old = getattr(ticket, field)
        if old != value:
            setattr(ticket, field, value)
            changed.append((field, old, value))
    if not changed:
        return ticket
    try:
        ticket.full_clean(exclude=["number", "requester", "organisation", "contract"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    ticket.updated_at = at
    ticket.save()
    for field, old, new in changed:
        _event(ticket, actor=actor, action="updated", at=at, field=field, old=old, new=new)
    return ticket


@transaction.atomic
def ticket_add_message(
    *,
    ticket: Ticket,
    body: str,
    author: User | None = None,
    contact: Contact | None = None,
    visibility: str = Visibility.PUBLIC,
    channel: str = Channel.PORTAL,
    workaround: bool = False,
    now: datetime.datetime | None = None,
) -> Message:
    """Add a public reply or internal note and return it; a staff reply is a first response.

    A staff reply marked `workaround` also records that a workaround was offered. It adds
    the message only: a customer's reply that should also resume a waiting ticket or reopen
    a closed one goes through `ticket_customer_reply`.
    """
    at = _now(now)
    body = body.strip()
    if not body:
        raise ValidationError({"body": [_("The message is empty.")]})
    _check_choice("visibility", visibility, Visibility)
    _check_choice("channel", channel, Channel)
    from_staff = author is not None and contact is None and bool(author.role or author.is_superuser)
    if visibility == Visibility.INTERNAL and not from_staff:
        raise ValidationError({"visibility": [_("Only staff can write internal notes.")]})
    message = Message.objects.create(
        ticket=ticket,
        author_user=author,
        author_contact=contact,
        visibility=visibility,
        channel=channel,
        body=body,
        created_at=at,
    )
    fields = ["updated_at"]
    ticket.updated_at = at
    if from_staff and visibility == Visibility.PUBLIC and ticket.first_response_at is None:
        ticket.first_response_at = at
        fields.append("first_response_at")
    ticket.save(update_fields=fields)
    if visibility == Visibility.INTERNAL:
        action = "note_added"
    else:
        action = "agent_replied" if from_staff else "customer_replied"
    _event(ticket, actor=author, action=action, at=at, note=f"message {message.pk}")
    if workaround and from_staff and visibility == Visibility.PUBLIC:
        _event(
            ticket, actor=author, action="workaround_offered", at=at, note=f"message {message.pk}"
        )
    if from_staff and visibility == Visibility.PUBLIC:
        _refresh_sla(ticket, at=at)
        outbound.mail_on_public_reply(message)
    return message


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    assignee: User | None,
    team: Team | None = None,
    support_line: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Assign the ticket to an agent, a team and/or a support line; return it."""
    at = _now(now)
    if assignee is not None and not assignee.is_agent:
        raise ValidationError({"assignee": [_("Tickets can only be assigned to active staff.")]})
    if support_line is not None and support_line not in (1, 2, 3):
        raise ValidationError({"support_line": [_("The support line is 1, 2 or 3.")]})
    changes: list[tuple[str, object, object]] = []
    if ticket.assignee_id != (assignee.pk if assignee else None):
        changes.append(("assignee", ticket.assignee, assignee))
        ticket.assignee = assignee
    if team is not None and ticket.team_id != team.pk:
        changes.append(("team", ticket.team, team))
        ticket.team = team
    if support_line is not None and ticket.support_line != support_line:
        changes.append(("support_line", ticket.support_line, support_line))
        ticket.support_line = support_line
    if not changes:
        return ticket
    ticket.updated_at = at
    ticket.save(update_fields=["assignee", "team", "support_line", "updated_at"])
    for field, old, new in changes:
        _event(ticket, actor=actor, action="assigned", at=at, field=field, old=old, new=new)
    schedule.on_assigned(ticket, at=at)
    _refresh_sla(ticket, at=at)
    return ticket


@transaction.atomic
def ticket_change_priority(
    *,
    ticket: Ticket,
    actor: User,
    priority: str,
    justification: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """Set the priority; one that differs from the customer's request needs a reason (003)."""
    at = _now(now)
    scheme = priorities.scheme_for(ticket.contract)
    if not scheme.has(priority):
        raise ValidationError(
            {"priority": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(scheme.codes())}]}
        )
    if priority == ticket.priority:
        return ticket
    justification = justification.strip()
    if ticket.requested_priority and priority != ticket.requested_priority and not justification:
        raise ValidationError(
            {"justification": [_("Say why the priority differs from the customer's request.")]}
        )
    old = ticket.priority
    ticket.priority = priority
    ticket.priority_rank = scheme.rank(priority)
    ticket.priority_justification = justification
    ticket.updated_at = at
    ticket.save(update_fields=["priority", "priority_rank", "priority_justification", "updated_at"])
    _event(
        ticket,
        actor=actor,
        action="priority_changed",
        at=at,
        field="priority",
        old=old,
        new=priority,
        note=justification,
    )
    _refresh_sla(ticket, at=at)
    return ticket


def reopen_by_reply_allowed(ticket: Ticket, *, at: datetime.datetime) -> bool:
    """Return whether a customer may still reopen the closed ticket (else: a new ticket)."""
    within = rule_settings(ticket.contract).reopen_within
    return within is None or ticket.closed_at is None or at <= ticket.closed_at + within


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    actor: User | None,
    status: str,
    note: str = "",
    supplier: Supplier | None = None,
    supplier_reference: str = "",
    outcome: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """Move the ticket to another status if its kind's state machine allows it; return it.

    Records who and why (an event). A close needs a resolution text, or an `outcome`
    (`workflow.Outcome`) whose standard text is used; it records the outcome (default
    solved), e.g. `handed_to_planning` for consultancy (002 §4). Waiting on a supplier needs
    the supplier and its reference. A customer reopens only within the contract's reopen
    period. Pending time-based actions of the old status are cancelled, and waiting on the
    customer schedules reminders and the automatic close.
    """
    at = _now(now)
    _lock_current(ticket)
    reason = workflow.refusal(ticket.status, status, ticket.kind)
    if reason:
        raise ValidationError({"status": [reason]})
    need = workflow.requirement(status)
    note = note.strip()
    if outcome:
        if status != Status.CLOSED:
            raise ValidationError({"outcome": [_("Only a close has an outcome.")]})
        _check_choice("outcome", outcome, workflow.Outcome)
    if need.note and not note:
        if status == Status.CLOSED and outcome:
            note = workflow.standard_text(outcome)
        elif status == Status.CLOSED:
            raise ValidationError(
                {"note": [_("Give the resolution, or an outcome whose standard text says it.")]}
            )
        else:
            raise ValidationError({"note": [_("Give the resolution or reason for this status.")]})
    if (
        status == Status.REOPENED
        and ticket.status == Status.CLOSED
        and actor is not None
        and not _is_staff(actor)
        and not reopen_by_reply_allowed(ticket, at=at)
    ):
        raise ValidationError(
            {
                "status": [
                    _(
                        "This ticket was closed too long ago to reopen: a new question is a "
                        "new request."
                    )
                ]
            }
        )
    fields = ["status", "updated_at"]
    if need.supplier:
        if supplier is None:
            raise ValidationError({"supplier": [_("Name the supplier the ticket waits on.")]})
        if not supplier_reference.strip():
            raise ValidationError(
                {"supplier_reference": [_("Give the supplier's ticket reference.")]}
            )
        ticket.supplier = supplier
        ticket.supplier_reference = supplier_reference.strip()
        fields += ["supplier", "supplier_reference"]
    old = ticket.status
    ticket.status = status
    ticket.updated_at = at
    if status == Status.CLOSED:
        ticket.closed_at = at
        ticket.resolved_at = ticket.resolved_at or at
        fields += ["closed_at", "resolved_at"]
    elif status == Status.SOLUTION_OFFERED:
        ticket.resolved_at = at
        fields.append("resolved_at")
    elif status == Status.REOPENED:
        ticket.closed_at = None
        ticket.resolved_at = None
        fields += ["closed_at", "resolved_at"]
    ticket.save(update_fields=fields)
    _event(
        ticket,
        actor=actor,
        action="status_changed",
        at=at,
        field="status",
        old=old,
        new=status,
        note=note,
    )
    if status == Status.CLOSED:
        _event(
            ticket,
            actor=actor,
            action="outcome",
            at=at,
            field="outcome",
            new=outcome or workflow.Outcome.SOLVED,
        )
    schedule.on_status_changed(ticket, old=old, new=status, at=at)
    _refresh_sla(ticket, at=at)
    within = rule_settings(ticket.contract).reopen_within
    outbound.mail_on_status_changed(
        ticket,
        old=old,
        new=status,
        actor=actor,
        note=note,
        reopen_within_days=within.days if within else None,
    )
    return ticket


class ReplyOutcome(StrEnum):
    """What a customer's reply did."""

    ADDED = "added"  # added to the conversation
    RESUMED = "resumed"  # the desk was waiting on the customer: back in progress
    REOPENED = "reopened"  # closed recently: reopened
    NEW_TICKET = "new_ticket"  # closed long ago: a new ticket, linked to the old one


@dataclass(frozen=True, slots=True)
class CustomerReply:
    """Where a customer's reply landed: the ticket, the message (None when the reply became
    a new ticket's description) and what it did."""

    ticket: Ticket
    message: Message | None
    outcome: ReplyOutcome


@transaction.atomic
def ticket_customer_reply(
    *,
    ticket: Ticket,
    contact: Contact,
    body: str,
    author: User | None = None,
    channel: str = Channel.EMAIL,
    now: datetime.datetime | None = None,
) -> CustomerReply:
    """Take a customer's reply to a ticket from any channel; return where it landed.

    - Waiting on the customer (or for them to confirm a solution): the message is added and
      the ticket goes back in progress, which cancels pending reminders and the close.
    - Closed within the contract's reopen period: reopened, then the message added (002).
    - Closed longer ago: a new ticket for the contact, the reply as its description, linked
      to the old one as split from it (003: a new question is a new request).
    - Otherwise the message is added.
    `author` is the contact's login, if any.
    """
    at = _now(now)
    if not body.strip():
        raise ValidationError({"body": [_("The message is empty.")]})
    _lock_current(ticket)
    replied = _("The customer replied.")
    if ticket.status == Status.CLOSED and not reopen_by_reply_allowed(ticket, at=at):
        title = _("Follow-up to %(number)s: %(title)s") % {
            "number": ticket.number,
            "title": ticket.title,
        }
        new = ticket_create(
            requester=contact,
            title=title[:200],
            kind=ticket.kind,
            channel=channel,
            product=ticket.product,
            details={"description": body.strip()},
            actor=author,
            now=at,
        )
        ticket_link(ticket=new, target=ticket, kind=LinkKind.SPLIT_FROM, actor=author, now=at)
        return CustomerReply(new, None, ReplyOutcome.NEW_TICKET)
    outcome = ReplyOutcome.ADDED
    if ticket.status == Status.CLOSED:
        ticket_transition(ticket=ticket, actor=author, status=Status.REOPENED, note=replied, now=at)
        outcome = ReplyOutcome.REOPENED
    message = ticket_add_message(
        ticket=ticket, body=body, author=author, contact=contact, channel=channel, now=at
    )
    if ticket.status in workflow.WAITING_ON_CUSTOMER_STATUSES:
        ticket_transition(
            ticket=ticket, actor=author, status=Status.IN_PROGRESS, note=replied, now=at
        )
        outcome = ReplyOutcome.RESUMED
    return CustomerReply(ticket, message, outcome)


@transaction.atomic
def ticket_link(
    *,
    ticket: Ticket,
    target: Ticket,
    kind: str,
    actor: User | None,
    now: datetime.datetime | None = None,
) -> TicketLink:
    """Link the ticket to another (duplicate of, related, split from) and return the link."""
    at = _now(now)
    _check_choice("kind", kind, LinkKind)
    if target.pk == ticket.pk:
        raise ValidationError({"target": [_("A ticket cannot be linked to itself.")]})
    link, created = TicketLink.objects.get_or_create(source=ticket, target=target, kind=kind)
    if created:
        _event(ticket, actor=actor, action="linked", at=at, field=kind, new=target.number)
    return link


def _extension(filename: str) -> str:
    return os.path.splitext(filename)[1].lstrip(".").lower()


@transaction.atomic
def attachment_add(
    *,
    ticket: Ticket,
    upload: UploadedFile[bytes],
    actor: User | None,
    message: Message | None = None,
    internal: bool = False,
    now: datetime.datetime | None = None,
) -> Attachment:
    """Store a file on the ticket after checking its size and type; return the attachment."""
    at = _now(now)
    filename = os.path.basename((upload.name or "").replace("\\", "/")).strip() or "attachment"
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    if size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise ValidationError(
            {"file": [_("The file is larger than %(limit)d MB.") % {"limit": limit}]}
        )
    if _extension(filename) in settings.ATTACHMENT_BLOCKED_EXTENSIONS:
        raise ValidationError(
            {
                "file": [
                    _("Files of type .%(ext)s are not accepted.") % {"ext": _extension(filename)}
                ]
            }
        )
    if message is not None and message.ticket_id != ticket.pk:
        raise ValidationError({"message": [_("The message belongs to another ticket.")]})
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename=filename[:255],
        content_type=(upload.content_type or "application/octet-stream")[:120],
        size=size,
        internal=internal,
        uploaded_by=actor,
    )
    attachment.file.save(filename, upload, save=False)
    attachment.save()
    ticket.updated_at = at
    ticket.save(update_fields=["updated_at"])
    action = "attachment_internal" if internal else "attachment_added"
    _event(ticket, actor=actor, action=action, at=at, new=filename)
    return attachment
