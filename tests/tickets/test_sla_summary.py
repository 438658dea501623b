"""The SLA state a queue needs is kept on the ticket, so that queues never read the clocks:
`sla_due_at` and `sla_warn_at` (the earliest of the running clocks) and `sla_breached`."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket, TicketClock
from servicedesk.tickets.sla import sla_sweep
from tests.factories import make_ticket


def running_clocks(ticket: Ticket) -> list[TicketClock]:
    return list(TicketClock.objects.filter(ticket=ticket, state="running"))


def test_a_new_ticket_keeps_its_earliest_due_and_warning(customer: Contact) -> None:
    ticket = make_ticket(customer)
    ticket.refresh_from_db()
    clocks = running_clocks(ticket)
    assert len(clocks) == 2
    assert ticket.sla_due_at == min(c.due_at for c in clocks if c.due_at)
    assert ticket.sla_warn_at == min(c.warn_at for c in clocks if c.warn_at)
    assert ticket.sla_breached is False


def test_the_first_response_moves_the_warning_to_the_next_running_clock(
    customer: Contact, agent: User
) -> None:
    ticket = make_ticket(customer)
    services.ticket_add_message(ticket=ticket, body="We are looking into it.", author=agent)
    ticket.refresh_from_db()
    (restore,) = running_clocks(ticket)
    assert (ticket.sla_due_at, ticket.sla_warn_at) == (restore.due_at, restore.warn_at)


def test_the_sweep_marks_a_breach_and_moves_the_warning_on(customer: Contact) -> None:
    ticket = make_ticket(customer)
    response = TicketClock.objects.get(ticket=ticket, key="first_response")
    restore = TicketClock.objects.get(ticket=ticket, key="restore")
    assert response.due_at is not None
    sla_sweep(now=response.due_at + datetime.timedelta(minutes=1))
    ticket.refresh_from_db()
    assert ticket.sla_breached is True
    assert (ticket.sla_due_at, ticket.sla_warn_at) == (restore.due_at, restore.warn_at)


def test_a_ticket_recomputed_after_a_breach_stays_breached(
    customer: Contact, agent: User
) -> None:
    ticket = make_ticket(customer)
    response = TicketClock.objects.get(ticket=ticket, key="first_response")
    assert response.due_at is not None
    later = response.due_at + datetime.timedelta(minutes=1)
    sla_sweep(now=later)
    services.ticket_add_message(ticket=ticket, body="Sorry for the wait.", author=agent, now=later)
    ticket.refresh_from_db()
    assert ticket.sla_breached is True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_the_summary_from_the_stored_clocks(customer: Contact) -> None:
    breached = make_ticket(customer, title="Breached")
    calm = make_ticket(customer, title="Calm")
    executor = MigrationExecutor(connection)
    executor.migrate([("tickets", "0004_event_action_choices")])
    TicketClock.objects.filter(ticket=breached, key="first_response").update(state="breached")
    TicketClock.objects.filter(ticket=breached, key="restore").update(state="met")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    calm_clocks = running_clocks(calm)
    rows = dict(Ticket.objects.values_list("title", "sla_breached"))
    warnings = dict(Ticket.objects.values_list("title", "sla_warn_at"))
    assert rows == {"Breached": True, "Calm": False}
    assert warnings == {"Breached": None, "Calm": min(c.warn_at for c in calm_clocks if c.warn_at)}
