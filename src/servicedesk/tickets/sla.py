"""SLA state of tickets: the bridge between the database and the pure engine (`servicedesk.sla`).

`sla_refresh` recomputes a ticket's clocks from its event history and stores them, with the
ticket's earliest due time (for queues) and when time alone next changes a clock (for the
sweep). It also records a ticket's SLA warnings and breaches as events, each exactly once:
a clock row is claimed with a conditional UPDATE before its event is written, so two
refreshes or two sweeps at the same moment cannot both record it.

Event history -> clock events:
- ``created`` starts every clock, with the priority the ticket had then;
- ``status_changed`` is a status change (to ``solution_offered`` also offers a solution);
- ``agent_replied`` is a public reply by staff; ``workaround_offered`` a workaround;
- ``assigned`` (of an assignee) meets the assignment target;
- ``priority_changed`` re-bases the targets (the engine's rule: from the original start).
"""

import datetime
import functools
import json
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from servicedesk.contracts.models import BusinessCalendar as CalendarRecord
from servicedesk.contracts.models import Contract
from servicedesk.core.bulk import update_grouped
from servicedesk.reports.shares import shares_refresh
from servicedesk.servicelevels.selectors import LevelVersion, current_version, version_by_pk
from servicedesk.sla import (
    BusinessCalendar,
    ClockEvent,
    ClockResult,
    EventKind,
    Explanation,
    Preset,
    Target,
    compute_clocks,
    explain,
    resolve_clock,
)
from servicedesk.tickets.models import EventAction, Status, Ticket, TicketClock, TicketEvent

E, A = EventKind, EventAction
SLA_ACTIONS = frozenset(
    {"created", "status_changed", "agent_replied", "workaround_offered", "assigned",
     "priority_changed"}
)  # fmt: skip


def preset_for(contract: Contract | None) -> Preset | None:
    """Return the preset of the current version of the contract's service level, if any."""
    if contract is None:
        return None
    version = current_version(contract.service_level_id)
    return None if version is None else version.preset


def version_for(ticket: Ticket) -> LevelVersion | None:
    """Return the service-level version the ticket is measured by; None without a contract.

    That is the version it was pinned to when its clocks were first computed; a ticket not
    pinned yet, or moved to a contract with another service level, is measured by that
    level's current version (`compute` pins it).
    """
    contract = ticket.contract
    if contract is None:
        return None
    if ticket.service_level_version_id is not None:
        pinned = version_by_pk(ticket.service_level_version_id)
        if pinned.level_key == contract.service_level_id:
            return pinned
    return current_version(contract.service_level_id)


def _pin(ticket: Ticket, version: LevelVersion) -> None:
    """Store the version a ticket is measured by, once (and again if its level changed)."""
    if ticket.service_level_version_id != version.pk:
        Ticket.objects.filter(pk=ticket.pk).update(service_level_version_id=version.pk)
        ticket.service_level_version_id = version.pk


@functools.lru_cache(maxsize=64)
def _build_calendar(spec: str) -> BusinessCalendar:
    data = json.loads(spec)
    return BusinessCalendar(
        data["time_zone"],
        data["hours"],
        holidays=data["holidays"],
        country=data["country"] or None,
        subdivision=data["subdivision"] or None,
        extra_open=data["extra_open"],
    )


def calendar_from_record(record: CalendarRecord) -> BusinessCalendar:
    """Return the engine's calendar for a stored calendar (built once per content)."""
    spec = {
        "time_zone": record.time_zone,
        "hours": record.hours,
        "holidays": record.holidays,
        "country": record.country,
        "subdivision": record.subdivision,
        "extra_open": record.extra_open,
    }
    return _build_calendar(json.dumps(spec, sort_keys=True))


def calendar_for(contract: Contract, preset: Preset) -> BusinessCalendar:
    """Return the contract's own calendar, else the service level's."""
    if contract.calendar is not None:
        return calendar_from_record(contract.calendar)
    return _build_calendar(json.dumps(preset.calendar.as_dict(), sort_keys=True))


