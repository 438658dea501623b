"""Who held a ticket while its SLA clocks ran: from its history to stored `ClockShare`s.

The desk records every holder change as an event: ``created`` (the first status and the
support line), ``status_changed`` (waiting on the customer or a supplier, closed, ...) and
``assigned`` with field ``support_line``. A supplier stint is credited to the ticket's
supplier (the status change that starts it does not name one; an ``assigned`` event with
field ``supplier``, if the desk ever records one, names it from then on).

`attributions(ticket, results, history)` divides each clock's time with the pure engine
(`servicedesk.sla.attribution`); `shares_refresh(...)` stores it when the ticket's clocks
are refreshed, for the clocks that are met or missed, so that reports sum it in SQL.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence

from servicedesk.reports.models import ClockShare
from servicedesk.sla import ClockResult, ClockState
from servicedesk.sla.attribution import (
    Attribution,
    Holder,
    HolderChange,
    Stint,
    attribute_clock,
    holder_stints,
)
from servicedesk.tickets.models import EventAction, Status, Ticket, TicketClock, TicketEvent

DECIDED = frozenset({ClockState.MET, ClockState.BREACHED})


def holder_changes(ticket: Ticket, history: Iterable[TicketEvent]) -> list[HolderChange]:
    """Return the changes of who held the ticket, from its recorded history."""
    events = list(history)
    first_line = next(
        (e for e in events if e.action == EventAction.ASSIGNED and e.field == "support_line"),
        None,
    )
    line = _line(first_line.old_value) if first_line else None
    supplier = str(ticket.supplier_id) if ticket.supplier_id else None
    changes: list[HolderChange] = []
    for event in events:
        if event.action == EventAction.CREATED:
            status = event.new_value or Status.NEW
            changes.append(
                HolderChange(
                    event.at,
                    status=status,
                    line=line or _line(str(ticket.support_line)) or 2,
                    supplier=supplier,
                )
            )
        elif event.action == EventAction.STATUS_CHANGED and event.new_value:
            changes.append(HolderChange(event.at, status=event.new_value))
        elif event.action == EventAction.ASSIGNED and event.field == "support_line":
            if (new_line := _line(event.new_value)) is not None:
                changes.append(HolderChange(event.at, line=new_line))
        elif event.action == EventAction.ASSIGNED and event.field == "supplier" and event.new_value:
            changes.append(HolderChange(event.at, supplier=event.new_value))
    return changes


def _line(value: str) -> int | None:
    return int(value) if value in ("1", "2", "3") else None


def ticket_stints(ticket: Ticket, history: Iterable[TicketEvent]) -> list[Stint]:
    """Return who held the ticket, stint by stint; [] without a creation event."""
    changes = holder_changes(ticket, history)
    if not changes or changes[0].status is None:
        return []
    return holder_stints(changes)


def attributions(
    ticket: Ticket, results: Mapping[str, ClockResult], history: Sequence[TicketEvent]
) -> dict[str, Attribution]:
    """Return each clock's time per holder, by target key (clocks without a target left out)."""
    stints = ticket_stints(ticket, history)
    out = {}
    for key, result in results.items():
        attribution = attribute_clock(result, stints)
        if attribution is not None:
            out[key] = attribution
    return out


def _rows(clock: TicketClock, attribution: Attribution) -> list[ClockShare]:
    return [
        ClockShare(
            clock_id=clock.pk,
            holder=str(share.holder),
            supplier_id=(
                int(share.supplier) if share.holder is Holder.SUPPLIER and share.supplier else None
            ),
            seconds=int(share.counted.total_seconds()),
            over_seconds=int(share.over.total_seconds()),
            paused_seconds=int(share.paused.total_seconds()),
        )
        for share in attribution.shares
    ]


def _needs_shares(result: ClockResult, before: TicketClock | None, row: TicketClock) -> bool:
    """Return whether the clock's stored shares must be written again.

    Shares belong to met and missed clocks. A clock's time is settled once it stops, so
    they are written when the clock is new or changed meaning; a missed clock still running
    keeps counting over target, so it is written at every refresh.
    """
    if result.state not in DECIDED or result.target is None:
        return False
    if before is None or result.met_at is None:
        return True
    return any(
        getattr(before, field) != getattr(row, field)
        for field in ("state", "priority", "started_at", "due_at", "met_at", "target_seconds")
    )


def shares_refresh(
    tickets: Sequence[Ticket],
    *,
    clocks: Mapping[int, Sequence[TicketClock]],
    results: Mapping[int, Mapping[str, ClockResult]],
    before: Mapping[int, Mapping[str, TicketClock]],
    histories: Mapping[int, Sequence[TicketEvent]],
) -> None:
    """Store the time per holder of the tickets' met and missed clocks; drop the shares of
    clocks that are no longer settled (a reopened resolution, a breach lifted by a lower
    priority). Called by `tickets.sla` as it stores the clocks (`clocks`, the rows now
    stored; `before`, the rows as they were); asks nothing of the database when no share
    changes, which is most refreshes.
    """
    drop: list[int] = []
    write: list[ClockShare] = []
    for ticket in tickets:
        old = before.get(ticket.pk, {})
        for clock in clocks.get(ticket.pk, ()):
            result = results[ticket.pk][clock.key]
            previous = old.get(clock.key)
            if _needs_shares(result, previous, clock):
                if previous is not None:  # a new clock has no shares yet
                    drop.append(clock.pk)
                attribution = attributions(
                    ticket, {clock.key: result}, histories.get(ticket.pk, ())
                ).get(clock.key)
                if attribution is not None:
                    write += _rows(clock, attribution)
            elif previous is not None and previous.state in DECIDED and result.state not in DECIDED:
                drop.append(clock.pk)
    if drop:
        ClockShare.objects.filter(clock_id__in=drop).delete()
    if write:
        ClockShare.objects.bulk_create(write)


def shares_backfill(*, tickets: Iterable[Ticket], now: datetime.datetime) -> int:
    """Store the shares of the given tickets' settled clocks from their history, as a
    refresh would; return how many tickets it looked at. For data recorded before the
    reports app was installed (a one-off job; the tickets are read one by one)."""
    from servicedesk.tickets.sla import SLA_ACTIONS, compute

    seen = 0
    for ticket in tickets:
        seen += 1
        history = list(
            TicketEvent.objects.filter(ticket=ticket, action__in=SLA_ACTIONS).order_by("at", "pk")
        )
        results = compute(ticket, now=now, history=history)
        stored = list(TicketClock.objects.filter(ticket=ticket, key__in=list(results)))
        ClockShare.objects.filter(clock__in=stored).delete()
        shares_refresh(
            [ticket],
            clocks={ticket.pk: stored},
            results={ticket.pk: results},
            before={},
            histories={ticket.pk: history},
        )
    return seen
