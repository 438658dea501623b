"""Fixtures of the dashboard tests: staff in every role, contracts under the seeds' service
levels, and tickets reported at chosen instants (Amsterdam time)."""

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from servicedesk.accounts.models import StaffRole, User
from servicedesk.contracts.models import Contract
from servicedesk.dashboard.access import dashboard_viewer
from servicedesk.dashboard.selectors import Dashboard, dashboard_figures
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket, TicketClock
from tests.factories import complete_details
from tests.reports.conftest import (  # noqa: F401 -- the report tests' fixtures, shared
    ams,
    manager,
    p_contract,
    requester_of,
    role_user,
    saas_contract,
)

AMS = ZoneInfo("Europe/Amsterdam")
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """The dashboard keeps the month's compliance in the cache for a minute: each test
    starts without what another one counted."""
    cache.clear()


@pytest.fixture
def lead(role_user: Callable[[str], User]) -> User:  # noqa: F811 -- the fixture
    return role_user(StaffRole.TEAM_LEAD)


@pytest.fixture
def agent(role_user: Callable[[str], User]) -> User:  # noqa: F811 -- the fixture
    return role_user(StaffRole.AGENT)


def report(
    contract: Contract, at: datetime.datetime, priority: str = "", kind: str = "incident"
) -> Ticket:
    """Report a complete request of the contract's organisation at `at`, as a customer does."""
    return services.ticket_create(
        requester=requester_of(contract),
        title="Invoices do not print",
        kind=kind,
        requested_priority=priority,
        details=complete_details(kind),
        now=at,
    )


def stored(ticket: Ticket, **fields: Any) -> None:
    """Set what the desk stores on a ticket (its SLA summary, assignee, status) directly:
    the dashboard reads only these columns, so a test can put a ticket in any state."""
    Ticket.objects.filter(pk=ticket.pk).update(**fields)


def clock(
    ticket: Ticket,
    key: str,
    *,
    state: str,
    due_at: datetime.datetime,
    internal: bool = False,
    met_at: datetime.datetime | None = None,
) -> TicketClock:
    """Store one SLA clock of the ticket in the given state (replacing its clock of `key`)."""
    found, _ = TicketClock.objects.update_or_create(
        ticket=ticket,
        key=key,
        defaults={
            "metric": key,
            "state": state,
            "priority": ticket.priority,
            "target_seconds": 3600,
            "objective_percent": 100.0,
            "internal": internal,
            "started_at": due_at - HOUR,
            "due_at": due_at,
            "warn_at": due_at - 15 * MINUTE,
            "met_at": met_at,
            "breached_at": due_at if state == "breached" else None,
            "computed_at": due_at - HOUR,
        },
    )
    return found


def figures_of(user: User, *, now: datetime.datetime, team_id: int | None = None) -> Dashboard:
    return dashboard_figures(dashboard_viewer(user), team_id=team_id, now=now)