def clock_events(ticket: Ticket, events: Iterable[TicketEvent]) -> list[ClockEvent]:
    """Return the clock events of a ticket's recorded history."""
    history = [event for event in events if event.action in SLA_ACTIONS]
    first_change = next((e for e in history if e.action == EventAction.PRIORITY_CHANGED), None)
    initial_priority = first_change.old_value if first_change else ticket.priority
    out: list[ClockEvent] = []
    for event in history:
        match event.action:
            case "created":
                out.append(
                    ClockEvent(
                        event.at,
                        E.CREATED,
                        status=event.new_value or Status.NEW,
                        priority=initial_priority or None,
                    )
                )
            case "status_changed":
                out.append(ClockEvent(event.at, E.STATUS_CHANGED, status=event.new_value))
                if _asks_the_customer(event):
                    out.append(ClockEvent(event.at, E.PUBLIC_REPLY))
                if event.new_value == Status.SOLUTION_OFFERED:
                    out.append(ClockEvent(event.at, E.SOLUTION_OFFERED))
            case "agent_replied":
                out.append(ClockEvent(event.at, E.PUBLIC_REPLY))
            case "workaround_offered":
                out.append(ClockEvent(event.at, E.WORKAROUND_OFFERED))
            case "assigned" if event.field == "assignee" and event.new_value:
                out.append(ClockEvent(event.at, E.ASSIGNED))
            case "priority_changed":
                out.append(
                    ClockEvent(event.at, E.PRIORITY_CHANGED, priority=event.new_value or None)
                )
    return out


def _asks_the_customer(event: TicketEvent) -> bool:
    """Return whether a person at the desk put the ticket on hold with a question for the
    customer: that question is the first reaction (the automated completeness check, made
    by nobody, is not)."""
    return bool(
        event.new_value == Status.WAITING_ON_CUSTOMER and event.actor_id is not None and event.note
    )


def compute(
    ticket: Ticket,
    *,
    now: datetime.datetime,
    history: Iterable[TicketEvent] | None = None,
) -> dict[str, ClockResult]:
    """Return the ticket's clocks at `now` from its history; {} without a service level.

    The history is read from the database unless the caller has it (a ticket just created).
    """
    contract = ticket.contract
    version = version_for(ticket)
    if contract is None or version is None:
        return {}
    _pin(ticket, version)
    preset = version.preset
    events = history
    if events is None:
        events = TicketEvent.objects.filter(ticket=ticket, action__in=SLA_ACTIONS).order_by(
            "at", "pk"
        )
    return compute_clocks(
        preset.policy_for(ticket.kind),
        kind=ticket.kind,
        events=clock_events(ticket, events),
        now=now,
        calendar=calendar_for(contract, preset),
    )


def explanations(
    ticket: Ticket, *, now: datetime.datetime
) -> dict[str, tuple[ClockResult, Explanation]]:
    """Return each clock with the human-readable explanation of its due time, which starts
    with the service level and version the ticket is measured by."""
    results = compute(ticket, now=now)
    version = version_for(ticket) if results else None
    named = (version.name, version.number) if version is not None else None
    return {key: (result, explain(result, service_level=named)) for key, result in results.items()}


