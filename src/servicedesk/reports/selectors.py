"""Reads for the ticket page: who held a ticket while each of its settled targets ran.

Computed now from the ticket's history (not from the stored shares), so the page is exact
also between refreshes; the desk's staff only (which line and which supplier held a ticket
is internal, `tickets.disclosure`).
"""

import datetime
from dataclasses import dataclass

from servicedesk.accounts.models import Supplier
from servicedesk.reports.models import HolderKind
from servicedesk.reports.shares import DECIDED, attributions
from servicedesk.tickets import policy
from servicedesk.tickets.models import Ticket, TicketEvent
from servicedesk.tickets.sla import SLA_ACTIONS, compute


@dataclass(frozen=True, slots=True)
class HolderLine:
    """One holder's time of a clock, in seconds."""

    holder: str
    label: str
    counted: int
    over: int
    paused: int


@dataclass(frozen=True, slots=True)
class ClockAttribution:
    """A met or missed target of a ticket and who held the ticket while it ran."""

    key: str
    state: str
    target_seconds: int
    counted: int
    over: int
    lines: tuple[HolderLine, ...]

    @property
    def most_over(self) -> HolderLine | None:
        """Return the holder with the most time over target, if any time was over."""
        over = [line for line in self.lines if line.over]
        return max(over, key=lambda line: line.over) if over else None


def ticket_attribution(
    user: policy.AnyUser, ticket: Ticket, *, now: datetime.datetime
) -> list[ClockAttribution]:
    """Return the ticket's met and missed targets with their time per holder; [] for anyone
    but staff, and for a ticket without a service level."""
    if not policy.is_staff(user) or ticket.contract_id is None:
        return []
    history = list(
        TicketEvent.objects.filter(ticket=ticket, action__in=SLA_ACTIONS).order_by("at", "pk")
    )
    results = {
        key: result
        for key, result in compute(ticket, now=now, history=history).items()
        if result.state in DECIDED
    }
    found = attributions(ticket, results, history)
    supplier_ids = {
        int(share.supplier)
        for attribution in found.values()
        for share in attribution.shares
        if share.supplier and share.supplier.isdigit()
    }
    names = (
        dict(Supplier.objects.filter(pk__in=supplier_ids).values_list("pk", "name"))
        if supplier_ids
        else {}
    )
    out = []
    for key, attribution in found.items():
        result = results[key]
        lines = tuple(
            HolderLine(
                holder=str(share.holder),
                label=_label(str(share.holder), names.get(int(share.supplier or 0), "")),
                counted=int(share.counted.total_seconds()),
                over=int(share.over.total_seconds()),
                paused=int(share.paused.total_seconds()),
            )
            for share in attribution.shares
        )
        out.append(
            ClockAttribution(
                key=key,
                state=str(result.state),
                target_seconds=int(result.target.duration.total_seconds()) if result.target else 0,
                counted=int(attribution.counted.total_seconds()),
                over=int(attribution.over.total_seconds()),
                lines=lines,
            )
        )
    return out


def _label(holder: str, supplier_name: str) -> str:
    if holder == HolderKind.SUPPLIER and supplier_name:
        return f"{HolderKind.SUPPLIER.label} {supplier_name}"
    return str(HolderKind(holder).label)
