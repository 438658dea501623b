"""The one door for time and credit: log, change and delete time, run a timer, settle credit.

- `time_entry_create`, `time_entry_update` and `time_entry_delete` ask `billing.policy`
  (only staff log time; an entry is changed by who logged it or a team lead or manager),
  record a `time_logged` event on the ticket, and settle the contract's credit again.
- `credit_recompute` settles a contract's credit from all its billable entries
  (`billing.credit.allocate`: oldest valid bundle first, the rest over-use), writes only the
  consumption rows that changed, and alerts at 80% used and at exhaustion: each alert is
  claimed once per bundle with a conditional UPDATE, and its notifications carry a dedupe
  key naming the bundle, so it is sent once however often the credit is settled.
- `timer_start` and `timer_stop` keep a staff member's timer on a ticket on the server.
"""

import datetime
import math

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, User
from servicedesk.automation.models import CUSTOMER_ROLE, Audience, Notification, RaciStep, Rule
from servicedesk.automation.notify import Planned, notifications_record
from servicedesk.automation.raci import Directory, Recipient, recipients, roles_for
from servicedesk.billing import texts
from servicedesk.billing.credit import Allocation, Bundle, Work, alert_due, allocate
from servicedesk.billing.models import (
    MAX_ENTRY_MINUTES,
    Activity,
    CreditBundle,
    CreditConsumption,
    RunningTimer,
    TimeEntry,
)
from servicedesk.billing.policy import require_change_entry, require_log_time
from servicedesk.contracts.models import Contract
from servicedesk.coverage.selectors import ticket_billable
from servicedesk.mail.texts import language_or_default
from servicedesk.tickets.models import EventAction, Ticket, TicketEvent

NOTE_MAX = 4000
FUTURE_DAYS = 1  # a day ahead is allowed: the desk's "today" differs across time zones


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


