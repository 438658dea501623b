"""The seeds' change journeys, end to end through the services and the worker's tick."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from servicedesk.automation.models import Audience, Notification, Rule
from servicedesk.automation.notify import NOTIFICATIONS
from servicedesk.automation.tick import tick
from servicedesk.changes import services
from servicedesk.changes.models import Decision, ProposalState
from servicedesk.mail.models import OutboundMail
from servicedesk.outbox.services import outbox_deliver
from servicedesk.tickets.models import (
    ClockState,
    EventAction,
    Kind,
    Status,
    TicketClock,
    TicketEvent,
)
from tests.automation.helpers import at, committed, local
from tests.changes.conftest import MONDAY, World, build_world, change_request, signed_in

pytestmark = pytest.mark.django_db


def actions(ticket: Any) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))


def notices(rule: str, **filters: Any) -> list[Notification]:
    return list(Notification.objects.filter(rule=rule, **filters).order_by("pk"))


def propose(world: World, ticket: Any, **fields: Any) -> Any:
    fields.setdefault("scope", "An export of the payroll journal to CSV.")
    fields.setdefault("estimate_hours", Decimal("6"))
    return services.proposal_create(ticket=ticket, actor=world.agent, **fields)


def test_it_lapses_an_unanswered_003_proposal_after_one_reminder(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world)
        proposal = propose(world, ticket)
    assert proposal.remind_at == local(2026, 3, 5, 10, 0)  # 3 working days: Thursday
    assert proposal.answer_due_at == local(2026, 3, 9, 10, 0)  # 5 working days: next Monday
    ticket.refresh_from_db()
    assert ticket.status == Status.PARKED

    ticks = [(2026, 3, 4, 10), (2026, 3, 5, 10, 1), (2026, 3, 6, 9), (2026, 3, 7, 12)]
    ticks += [(2026, 3, 9, 10, 1), (2026, 3, 10, 9)]  # Wed .. Sat, then after the due Monday
    for moment in [local(*parts) for parts in ticks]:
        with at(moment), committed():
            tick(now=moment)

    reminders = notices(Rule.PROPOSAL_REMINDER)
    customers = {n.contact_id for n in reminders}
    # One reminder to each person the proposal went to: the CPC, the key user, the requester.
    assert customers == {world.cpc.pk, world.key_user.pk, world.requester.pk}
    assert len(reminders) == 3
    lapsed = notices(Rule.PROPOSAL_LAPSED)
    assert {n.user_id for n in lapsed} == {world.agent.pk, world.lead.pk}
    assert all(n.audience == Audience.STAFF for n in lapsed)
    assert actions(ticket).count(EventAction.PROPOSAL_LAPSED) == 1
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.LAPSED
    assert proposal.reminded_at == local(2026, 3, 5, 10, 1)
    assert proposal.next_look_at is None
    # Sent: the reminder mail once to each of them, however many ticks looked.
    outbox_deliver(NOTIFICATIONS, [n.pk for n in reminders])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        c.email for c in (world.cpc, world.key_user, world.requester)
    )


def test_it_counts_working_days_around_a_holiday(world: World) -> None:
    # Friday 3 April 2026; Easter Monday 6 April is a Dutch public holiday.
    with at(local(2026, 4, 3, 14)):
        ticket = change_request(world)
        proposal = propose(world, ticket)
    assert proposal.answer_due_at == local(2026, 4, 13, 14)  # Tue, Wed, Thu, Fri, Mon


def test_it_mails_each_recipient_in_their_language(world: World) -> None:
    with at(MONDAY), committed():
        ticket = change_request(world)
        propose(world, ticket)
    sent = {n.contact_id: n for n in notices(Rule.PROPOSAL_SENT)}
    assert sent[world.cpc.pk].body.startswith("Beste Carla Centraal,")  # nl
    assert sent[world.key_user.pk].body.startswith("Bonjour Koen Key,")  # fr
    assert sent[world.requester.pk].body.startswith("Dear Rita Requester,")  # en
    assert world.plain.pk not in sent and world.other_key_user.pk not in sent
    assert "120" in sent[world.requester.pk].body or "720" in sent[world.requester.pk].body
    assert outbox_deliver(NOTIFICATIONS, [n.pk for n in sent.values()]) == 3
    assert outbox_deliver(NOTIFICATIONS, [n.pk for n in sent.values()]) == 0  # sent once
    assert {m.to[0] for m in mail.outbox} == {n.email for n in sent.values()}


def test_it_plans_an_accepted_proposal_and_the_portal_shows_it(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world)
        proposal = propose(world, ticket, window_start=datetime.date(2026, 4, 1))
    assert proposal.price == Decimal("720.00")
    with at(local(2026, 3, 3, 11)):
        services.proposal_answer(
            proposal=proposal, actor=world.cpc.user, accept=True, comment="Go ahead"
        )
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert {n.user_id for n in notices(Rule.PROPOSAL_ANSWERED)} == {world.agent.pk, world.lead.pk}
    with at(local(2026, 3, 4, 11)):
        services.proposal_plan(
            proposal=proposal,
            actor=world.agent,
            planned_start=datetime.date(2026, 4, 6),
            planned_end=datetime.date(2026, 4, 8),
            consultant=world.agent,
        )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PLANNED
    assert {n.contact_id for n in notices(Rule.CHANGE_PLANNED)} >= {
        world.cpc.pk,
        world.requester.pk,
    }
    client = signed_in(world.requester.user)
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert "<dd data-planned>6 Apr 2026 \u2013 8 Apr 2026</dd>" in page
    assert "Sanne" not in page  # the consultant is the desk's business

    with at(local(2026, 4, 9, 11)), committed():
        services.change_release(ticket=ticket, actor=world.agent, note="Live in release 26.4.")
    ticket.refresh_from_db()
    proposal.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert proposal.state == ProposalState.RELEASED
    assert EventAction.CHANGE_RELEASED in actions(ticket)
    # The requester is told by the closing mail, the CPC and the key user by a notice.
    assert {n.contact_id for n in notices(Rule.CHANGE_CLOSED)} == {world.cpc.pk, world.key_user.pk}
    closing = OutboundMail.objects.filter(to=world.requester.email, kind="closed").get()
    assert "Live in release 26.4." in closing.body_text


def test_it_parks_a_001_rfc_without_a_running_clock_then_rejects_and_closes_it(db: None) -> None:
    world = build_world(
        service_level="impact-urgency-nl-office-hours", priority_scheme="impact-urgency-p1-p5"
    )
    with at(MONDAY), committed():
        ticket = change_request(world)
        services.change_park(ticket=ticket, actor=world.agent, note="To the product owner.")
    ticket.refresh_from_db()
    assert ticket.status == Status.PARKED
    assert not TicketClock.objects.filter(ticket=ticket, state=ClockState.RUNNING).exists()
    assert ticket.sla_due_at is None and ticket.sla_next_check_at is None
    with at(local(2026, 3, 20, 10)), committed():
        services.change_decide(
            ticket=ticket,
            actor=world.agent,
            decision=Decision.REJECTED,
            note="Not in our product vision.",
        )
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    decided = TicketEvent.objects.get(ticket=ticket, action=EventAction.CHANGE_DECIDED)
    assert decided.new_value == "rejected" and decided.note == "Not in our product vision."
    closing = OutboundMail.objects.filter(to=world.requester.email, kind="closed").get()
    assert "Not in our product vision." in closing.body_text  # the requester is told why
    assert {n.contact_id for n in notices(Rule.CHANGE_CLOSED)} == {world.cpc.pk, world.key_user.pk}


def test_it_converts_an_incident_to_a_change_request(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world, kind=Kind.INCIDENT, title="Wants a new report")
        services.change_park(ticket=ticket, actor=world.agent)
    ticket.refresh_from_db()
    assert ticket.kind == Kind.CHANGE_REQUEST
    assert ticket.status == Status.PARKED
    converted = TicketEvent.objects.get(ticket=ticket, action=EventAction.UPDATED, field="kind")
    assert (converted.old_value, converted.new_value) == ("incident", "change_request")
    assert converted.actor == world.agent


def test_it_converts_a_question_when_the_desk_proposes(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world, kind=Kind.QUESTION)
        propose(world, ticket)
    ticket.refresh_from_db()
    assert (ticket.kind, ticket.status) == (Kind.CHANGE_REQUEST, Status.PARKED)
    assert actions(ticket).count(EventAction.CHANGE_DECIDED) == 1
    assert actions(ticket).count(EventAction.PROPOSAL_SENT) == 1


def test_it_keeps_earlier_versions_readable_after_a_revision(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world)
        first = propose(world, ticket)
    with at(local(2026, 3, 4, 10)):
        second = propose(
            world, ticket, scope="Export with totals.", pricing="fixed", fixed_price=Decimal("500")
        )
    first.refresh_from_db()
    assert (first.state, first.next_look_at) == (ProposalState.SUPERSEDED, None)
    assert first.scope == "An export of the payroll journal to CSV."
    assert (second.version, second.price, second.state) == (
        2,
        Decimal("500.00"),
        ProposalState.PENDING,
    )
    assert second.answer_due_at == local(2026, 3, 11, 10)
    assert actions(ticket).count(EventAction.CHANGE_DECIDED) == 1
    assert actions(ticket).count(EventAction.PROPOSAL_SENT) == 2


def test_it_closes_the_ticket_when_the_customer_rejects(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world)
        proposal = propose(world, ticket)
    with at(local(2026, 3, 3, 10)), committed():
        services.proposal_answer(
            proposal=proposal, actor=world.key_user.user, accept=False, comment="Too expensive"
        )
    ticket.refresh_from_db()
    proposal.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert (proposal.state, proposal.answered_by, proposal.answer_comment) == (
        ProposalState.REJECTED, world.key_user, "Too expensive",
    )  # fmt: skip
    told = {n.contact_id for n in notices(Rule.CHANGE_CLOSED)}
    assert world.requester.pk in told  # a customer's close sends no closing mail: told here


def test_it_takes_an_answer_once(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world)
        proposal = propose(world, ticket)
        services.proposal_answer(proposal=proposal, actor=world.cpc.user, accept=True)
        with pytest.raises(Exception, match="no longer open"):
            services.proposal_answer(
                proposal=proposal, actor=world.key_user.user, accept=False, comment="No"
            )
    assert actions(ticket).count(EventAction.PROPOSAL_ANSWERED) == 1


def test_it_takes_a_change_into_the_roadmap_and_releases_it(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world)
        services.change_park(ticket=ticket, actor=world.agent)
        services.change_decide(ticket=ticket, actor=world.agent, decision=Decision.ROADMAP)
        ticket.refresh_from_db()
        assert ticket.status == Status.IN_PROGRESS
        services.change_release(ticket=ticket, actor=world.agent)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_it_refuses_an_hourly_proposal_without_a_rate(db: None) -> None:
    world = build_world(hourly_rate=None)
    with at(MONDAY):
        ticket = change_request(world)
        with pytest.raises(Exception) as refused:
            propose(world, ticket)
    assert "pricing" in refused.value.message_dict  # type: ignore[attr-defined]