def _seconds(value: datetime.timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


def clock_row(ticket: Ticket, result: ClockResult, now: datetime.datetime) -> TicketClock:
    """Return the (unsaved) stored form of a computed clock."""
    target = result.target if isinstance(result.target, Target) else None
    return TicketClock(
        ticket=ticket,
        key=result.key,
        metric=str(target.metric) if target else result.key,
        state=str(result.state),
        priority=result.priority or "",
        target_seconds=_seconds(target.duration) if target else None,
        objective_percent=target.objective_percent if target else None,
        internal=target.internal if target else False,
        no_target_reason=(result.no_target_reason or "")[:200],
        started_at=result.start,
        due_at=result.due,
        warn_at=result.warn_at,
        met_at=result.met_at,
        breached_at=result.breached_at,
        remaining_seconds=_seconds(result.remaining),
        computed_at=now,
    )


STORED_FIELDS = [
    "metric", "state", "priority", "target_seconds", "objective_percent", "internal",
    "no_target_reason", "started_at", "due_at", "warn_at", "met_at", "breached_at",
    "remaining_seconds", "computed_at",
]  # fmt: skip


# What a clock means; `remaining_seconds` and `computed_at` follow from these and the time.
SEMANTIC_FIELDS = [f for f in STORED_FIELDS if f not in ("remaining_seconds", "computed_at")]


def _record_once(clock: TicketClock, *, action: str, field: str, now: datetime.datetime) -> None:
    claimed = TicketClock.objects.filter(pk=clock.pk, **{f"{field}__isnull": True}).update(
        **{field: now}
    )
    if claimed:
        _sla_event(clock, action, now=now).save()


@transaction.atomic(savepoint=False)
def sla_refresh(
    ticket: Ticket,
    *,
    now: datetime.datetime | None = None,
    created: TicketEvent | None = None,
) -> list[TicketClock]:
    """Recompute and store the ticket's clocks; record new warnings and breaches once.

    `created`: the ticket was just created with this event, so its history is that event
    and it has no stored clocks yet (two reads saved on the busiest write path).
    """
    return sla_refresh_many([ticket], now=now, created=created)[ticket.pk]


@transaction.atomic(savepoint=False)
def sla_refresh_many(
    tickets: Sequence[Ticket],
    *,
    now: datetime.datetime | None = None,
    created: TicketEvent | None = None,
) -> dict[int, list[TicketClock]]:
    """Recompute and store the clocks of several tickets in a few statements (their
    histories and stored clocks read together); return each ticket's clocks by its id.

    Warnings and breaches are recorded once, as `sla_refresh` does.
    """
    now = now or timezone.now()
    ids = [ticket.pk for ticket in tickets]
    histories: dict[int, list[TicketEvent]] = {pk: [] for pk in ids}
    existing: dict[int, dict[str, TicketClock]] = {pk: {} for pk in ids}
    if created is not None:
        histories[created.ticket_id] = [created]
    else:
        with_contract = [ticket.pk for ticket in tickets if ticket.contract_id is not None]
        events = TicketEvent.objects.filter(ticket_id__in=with_contract, action__in=SLA_ACTIONS)
        for event in events.order_by("at", "pk"):
            histories[event.ticket_id].append(event)
        for clock in TicketClock.objects.filter(ticket_id__in=ids):
            existing[clock.ticket_id][clock.key] = clock
    results = {
        ticket.pk: compute(ticket, now=now, history=histories[ticket.pk]) for ticket in tickets
    }
    stale = [
        clock.pk for pk in ids for key, clock in existing[pk].items() if key not in results[pk]
    ]
    if stale:
        TicketClock.objects.filter(pk__in=stale).delete()
    fresh, kept, changed = [], [], []
    for ticket in tickets:
        for key, result in results[ticket.pk].items():
            row = clock_row(ticket, result, now)
            old = existing[ticket.pk].get(key)
            if old is None:
                fresh.append(row)
                continue
            row.pk = old.pk
            row.warning_recorded_at = old.warning_recorded_at
            row.breach_recorded_at = old.breach_recorded_at
            # Only rows whose meaning changed are written: a refresh is usually a no-op.
            if any(getattr(old, field) != getattr(row, field) for field in SEMANTIC_FIELDS):
                changed.append(row)
            kept.append(row)
    update_grouped(TicketClock, changed, STORED_FIELDS)
    if fresh:
        TicketClock.objects.bulk_create(fresh)
        if not all(row.pk for row in fresh):  # SQLite before RETURNING support
            stored = TicketClock.objects.filter(ticket_id__in={row.ticket_id for row in fresh})
            pks = {(clock.ticket_id, clock.key): clock.pk for clock in stored}
            for row in fresh:
                row.pk = pks[row.ticket_id, row.key]
    clocks: dict[int, list[TicketClock]] = {pk: [] for pk in ids}
    for clock in fresh + kept:
        clocks[clock.ticket_id].append(clock)
    for ticket in tickets:
        ticket_results = results[ticket.pk]
        for clock in clocks[ticket.pk]:
            result = ticket_results[clock.key]
            if result.warning and clock.warning_recorded_at is None:
                _record_once(clock, action=A.SLA_WARNING, field="warning_recorded_at", now=now)
            if result.state == "breached" and clock.breach_recorded_at is None:
                _record_once(clock, action=A.SLA_BREACHED, field="breach_recorded_at", now=now)
        _summarise(ticket, ticket_results.values())
        order = list(ticket_results)
        clocks[ticket.pk].sort(key=lambda clock: order.index(clock.key))
    update_grouped(Ticket, tickets, SUMMARY_FIELDS)  # a batch of closes shares one summary
    # Who held the tickets while their met and missed clocks ran, for the reports.
    shares_refresh(tickets, clocks=clocks, results=results, before=existing, histories=histories)
    return clocks


SUMMARY_FIELDS = ("sla_due_at", "sla_warn_at", "sla_breached", "sla_next_check_at")


def _summarise(ticket: Ticket, results: Iterable[ClockResult]) -> None:
    """Set the ticket's stored SLA summary (next due, next warning, breached, next look)."""
    results = list(results)
    running = [r for r in results if r.state == "running"]
    dues = [r.due for r in running if r.due is not None]
    warnings = [r.warn_at for r in running if r.warn_at is not None]
    checks = [r.next_change_at for r in results if r.next_change_at is not None]
    ticket.sla_due_at = min(dues) if dues else None
    ticket.sla_warn_at = min(warnings) if warnings else None
    ticket.sla_breached = any(r.state == "breached" for r in results)
    # Just after the instant, so the state has changed when the sweep looks.
    ticket.sla_next_check_at = min(checks) + datetime.timedelta(seconds=1) if checks else None


def sla_sweep(*, now: datetime.datetime | None = None, batch: int = 1000) -> int:
    """Record the warnings and breaches that time alone brought; return the tickets seen.

    Set-based: between two changes of a ticket its stored clocks are exact (every change
    refreshes them), so passing a warning or due instant needs no recomputation. Each batch
    of due tickets is locked (SKIP LOCKED, so several workers share the work), their passed
    clocks are claimed and their events written in a few statements, and each ticket's next
    check is moved on.
    """
    now = now or timezone.now()
    seen = 0
    while True:
        with transaction.atomic():
            ids = list(
                Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sla_next_check_at__lte=now)
                .order_by("sla_next_check_at")
                .values_list("pk", flat=True)[:batch]
            )
            if ids:
                _record_passed(ids, now=now)
                _reschedule(ids, now=now)
        seen += len(ids)
        if len(ids) < batch:
            return seen


