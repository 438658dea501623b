"""The hand-written ticket representation equals what the declared serializer fields give."""

import datetime
from typing import Any

import pytest
import time_machine
from rest_framework import serializers
from tests.factories import (
    ContactFactory,
    ContractFactory,
    ProductFactory,
    StaffFactory,
    SupplierFactory,
    TeamFactory,
)

from servicedesk.api.tickets import TicketSerializer
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 6, 3, 10, 0, tzinfo=datetime.UTC)


def declared(ticket: Ticket) -> dict[str, Any]:
    serializer = TicketSerializer(ticket)
    return dict(serializers.ModelSerializer.to_representation(serializer, ticket))


def loaded(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_related(
            "requester",
            "organisation",
            "product",
            "assignee",
            "team",
            "supplier",
            "contract__calendar",
        )
        .prefetch_related("clocks")
        .get(pk=ticket.pk)
    )


@time_machine.travel(NOW, tick=False)
def test_it_represents_a_bare_ticket_as_the_fields_do() -> None:
    ticket = services.ticket_create(requester=ContactFactory(), title="Bare")
    fast = TicketSerializer(loaded(ticket)).data
    assert fast == declared(loaded(ticket))
    assert fast["assignee"] is None
    assert fast["sla"] == []


@time_machine.travel(NOW, tick=False)
def test_it_represents_a_worked_ticket_with_clocks_as_the_fields_do() -> None:
    contract = ContractFactory(
        service_level="saas-high-medium-low",
        priority_scheme="high-medium-low",
        starts_on=datetime.date(2026, 1, 1),
    )
    product = ProductFactory()
    contract.products.add(product)  # the intake takes only products the contract covers
    requester = ContactFactory(organisation=contract.organisation)
    agent = StaffFactory(first_name="Ann", last_name="Agent")
    ticket = services.ticket_create(
        requester=requester,
        title="Worked",
        product=product,
        requested_priority="high",
        details={"steps_taken": "Clicked", "reproducible": "yes"},
        now=NOW - datetime.timedelta(days=1),
    )
    services.ticket_assign(
        ticket=ticket,
        actor=agent,
        assignee=agent,
        team=TeamFactory(),
        now=NOW - datetime.timedelta(hours=20),
    )
    services.ticket_transition(
        ticket=ticket, actor=agent, status="in_progress", now=NOW - datetime.timedelta(hours=19)
    )
    services.ticket_transition(
        ticket=ticket,
        actor=agent,
        status="waiting_on_supplier",
        supplier=SupplierFactory(),
        supplier_reference="EXT-9",
        now=NOW - datetime.timedelta(hours=18),
    )
    fast = TicketSerializer(loaded(ticket)).data
    assert fast == declared(loaded(ticket))
    assert fast["assignee"] == {"id": agent.pk, "name": "Ann Agent"}
    assert fast["supplier_reference"] == "EXT-9"
    assert len(fast["sla"]) >= 3
    assert {clock["state"] for clock in fast["sla"]} <= {
        "running",
        "paused",
        "met",
        "breached",
        "none",
    }