def _clean(
    *, minutes: int, worked_on: datetime.date, activity: str, note: str, at: datetime.datetime
) -> str:
    """Check an entry's values; return the note, trimmed. Raises ValidationError by field."""
    errors: dict[str, list[str]] = {}
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        errors["minutes"] = [_("Give a duration of at least one minute.")]
    elif minutes > MAX_ENTRY_MINUTES:
        errors["minutes"] = [_("One entry is at most 24 hours.")]
    if worked_on > at.date() + datetime.timedelta(days=FUTURE_DAYS):
        errors["worked_on"] = [_("Time cannot be logged in the future.")]
    if activity not in Activity.values:
        errors["activity"] = [_("Choose an activity.")]
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("Keep the note under %(max)d characters.") % {"max": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    return note


def _event(
    entry: TimeEntry, *, actor: User, at: datetime.datetime, old: int | None, new: int
) -> None:
    # The entry's note is internal: the event says how long and on what, never the note.
    TicketEvent.objects.create(
        ticket_id=entry.ticket_id,
        at=at,
        actor=actor,
        action=EventAction.TIME_LOGGED,
        field=entry.activity,
        old_value="" if old is None else str(old),
        new_value=str(new),
        note=_event_note(entry, new),
    )


def _event_note(entry: TimeEntry, minutes: int) -> str:
    if minutes == 0:
        return _("Time entry removed")
    kind = _("billable") if entry.billable else _("covered")
    return f"{texts.hours_text(minutes)} · {entry.get_activity_display()} · {kind}"


@transaction.atomic
def time_entry_create(
    *,
    actor: User,
    ticket: Ticket,
    minutes: int,
    worked_on: datetime.date,
    activity: str,
    billable: bool | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> TimeEntry:
    """Log time on the ticket and return the entry; settle the contract's credit.

    `billable` None takes the ticket's coverage decision (billable or not). Raises a
    `Refusal` for anyone but staff and a ValidationError keyed by the field at fault.
    """
    require_log_time(actor)
    at = _now(now)
    note = _clean(minutes=minutes, worked_on=worked_on, activity=activity, note=note, at=at)
    if billable is None:
        billable = ticket_billable(ticket)
    entry = TimeEntry.objects.create(
        ticket=ticket,
        contract_id=ticket.contract_id,
        user=actor,
        worked_on=worked_on,
        minutes=minutes,
        activity=activity,
        billable=billable,
        note=note,
        overuse_minutes=minutes if billable and ticket.contract_id is None else 0,
        created_at=at,
        updated_at=at,
    )
    _event(entry, actor=actor, at=at, old=None, new=minutes)
    if entry.contract_id is not None:
        credit_recompute(contract_id=entry.contract_id, ticket=ticket, at=at)
        entry.refresh_from_db(fields=["overuse_minutes"])
    return entry


@transaction.atomic
def time_entry_update(
    *,
    actor: User,
    entry: TimeEntry,
    minutes: int,
    worked_on: datetime.date,
    activity: str,
    billable: bool,
    note: str,
    now: datetime.datetime | None = None,
) -> TimeEntry:
    """Change a time entry and return it; settle the contract's credit again."""
    require_change_entry(actor, entry)
    at = _now(now)
    note = _clean(minutes=minutes, worked_on=worked_on, activity=activity, note=note, at=at)
    old = entry.minutes
    entry.minutes, entry.worked_on, entry.activity = minutes, worked_on, activity
    entry.billable, entry.note, entry.updated_at = billable, note, at
    if entry.contract_id is None:
        entry.overuse_minutes = minutes if billable else 0
    else:
        entry.overuse_minutes = min(entry.overuse_minutes, minutes)  # settled below
    entry.save()
    _event(entry, actor=actor, at=at, old=old, new=minutes)
    if entry.contract_id is not None:
        credit_recompute(contract_id=entry.contract_id, ticket=entry.ticket, at=at)
        entry.refresh_from_db(fields=["overuse_minutes"])
    return entry


@transaction.atomic
def time_entry_delete(
    *, actor: User, entry: TimeEntry, now: datetime.datetime | None = None
) -> None:
    """Delete a time entry; the credit it consumed is free again."""
    require_change_entry(actor, entry)
    at = _now(now)
    contract_id, ticket = entry.contract_id, entry.ticket
    _event(entry, actor=actor, at=at, old=entry.minutes, new=0)
    entry.delete()
    if contract_id is not None:
        credit_recompute(contract_id=contract_id, ticket=ticket, at=at)


# ----------------------------------------------------------------------------- credit


def credit_recompute(
    *, contract_id: int, ticket: Ticket | None = None, at: datetime.datetime
) -> list[Notification]:
    """Settle the contract's credit from its billable entries and return the alerts sent.

    Writes the consumption rows and over-use that changed; the contract's row is locked
    for the transaction, so two people logging time on it settle one after the other.
    `ticket` is where the alerts are recorded (default: the latest billable work's).
    """
    with transaction.atomic():
        list(Contract.objects.select_for_update().filter(pk=contract_id).values_list("pk"))
        bundles = list(
            CreditBundle.objects.select_related("contract__organisation").filter(
                contract_id=contract_id
            )
        )
        entries = list(
            TimeEntry.objects.filter(contract_id=contract_id, billable=True)
            .order_by("worked_on", "created_at", "pk")
            .values_list("pk", "worked_on", "minutes", "overuse_minutes")
        )
        allocation = allocate(
            [Work(pk, day, minutes, True) for pk, day, minutes, _over in entries],
            [Bundle(b.pk, b.minutes, b.valid_from, b.valid_to) for b in bundles],
        )
        _write_consumption(contract_id, allocation)
        _write_overuse(contract_id, entries, allocation)
        return _alerts(bundles, allocation, ticket=ticket, at=at)


def _write_consumption(contract_id: int, allocation: Allocation) -> None:
    stored = {
        (row.entry_id, row.bundle_id): row
        for row in CreditConsumption.objects.filter(bundle__contract_id=contract_id)
    }
    gone = [row.pk for key, row in stored.items() if key not in allocation.taken]
    changed = []
    for key, minutes in allocation.taken.items():
        row = stored.get(key)
        if row is not None and row.minutes != minutes:
            row.minutes = minutes
            changed.append(row)
    fresh = [
        CreditConsumption(entry_id=entry_id, bundle_id=bundle_id, minutes=minutes)
        for (entry_id, bundle_id), minutes in allocation.taken.items()
        if (entry_id, bundle_id) not in stored
    ]
    if gone:
        CreditConsumption.objects.filter(pk__in=gone).delete()
    if changed:
        CreditConsumption.objects.bulk_update(changed, ["minutes"])
    if fresh:
        CreditConsumption.objects.bulk_create(fresh)


def _write_overuse(
    contract_id: int,
    entries: list[tuple[int, datetime.date, int, int]],
    allocation: Allocation,
) -> None:
    changed = [
        TimeEntry(pk=pk, overuse_minutes=allocation.overuse[pk])
        for pk, _day, _minutes, over in entries
        if allocation.overuse[pk] != over
    ]
    if changed:
        TimeEntry.objects.bulk_update(changed, ["overuse_minutes"])
    # Covered time is never over-use (an entry may just have become covered).
    TimeEntry.objects.filter(contract_id=contract_id, billable=False, overuse_minutes__gt=0).update(
        overuse_minutes=0
    )


def _claim(bundle: CreditBundle, rule: Rule, at: datetime.datetime) -> bool:
    """Claim the bundle's alert (once: a conditional UPDATE); return whether we won it.
    Claiming exhaustion also settles the 80% alert, which is then said by this one."""
    bundles = CreditBundle.objects.filter(pk=bundle.pk)
    if rule == Rule.CREDIT_EXHAUSTED:
        claimed = bundles.filter(exhausted_alerted_at__isnull=True).update(
            exhausted_alerted_at=at, low_alerted_at=Coalesce("low_alerted_at", at)
        )
    else:
        claimed = bundles.filter(low_alerted_at__isnull=True).update(low_alerted_at=at)
    return claimed == 1


def _alerts(
    bundles: list[CreditBundle],
    allocation: Allocation,
    *,
    ticket: Ticket | None,
    at: datetime.datetime,
) -> list[Notification]:
    planned: list[Planned] = []
    directory = Directory()
    for bundle in bundles:
        used = allocation.used(bundle.pk)
        low, exhausted = alert_due(used=used, size=bundle.minutes)
        if exhausted and bundle.exhausted_alerted_at is None:
            rule = Rule.CREDIT_EXHAUSTED
        elif low and bundle.low_alerted_at is None:
            rule = Rule.CREDIT_LOW
        else:
            continue
        about = ticket or _latest_ticket(bundle)
        if about is None or not _claim(bundle, rule, at):
            continue
        for person in credit_people(about, bundle.contract, directory=directory):
            with translation.override(language_or_default(person.language)):
                subject, body = texts.credit_alert(
                    rule, bundle=bundle, used=used, ticket=about, recipient=person
                )
            key = f"{rule}:b{bundle.pk}:{person.key}"[:150]
            planned.append(Planned(about, rule, person, key, subject, body))
    return notifications_record(planned, at=at)


def _latest_ticket(bundle: CreditBundle) -> Ticket | None:
    entry = (
        TimeEntry.objects.filter(consumptions__bundle=bundle)
        .select_related("ticket")
        .order_by("-worked_on", "-created_at", "-pk")
        .first()
    )
    return None if entry is None else entry.ticket


def credit_people(
    ticket: Ticket, contract: Contract, *, directory: Directory | None = None
) -> list[Recipient]:
    """Return who is told about the contract's credit: the roles holding A or I in the RACI
    matrix's credit step; the customer is the organisation's central point of contact
    (not the ticket's requester: the credit is the organisation's)."""
    directory = directory or Directory()
    roles = roles_for(directory.get_matrix(), step=RaciStep.CREDIT, kind=ticket.kind, letters="AI")
    people: list[Recipient] = []
    if CUSTOMER_ROLE in roles:
        cpcs = Contact.objects.filter(
            organisation_id=contract.organisation_id, is_cpc=True, active=True
        ).order_by("pk")
        people += [
            Recipient(CUSTOMER_ROLE, c.name, c.email, c.language, contact_id=c.pk) for c in cpcs
        ]
    staff = recipients(RaciStep.CREDIT, ticket.kind, "AI", ticket=ticket, directory=directory)
    people += [person for person in staff if person.audience == Audience.STAFF]
    return people


@transaction.atomic
def credit_bundles_changed(*, contract: Contract, now: datetime.datetime | None = None) -> None:
    """Settle the contract's credit after its bundles were added, changed or removed (the
    admin saves them): consumption follows the bundles as they are now."""
    credit_recompute(contract_id=contract.pk, at=_now(now))


# ----------------------------------------------------------------------------- timer


@transaction.atomic
def timer_start(
    *, actor: User, ticket: Ticket, now: datetime.datetime | None = None
) -> RunningTimer:
    """Start the actor's timer on the ticket and return it; a running one keeps running."""
    require_log_time(actor)
    running = RunningTimer.objects.filter(user=actor, ticket=ticket).first()
    if running is not None:
        return running
    try:
        with transaction.atomic():
            return RunningTimer.objects.create(user=actor, ticket=ticket, started_at=_now(now))
    except IntegrityError:  # started at the same moment in another tab
        return RunningTimer.objects.get(user=actor, ticket=ticket)


@transaction.atomic
def timer_stop(*, actor: User, ticket: Ticket, now: datetime.datetime | None = None) -> int | None:
    """Stop the actor's timer on the ticket; return the minutes it ran (at least one,
    rounded up), or None when none was running. The time is logged by the log form."""
    require_log_time(actor)
    running = RunningTimer.objects.select_for_update().filter(user=actor, ticket=ticket).first()
    if running is None:
        return None
    running.delete()
    seconds = (_now(now) - running.started_at).total_seconds()
    return min(max(math.ceil(seconds / 60), 1), MAX_ENTRY_MINUTES)
