"""Seed 003 "Communicatie verstoringen" end to end, with the clock moved.

A team manager publishes a notice; the CPCs of the organisations using the product are
mailed once each; a customer reports and attaches the report; an agent links three more
tickets; an update reaches all four; the manager is warned before the 2-hour promise and
the service-center manager told when it passes; the resolution offers the solution on all
four; the notice closes 4 hours after the resolution.
"""

import datetime

import pytest

from servicedesk.automation.tick import tick
from servicedesk.outages import selectors, services
from servicedesk.outages.models import OutageDelivery, OutageState, OutageUpdate
from servicedesk.tickets.models import EventAction, Message, Status, TicketEvent
from tests.automation.helpers import at, local
from tests.factories import make_ticket
from tests.outages.factories import addresses, outage_mails, publish, world

pytestmark = pytest.mark.django_db

T0 = local(2026, 3, 2, 10, 0)  # a Monday morning
MIN = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


def mails_of(update: OutageUpdate) -> list[str]:
    return addresses(outage_mails(dedupe_key__startswith=f"outage:{update.pk}:"))


def test_it_runs_the_seed_003_outage_communication() -> None:
    w = world()
    with at(T0):
        outage = publish(w)
        first = outage.updates.get()
        assert outage.next_update_due_at == T0 + 2 * HOUR  # "uiterlijk binnen 2 uur"
        # Shown at once: the customers' banner reads it before any worker ran.
        assert selectors.outages_current_for(user=w.user_a.user) == [outage]
        assert selectors.outages_current_for(user=w.cpc_c.user) == []
        tick(now=T0)
    # Published: the CPCs of the organisations using payroll, each once; not C's.
    assert mails_of(first) == sorted([w.cpc_a.email, w.cpc_b.email])
    mail_a = outage_mails(to=w.cpc_a.email)[0]
    assert "Storing Payroll" in mail_a.subject  # Dutch, the CPC's language
    assert "Hoe u het merkt: Generating payslips ends with an error." in mail_a.body_text
    assert "uiterlijk om 2 maart 2026, 12:00" in mail_a.body_text

    # A customer reports on the product: the intake offers the notice and attaches it.
    with at(T0 + 10 * MIN):
        assert selectors.outages_for_product(user=w.user_a.user, product=w.payroll) == [outage]
        reported = make_ticket(requester=w.user_a, product=w.payroll, actor=w.user_a.user)
        assert services.outage_ticket_attach_by_customer(
            actor=w.user_a.user, outage=outage, ticket=reported
        )
        # An agent links three more (one requester has two of them).
        more = [
            make_ticket(requester=w.user_b, product=w.payroll),
            make_ticket(requester=w.user_b, product=w.payroll, title="Payslip run stops"),
            make_ticket(requester=w.cpc_b, product=w.payroll),
        ]
        assert services.outage_tickets_link(actor=w.agent, outage=outage, tickets=more) == 3
        tickets = [reported, *more]
        tick(now=T0 + 10 * MIN)
    linked = TicketEvent.objects.filter(action=EventAction.OUTAGE_LINKED)
    assert sorted(linked.values_list("ticket_id", flat=True)) == sorted(t.pk for t in tickets)

    # An update fans out to all four: one message each, one mail per requester.
    with at(T0 + HOUR):
        update = services.outage_update_post(
            actor=w.lead,
            outage=outage,
            text="The cause is found; a fix is being prepared.",
            state=OutageState.IDENTIFIED,
        )
        tick(now=T0 + HOUR)
        tick(now=T0 + HOUR + MIN)  # a second tick does nothing more
    for ticket in tickets:
        delivered = OutageDelivery.objects.get(update=update, ticket=ticket)
        assert delivered.message is not None
        assert delivered.message.visibility == "public"
        assert "a fix is being prepared" in delivered.message.body
    assert OutageDelivery.objects.filter(update=update).count() == 4
    assert TicketEvent.objects.filter(action=EventAction.OUTAGE_UPDATE).count() == 8  # 2 updates
    assert mails_of(update) == sorted(
        [w.user_a.email, w.user_b.email, w.cpc_b.email, w.cpc_a.email]
    )
    (to_b,) = outage_mails(to=w.user_b.email, dedupe_key__startswith=f"outage:{update.pk}:")
    assert more[0].number in to_b.body_text and more[1].number in to_b.body_text

    # The manager is warned before the promised update; once.
    due = T0 + 3 * HOUR
    with at(due - 16 * MIN):
        tick(now=due - 16 * MIN)
    assert outage_mails(kind="outage_alert") == []
    with at(due - 14 * MIN):
        tick(now=due - 14 * MIN)
        tick(now=due - 13 * MIN)
    (warning,) = outage_mails(kind="outage_alert")
    assert warning.to == w.lead.email
    # When the promise passes, the service-center manager is told (and the manager).
    with at(due + MIN):
        tick(now=due + MIN)
        tick(now=due + 2 * MIN)
    escalations = outage_mails(kind="outage_alert", dedupe_key__startswith="outage_late:")
    assert addresses(escalations) == sorted([w.lead.email, w.service_manager.email])
    assert "overdue" in escalations[0].subject or "te laat" in escalations[0].subject

    # The resolution: cause in plain words; every linked ticket offered the solution.
    resolved_at = T0 + 4 * HOUR
    with at(resolved_at):
        resolution = services.outage_update_post(
            actor=w.lead,
            outage=outage,
            text="Payslips can be generated again.",
            state=OutageState.RESOLVED,
            cause="A faulty update of the payroll tables; it has been undone.",
        )
        assert resolution.late  # the 13:00 promise was not kept
        tick(now=resolved_at)
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLUTION_OFFERED
        last = Message.objects.filter(ticket=ticket).order_by("-pk").first()
        assert last is not None and "faulty update of the payroll tables" in last.body
    assert len(mails_of(resolution)) == 4  # one per contact, not one per ticket

    # The notice closes itself 4 hours after the resolution, not before.
    with at(resolved_at + 4 * HOUR - MIN):
        tick(now=resolved_at + 4 * HOUR - MIN)
    outage.refresh_from_db()
    assert outage.state == OutageState.RESOLVED
    with at(resolved_at + 4 * HOUR):
        tick(now=resolved_at + 4 * HOUR)
    outage.refresh_from_db()
    assert outage.state == OutageState.CLOSED
    assert outage.closed_at == resolved_at + 4 * HOUR
    assert selectors.outages_current_for(user=w.user_a.user) == []
    # Every change is in the history.
    states = list(outage.updates.values_list("state", flat=True))
    assert states == ["investigating", "identified", "resolved", "closed"]
