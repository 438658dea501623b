"""Demo data for the compliance report: the seeds' worked examples in the last full quarter.

`seed_demo(now=...)` tells, through the ticket services, at the demo's customer under
seed 003's service level (High / Medium / Low) twenty High incidents of the previous
quarter: 18 with a workaround within 24 hours, one after 30 hours (the supplier held it from
hour 10 to 28), one after 50 hours; and at the customer under seed 001's (P1-P5) twenty P2
incidents of the last full month, all answered within the hour, one restored the next day
after a supplier held it. The compliance page then shows, for that quarter, 90% within
24 hours (objective 90%: met) with 4 of its 6 hours over target with the supplier, and 95%
within 48 hours (objective 100%: not met); for that month, reaction 100% (met) and restore
95% (met). Safe to run twice: it does nothing once its
tickets are there. Shares of tickets told before the reports app existed are backfilled.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from servicedesk.accounts.models import Contact, StaffRole, Supplier, User
from servicedesk.contracts.models import Contract
from servicedesk.reports.shares import shares_backfill
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.sla import preset_for

TITLE = "SLA example: "
HOUR = datetime.timedelta(hours=1)


def seed_demo(*, now: datetime.datetime) -> int:
    """Create the worked examples (see the module) and backfill missing shares; return how
    many tickets it created."""
    with transaction.atomic():
        missing = Ticket.objects.filter(
            clocks__state__in=("met", "breached"), clocks__shares__isnull=True
        ).exclude(clocks__target_seconds__isnull=True)
        shares_backfill(tickets=list(missing.distinct()), now=now)
        if Ticket.objects.filter(title__startswith=TITLE).exists():
            return 0
        agent = User.objects.filter(role=StaffRole.AGENT, is_active=True).order_by("pk").first()
        supplier = Supplier.objects.order_by("pk").first()
        if agent is None or supplier is None:
            return 0
        zone = ZoneInfo(settings.TIME_ZONE)
        created = 0
        saas = _contract("saas-high-medium-low")
        if saas is not None:
            created += _quarter_of_high_incidents(saas, agent, supplier, _last_quarter(now, zone))
        office = _contract("impact-urgency-nl-office-hours")
        if office is not None:
            created += _month_of_p2_incidents(office, agent, supplier, _last_month(now, zone))
    return created


def _contract(preset_key: str) -> Contract | None:
    for contract in Contract.objects.filter(active=True).order_by("pk"):
        preset = preset_for(contract)
        if preset is not None and preset.key == preset_key:
            return contract
    return None


def _requester(contract: Contract) -> Contact | None:
    contacts = Contact.objects.filter(organisation_id=contract.organisation_id, active=True)
    return contacts.order_by("-is_cpc", "pk").first()


def _last_quarter(now: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    local = now.astimezone(zone)
    first_month = 3 * ((local.month - 1) // 3) + 1
    this_quarter = datetime.datetime(local.year, first_month, 1, tzinfo=zone)
    before = this_quarter - datetime.timedelta(days=80)
    return datetime.datetime(before.year, 3 * ((before.month - 1) // 3) + 1, 1, tzinfo=zone)


def _last_month(now: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    local = now.astimezone(zone)
    before = datetime.datetime(local.year, local.month, 1, tzinfo=zone) - datetime.timedelta(days=1)
    return datetime.datetime(before.year, before.month, 1, tzinfo=zone)


def _weekdays(first: datetime.datetime, count: int, *, every: int) -> list[datetime.datetime]:
    """Return `count` weekdays at 09:30 from `first` on, `every` days apart (or more)."""
    days: list[datetime.datetime] = []
    day = first.replace(hour=9, minute=30)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
            day += datetime.timedelta(days=every)
        else:
            day += datetime.timedelta(days=1)
    return days


def _tell(
    ticket: Ticket,
    agent: User,
    *,
    restored_after: float,
    supplier: Supplier | None = None,
    with_supplier: tuple[float, float] = (0, 0),
) -> None:
    """Take the ticket in, hand it to the supplier for the hours `with_supplier` (from, to)
    after its report, offer a workaround `restored_after` hours after it, close it 2 days
    later."""
    start = ticket.created_at
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent, now=start + 0.2 * HOUR)
    services.ticket_transition(
        ticket=ticket, actor=agent, status="in_progress", now=start + 0.25 * HOUR
    )
    if supplier is not None:
        services.ticket_transition(
            ticket=ticket,
            actor=agent,
            status="waiting_on_supplier",
            supplier=supplier,
            supplier_reference=f"DEMO-{ticket.pk}",
            now=start + with_supplier[0] * HOUR,
        )
        services.ticket_transition(
            ticket=ticket, actor=agent, status="in_progress", now=start + with_supplier[1] * HOUR
        )
    restored = start + restored_after * HOUR
    services.ticket_add_message(
        ticket=ticket,
        body="Until the fix: export the invoices as PDF and print those.",
        author=agent,
        workaround=True,
        now=restored,
    )
    services.ticket_transition(
        ticket=ticket, actor=agent, status="closed", note="Fixed.", now=restored + 48 * HOUR
    )


def _quarter_of_high_incidents(
    contract: Contract, agent: User, supplier: Supplier, quarter: datetime.datetime
) -> int:
    """20 High incidents: 18 restored in 4 hours, one in 30 (with the supplier from hour 10
    to 28), one in 50: 90% within 24 h (met), 95% within 48 h (not met)."""
    requester = _requester(contract)
    if requester is None:
        return 0
    for n, day in enumerate(_weekdays(quarter, 20, every=3)):
        ticket = services.ticket_create(
            requester=requester,
            title=f"{TITLE}payroll run stops ({n + 1})",
            requested_priority="high",
            details=DETAILS,
            now=day,
        )
        if n == 8:
            _tell(ticket, agent, restored_after=30, supplier=supplier, with_supplier=(10, 28))
        else:
            _tell(ticket, agent, restored_after=50 if n == 15 else 4)
    return 20


def _month_of_p2_incidents(
    contract: Contract, agent: User, supplier: Supplier, month: datetime.datetime
) -> int:
    """20 P2 incidents (impact medium, urgency high), two a day: all answered within the
    hour, 19 restored in 3 hours, one the next day after the supplier held it: reaction 100%
    (met), restore 95% (met)."""
    requester = _requester(contract)
    if requester is None:
        return 0
    days = _weekdays(month, 10, every=1)
    # Handed to the supplier in the afternoon, back the next working morning.
    late = next(n for n, day in enumerate(days) if day.weekday() < 4)
    for n, day in enumerate(days * 2):
        ticket = services.ticket_create(
            requester=requester,
            title=f"{TITLE}invoices do not print ({n + 1})",
            impact="medium",
            urgency="high",
            details=DETAILS,
            now=day + (n // 10) * 2 * HOUR,
        )
        services.ticket_add_message(
            ticket=ticket,
            body="We are looking into it.",
            author=agent,
            now=ticket.created_at + 0.5 * HOUR,
        )
        if n == late:
            _tell(ticket, agent, restored_after=26, supplier=supplier, with_supplier=(6, 25))
        else:
            _tell(ticket, agent, restored_after=3)
    return 20


DETAILS = {
    "description": "The payroll run stops with an error.",
    "steps_taken": "Started the monthly run.",
    "expected_result": "The run completes.",
    "actual_result": "Error 'period locked'.",
    "reproducible": "yes",
    "administration": "Main company",
    "affected_users": "Payroll department",
    "business_impact": "Salaries cannot be paid.",
}