def _record_passed(ids: list[int], *, now: datetime.datetime) -> None:
    running = TicketClock.objects.filter(ticket_id__in=ids, state="running")
    warned = list(running.filter(warn_at__lte=now, warning_recorded_at__isnull=True))
    breached = list(running.filter(due_at__lt=now, breach_recorded_at__isnull=True))
    TicketClock.objects.filter(pk__in=[c.pk for c in warned]).update(warning_recorded_at=now)
    TicketClock.objects.filter(pk__in=[c.pk for c in breached]).update(
        state="breached", breached_at=F("due_at"), breach_recorded_at=now
    )
    if breached:
        Ticket.objects.filter(pk__in={c.ticket_id for c in breached}).update(sla_breached=True)
    TicketEvent.objects.bulk_create(
        [_sla_event(clock, "sla_warning", now=now) for clock in warned]
        + [_sla_event(clock, "sla_breached", now=now) for clock in breached]
    )


def _sla_event(clock: TicketClock, action: str, *, now: datetime.datetime) -> TicketEvent:
    due = clock.due_at.isoformat() if clock.due_at else ""
    return TicketEvent(
        ticket_id=clock.ticket_id, action=action, field=clock.key, at=now, note=f"due {due}"
    )


def _reschedule(ids: list[int], *, now: datetime.datetime) -> None:
    dues: dict[int, list[datetime.datetime]] = {pk: [] for pk in ids}
    warnings: dict[int, list[datetime.datetime]] = {pk: [] for pk in ids}
    checks: dict[int, list[datetime.datetime]] = {pk: [] for pk in ids}
    running = TicketClock.objects.filter(ticket_id__in=ids, state="running", due_at__isnull=False)
    for ticket_id, warn_at, due_at in running.values_list("ticket_id", "warn_at", "due_at"):
        assert due_at is not None  # filtered above
        dues[ticket_id].append(due_at)
        if warn_at is not None:
            warnings[ticket_id].append(warn_at)
        checks[ticket_id].append(warn_at if warn_at is not None and warn_at > now else due_at)
    tickets = [
        Ticket(
            pk=pk,
            sla_due_at=min(dues[pk], default=None),
            sla_warn_at=min(warnings[pk], default=None),
            sla_next_check_at=(
                min(checks[pk]) + datetime.timedelta(seconds=1) if checks[pk] else None
            ),
        )
        for pk in ids
    ]
    Ticket.objects.bulk_update(
        tickets, ["sla_due_at", "sla_warn_at", "sla_next_check_at"], batch_size=500
    )


def remaining_seconds(clock: TicketClock, *, now: datetime.datetime) -> int | None:
    """Return the open time left on a stored clock at `now` (negative once overdue)."""
    ticket = clock.ticket
    version = version_for(ticket) if clock.due_at is not None else None
    if clock.due_at is None or ticket.contract is None or version is None:
        return clock.remaining_seconds
    preset = version.preset
    target = preset.policy_for(ticket.kind).target_for(
        kind=ticket.kind, priority=clock.priority or None, key=clock.key
    )
    if not isinstance(target, Target):
        return clock.remaining_seconds
    counted_in = resolve_clock(target.clock, calendar_for(ticket.contract, preset))
    if now >= clock.due_at:
        return -int(counted_in.elapsed(clock.due_at, now).total_seconds())
    return int(counted_in.elapsed(now, clock.due_at).total_seconds())
