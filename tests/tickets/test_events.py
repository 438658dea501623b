"""TicketEvent is evidence in SLA disputes: written once, never changed or removed."""

import pytest

from servicedesk.accounts.models import User
from servicedesk.tickets.models import AppendOnlyError, Ticket, TicketEvent
from servicedesk.tickets.services import ticket_assign


def test_it_appends_events(ticket: Ticket, agent: User) -> None:
    ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True)) == [
        "created",
        "assigned",
    ]


def test_it_refuses_to_save_a_recorded_event_again(ticket: Ticket) -> None:
    event = TicketEvent.objects.get(ticket=ticket)
    event.new_value = "closed"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert TicketEvent.objects.get(pk=event.pk).new_value == "new"


def test_it_refuses_to_delete_a_recorded_event(ticket: Ticket) -> None:
    event = TicketEvent.objects.get(ticket=ticket)
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert TicketEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("rewrite", ["update", "delete"])
def test_it_refuses_to_rewrite_events_in_bulk(ticket: Ticket, rewrite: str) -> None:
    # QuerySet.update() and .delete() skip Model.save() and Model.delete().
    events = TicketEvent.objects.filter(ticket=ticket)
    with pytest.raises(AppendOnlyError):
        if rewrite == "update":
            events.update(new_value="closed")
        else:
            events.delete()
    assert TicketEvent.objects.get(ticket=ticket).new_value == "new"
