"""The outage worker: what time alone makes due for notices, done exactly once.

The scheduler tick calls `outages_run(now=...)`. It reads indexed "next look" columns only:

1. Warnings (`Outage.warn_at`, WARN_BEFORE the promised update): the responsible team
   manager is mailed.
2. Escalations (`Outage.escalate_at`, the promise itself): the people accountable for the
   outage step in the RACI matrix (the team lead role is the notice's manager) and the
   service managers are mailed.
3. Closes (`Outage.close_at`, 4 hours after the solution): the notice closes.
4. Fan-outs (`OutageFanout.due_at`): a public update is posted on the linked tickets and
   mailed, in batches.

Each of 1-3 is claimed by a conditional UPDATE that clears the column (it matches only
while the column still holds the due value), in the transaction that queues its mail: so
two workers never both do it, and a crash undoes both the claim and the mail. A fan-out
takes its row's lock (`SELECT ... FOR UPDATE SKIP LOCKED`; on SQLite the database's write
lock) for each batch; the batch writes each ticket's `OutageDelivery` (unique per update
and ticket) with its message and event, and the mails with their dedupe keys (one per
update and contact), all in one transaction. A fan-out killed half-way is picked up by the
next tick and does only what is left: each ticket gets the update once, each contact one
mail.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, Q
from django.utils import timezone

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.automation.models import RaciStep
from servicedesk.automation.raci import LEAD, MANAGER, Directory, roles_for
from servicedesk.mail import outbound
from servicedesk.mail.models import OutboundMail
from servicedesk.mail.texts import language_or_default
from servicedesk.outages import texts
from servicedesk.outages.models import (
    UNRESOLVED_STATES,
    Outage,
    OutageDelivery,
    OutageFanout,
    OutageState,
    OutageSubscription,
    OutageTicket,
    OutageUpdate,
)
from servicedesk.outages.selectors import contracts_in_force
from servicedesk.outbox.services import outbox_add
from servicedesk.tickets import workflow
from servicedesk.tickets.models import (
    Channel,
    EventAction,
    Kind,
    Message,
    Status,
    Ticket,
    TicketEvent,
    Visibility,
)
from servicedesk.tickets.services import Move, tickets_transition

logger = logging.getLogger(__name__)

BATCH_SIZE = 500  # linked tickets (or audience contacts) per transaction
LIMIT = 100  # notices (or fan-outs) looked at per tick and kind of work
NOTICE_KIND = "outage"
ALERT_KIND = "outage_alert"


@dataclass
class OutageReport:
    """What one run did."""

    warned: int = 0
    escalated: int = 0
    closed: int = 0
    posted: int = 0  # ticket messages
    mailed: int = 0  # mails queued


def outages_run(
    *,
    now: datetime.datetime | None = None,
    worker: str = "",
    batch_size: int = BATCH_SIZE,
    limit: int = LIMIT,
) -> OutageReport:
    """Do the outage work due at `now`; return what was done."""
    now = now or timezone.now()
    report = OutageReport()
    if not _anything_due(now):
        return report
    directory = Directory()
    _alerts_run(now=now, overdue=False, limit=limit, report=report, directory=directory)
    _alerts_run(now=now, overdue=True, limit=limit, report=report, directory=directory)
    _closes_run(now=now, limit=limit, report=report)
    fanouts_run(now=now, batch_size=batch_size, limit=limit, report=report)
    if report.warned or report.escalated or report.closed or report.posted or report.mailed:
        logger.info("outages (%s): %s", worker or "-", report)
    return report


def _anything_due(now: datetime.datetime) -> bool:
    """Return whether any outage work is due (one query: an idle tick costs no more)."""
    return Outage.objects.filter(
        Q(warn_at__lte=now)
        | Q(escalate_at__lte=now)
        | Q(close_at__lte=now)
        | Exists(OutageFanout.objects.filter(due_at__lte=now))
    ).exists()


# ----------------------------------------------------------------------------- alerts


def escalation_people(outage: Outage, directory: Directory) -> list[User]:
    """Return who hears that an update is overdue: the roles accountable (A) for the outage
    step, the team lead role being the notice's manager, and the service managers always
    (seed 003: "Manager Service Center" is accountable)."""
    roles = set(
        roles_for(directory.get_matrix(), step=RaciStep.OUTAGE, kind=Kind.INCIDENT, letters="A")
    )
    people: dict[int, User] = {}
    if LEAD in roles and outage.manager.is_active:
        people[outage.manager.pk] = outage.manager
    for role in sorted((roles - {LEAD, "customer", StaffRole.AGENT.value}) | {MANAGER}):
        for user in directory.staff(role):
            people.setdefault(user.pk, user)
    return [user for user in people.values() if user.email]


def _alerts_run(
    *,
    now: datetime.datetime,
    overdue: bool,
    limit: int,
    report: OutageReport,
    directory: Directory,
) -> None:
    column = "escalate_at" if overdue else "warn_at"
    due = list(
        Outage.objects.filter(**{f"{column}__lte": now})
        .order_by(column)
        .values_list("pk", column)[:limit]
    )
    for pk, look in due:
        with transaction.atomic():
            # The claim: matches only while the column still holds what we read.
            if not Outage.objects.filter(pk=pk, **{column: look}).update(**{column: None}):
                continue
            outage = Outage.objects.select_related("manager").get(pk=pk)
            promised = outage.next_update_due_at
            if outage.state not in UNRESOLVED_STATES or promised is None:
                continue
            people = escalation_people(outage, directory) if overdue else [outage.manager]
            rows = [
                _alert_mail(outage, user, due=promised, overdue=overdue, at=now)
                for user in people
                if user.is_active and user.email
            ]
            outbox_add(outbound.MAIL, rows, at=now)
            if overdue:
                report.escalated += 1
            else:
                report.warned += 1
            report.mailed += len(rows)


def _alert_mail(
    outage: Outage, user: User, *, due: datetime.datetime, overdue: bool, at: datetime.datetime
) -> OutboundMail:
    language = language_or_default(user.language)
    manager = outage.manager.get_full_name() or outage.manager.username
    subject, text, html = texts.staff_mail(
        overdue=overdue,
        title=outage.title,
        due=due,
        manager=manager,
        name=user.get_full_name() or user.username,
        language=language,
        zone=user.time_zone,
    )
    which = "late" if overdue else "warn"
    return OutboundMail(
        kind=ALERT_KIND,
        to=user.email,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=outbound.new_message_id(),
        threaded=True,  # no ticket: nothing to thread under
        auto_submitted=ALERT_KIND,
        dedupe_key=f"outage_{which}:{outage.pk}:{int(due.timestamp())}:u{user.pk}",
        created_at=at,
    )


# ----------------------------------------------------------------------------- closes


def _closes_run(*, now: datetime.datetime, limit: int, report: OutageReport) -> None:
    due = list(
        Outage.objects.filter(close_at__lte=now)
        .order_by("close_at")
        .values_list("pk", "close_at")[:limit]
    )
    for pk, look in due:
        with transaction.atomic():
            if not Outage.objects.filter(pk=pk, close_at=look).update(close_at=None):
                continue
            outage = Outage.objects.get(pk=pk)
            if outage.state != OutageState.RESOLVED:
                continue
            closed = look or now
            outage.state = OutageState.CLOSED
            outage.closed_at = closed
            outage.updated_at = now
            outage.save(update_fields=["state", "closed_at", "updated_at"])
            OutageUpdate.objects.create(
                outage=outage,
                at=closed,
                state=OutageState.CLOSED,
                text="closed",
                cause=outage.cause,
                public=True,
            )
            report.closed += 1


# ----------------------------------------------------------------------------- fan-out


def fanouts_run(
    *,
    now: datetime.datetime,
    batch_size: int = BATCH_SIZE,
    limit: int = LIMIT,
    report: OutageReport | None = None,
) -> OutageReport:
    """Fan out the due updates, each to the end, a batch per transaction; return the count."""
    report = report or OutageReport()
    due = list(
        OutageFanout.objects.filter(due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        while fanout_batch(pk, now=now, batch_size=batch_size, report=report):
            pass
    return report


def _notice(update: OutageUpdate, outage: Outage, products: str) -> texts.Notice:
    return texts.Notice(
        title=outage.title,
        products=products,
        started_at=outage.started_at,
        symptoms=outage.symptoms,
        state=update.state,
        at=update.at,
        text=update.text,
        next_update_due_at=update.next_update_due_at,
        cause=update.cause,
        resolved=update.state == OutageState.RESOLVED,
    )


def fanout_batch(pk: int, *, now: datetime.datetime, batch_size: int, report: OutageReport) -> bool:
    """Do one batch of a fan-out in one transaction; return whether there may be more."""
    with transaction.atomic():
        fanout = (
            OutageFanout.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("update__outage", "update__author")
            .filter(pk=pk, due_at__isnull=False)
            .first()
        )
        if fanout is None:
            return False  # done, or another worker holds it
        update = fanout.update
        outage = update.outage
        product_ids = list(outage.products.values_list("pk", flat=True))
        names = ", ".join(outage.products.order_by("name").values_list("name", flat=True))
        notice = _notice(update, outage, names)
        if _tickets_batch(fanout, notice, now=now, batch_size=batch_size, report=report):
            return True
        if fanout.audience_done_at is None:
            if _audience_batch(
                fanout, notice, product_ids, now=now, batch_size=batch_size, report=report
            ):
                return True
            OutageFanout.objects.filter(pk=pk).update(audience_done_at=now)
        OutageFanout.objects.filter(pk=pk).update(due_at=None, done_at=now)
        return False


def _tickets_batch(
    fanout: OutageFanout,
    notice: texts.Notice,
    *,
    now: datetime.datetime,
    batch_size: int,
    report: OutageReport,
) -> bool:
    """Post the update on the next batch of linked tickets (by id, after the fan-out's
    cursor) without it; return whether there were any."""
    update = fanout.update
    candidates = list(
        OutageTicket.objects.filter(outage_id=update.outage_id, ticket_id__gt=fanout.tickets_after)
        .order_by("ticket_id")
        .values_list("ticket_id", flat=True)[:batch_size]
    )
    if not candidates:
        return False
    # A ticket that has the update (a fan-out made due again by new links) is left out.
    delivered = set(
        OutageDelivery.objects.filter(update=update, ticket_id__in=candidates).values_list(
            "ticket_id", flat=True
        )
    )
    todo = [pk for pk in candidates if pk not in delivered]
    # The cursor moves in the transaction of the posts: a rerun starts after them.
    OutageFanout.objects.filter(pk=fanout.pk).update(tickets_after=candidates[-1])
    if not todo:
        return True
    tickets = list(
        Ticket.objects.filter(pk__in=todo).select_related("requester", "contract").order_by("pk")
    )
    author = update.author
    messages = [
        Message(
            ticket=ticket,
            author_user=author,
            visibility=Visibility.PUBLIC,
            channel=Channel.PORTAL,
            body=texts.ticket_message(notice, language=ticket.requester.language),
            created_at=now,
        )
        for ticket in tickets
    ]
    Message.objects.bulk_create(messages)
    OutageDelivery.objects.bulk_create(
        OutageDelivery(update=update, ticket=message.ticket, message=message, at=now)
        for message in messages
    )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=message.ticket,
            at=now,
            actor=author,
            action=EventAction.OUTAGE_UPDATE,
            field="outage",
            new_value=update.state,
            note=f"message {message.pk}",
        )
        for message in messages
    )
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(updated_at=now)
    for ticket in tickets:
        ticket.updated_at = now
    if notice.resolved:
        _offer_solution(tickets, notice, now=now)
    by_requester: dict[int, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        by_requester[ticket.requester_id].append(ticket)
    rows = [
        _notice_mail(update, notice, group[0].requester, tickets=group, at=now)
        for group in by_requester.values()
        if group[0].requester.active and group[0].requester.email
    ]
    report.mailed += len(outbox_add(outbound.MAIL, rows, at=now))
    report.posted += len(messages)
    return True


def _offer_solution(tickets: list[Ticket], notice: texts.Notice, *, now: datetime.datetime) -> None:
    """Move the tickets that can take a solution to "solution offered", with the solution
    and cause (the customer confirms; reminders and the automatic close follow)."""
    moves = []
    for ticket in tickets:
        if ticket.status == Status.SOLUTION_OFFERED:
            continue
        if workflow.refusal(ticket.status, Status.SOLUTION_OFFERED, ticket.kind):
            continue  # closed, parked: the message is enough
        note = texts.ticket_message(notice, language=ticket.requester.language)
        moves.append(Move(ticket, Status.SOLUTION_OFFERED, note=note))
    if moves:
        # The desk itself moves them: the requester hears it in the outage's own mail.
        tickets_transition(moves, actor=None, now=now)


def audience(product_ids: list[int], *, on: datetime.date) -> "Q":
    """Return the condition on contacts who hear of a notice about these products: the
    CPCs of organisations whose contracts in force cover one, and the contacts subscribed to
    one (or to all their products, their organisation covering one)."""
    organisations = (
        contracts_in_force(on=on).filter(products__in=product_ids).values("organisation_id")
    )
    subscribed = OutageSubscription.objects.filter(
        Q(product_id__in=product_ids)
        | Q(product__isnull=True, contact__organisation_id__in=organisations)
    ).values("contact_id")
    return (
        Q(active=True)
        & ~Q(email="")
        & (Q(is_cpc=True, organisation_id__in=organisations) | Q(pk__in=subscribed))
    )


def _audience_batch(
    fanout: OutageFanout,
    notice: texts.Notice,
    product_ids: list[int],
    *,
    now: datetime.datetime,
    batch_size: int,
    report: OutageReport,
) -> bool:
    """Mail the next batch of the audience not mailed yet; return whether there were any.

    Contacts in primary-key order after the fan-out's cursor; the mails' dedupe keys
    (update, contact) leave out a contact mailed before as a requester of a linked ticket.
    """
    update = fanout.update
    contacts = list(
        Contact.objects.filter(audience(product_ids, on=timezone.localdate(now)))
        .filter(pk__gt=fanout.audience_after)
        .order_by("pk")[:batch_size]
    )
    if not contacts:
        return False
    rows = [_notice_mail(update, notice, contact, tickets=[], at=now) for contact in contacts]
    report.mailed += len(outbox_add(outbound.MAIL, rows, at=now))
    # The cursor moves in the transaction of the mails: a rerun starts after them.
    OutageFanout.objects.filter(pk=fanout.pk).update(audience_after=contacts[-1].pk)
    return True


def _mail_key(update_id: int, contact_id: int) -> str:
    return f"outage:{update_id}:c{contact_id}"


def _notice_mail(
    update: OutageUpdate,
    notice: texts.Notice,
    contact: Contact,
    *,
    tickets: list[Ticket],
    at: datetime.datetime,
) -> OutboundMail:
    language = language_or_default(contact.language)
    subject, text, html = texts.notice_mail(
        notice, name=contact.name, language=language, tickets=[t.number for t in tickets]
    )
    return OutboundMail(
        kind=NOTICE_KIND,
        to=contact.email,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=outbound.new_message_id(),
        threaded=True,  # about a notice, not one ticket
        auto_submitted=NOTICE_KIND,
        dedupe_key=_mail_key(update.pk, contact.pk),
        created_at=at,
    )
