"""A customer's reply resumes a waiting ticket, reopens a closed one, or starts a new one."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from servicedesk.tickets import services
from servicedesk.tickets.models import LinkKind, Message, Status, Ticket, TicketEvent, TicketLink
from servicedesk.tickets.services import ReplyOutcome, ticket_customer_reply
from tests.automation.helpers import DAY, Desk, at, contract_for, local
from tests.factories import complete_details

pytestmark = pytest.mark.django_db

T0 = local(2026, 6, 1, 10, 0)


def closed(desk: Desk) -> Ticket:
    """A ticket the agent closed at T0."""
    with at(T0):
        ticket = services.ticket_create(
            requester=desk.requester, title="Report is empty", details=complete_details()
        )
        services.ticket_transition(
            ticket=ticket, actor=desk.agent, status=Status.CLOSED, note="Fixed in 4.2"
        )
    return ticket


def test_it_takes_a_waiting_ticket_back_into_progress(desk: Desk) -> None:
    with at(T0):
        ticket = services.ticket_create(
            requester=desk.requester, title="Report is empty", details=complete_details()
        )
        services.ticket_transition(
            ticket=ticket, actor=desk.agent, status=Status.WAITING_ON_CUSTOMER, note="Which?"
        )
    with at(T0 + DAY):
        reply = ticket_customer_reply(
            ticket=ticket, contact=desk.requester, author=desk.requester.user, body=" Admin 12 "
        )
    assert (reply.ticket, reply.outcome) == (ticket, ReplyOutcome.RESUMED)
    assert reply.message is not None and reply.message.body == "Admin 12"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS
    event = TicketEvent.objects.get(ticket=ticket, new_value=Status.IN_PROGRESS)
    assert (event.actor, event.note) == (desk.requester.user, "The customer replied.")


def test_it_reopens_a_ticket_closed_within_the_period(desk: Desk) -> None:
    ticket = closed(desk)
    with at(T0 + 14 * DAY):
        reply = ticket_customer_reply(ticket=ticket, contact=desk.requester, body="Still empty")
    assert (reply.ticket, reply.outcome) == (ticket, ReplyOutcome.REOPENED)
    after = Ticket.objects.get(pk=ticket.pk)
    assert (after.status, after.closed_at) == (Status.REOPENED, None)
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))[
        -2:
    ] == ["status_changed", "customer_replied"]


def test_it_opens_a_linked_ticket_after_the_period(desk: Desk) -> None:
    ticket = closed(desk)
    with at(T0 + 14 * DAY + datetime.timedelta(seconds=1)):
        reply = ticket_customer_reply(ticket=ticket, contact=desk.requester, body="New question")
    assert reply.outcome == ReplyOutcome.NEW_TICKET
    assert reply.message is None
    new = reply.ticket
    assert new.pk != ticket.pk
    assert (new.requester, new.kind, new.description) == (
        desk.requester,
        ticket.kind,
        "New question",
    )
    assert new.title == f"Follow-up to {ticket.number}: Report is empty"
    assert TicketLink.objects.filter(source=new, target=ticket, kind=LinkKind.SPLIT_FROM).exists()
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED
    assert not Message.objects.filter(ticket=ticket).exists()


def test_it_follows_the_contracts_reopen_period(desk: Desk) -> None:
    contract_for(desk.requester, reopen_within=None)
    ticket = closed(desk)
    with at(T0 + 365 * DAY):
        reply = ticket_customer_reply(ticket=ticket, contact=desk.requester, body="Again")
    assert reply.outcome == ReplyOutcome.REOPENED


def test_it_only_adds_a_reply_to_a_ticket_in_progress(desk: Desk) -> None:
    with at(T0):
        ticket = services.ticket_create(
            requester=desk.requester, title="Report is empty", details=complete_details()
        )
        services.ticket_transition(ticket=ticket, actor=desk.agent, status=Status.IN_PROGRESS)
        reply = ticket_customer_reply(ticket=ticket, contact=desk.requester, body="Any news?")
    assert reply.outcome == ReplyOutcome.ADDED
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS


def test_it_refuses_an_empty_reply(desk: Desk) -> None:
    ticket = closed(desk)
    with pytest.raises(ValidationError) as error:
        ticket_customer_reply(ticket=ticket, contact=desk.requester, body="  ")
    assert set(error.value.message_dict) == {"body"}
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_it_lets_a_customer_reopen_by_status_only_within_the_period(desk: Desk) -> None:
    ticket = closed(desk)
    customer = desk.requester.user
    with at(T0 + 15 * DAY), pytest.raises(ValidationError) as error:
        services.ticket_transition(ticket=ticket, actor=customer, status=Status.REOPENED)
    assert "new question is a new request" in error.value.message_dict["status"][0]
    with at(T0 + 15 * DAY):  # staff may
        services.ticket_transition(ticket=ticket, actor=desk.agent, status=Status.REOPENED)
    assert Ticket.objects.get(pk=ticket.pk).status == Status.REOPENED
