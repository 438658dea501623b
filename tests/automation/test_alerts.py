"""Alerts to the team lead and SLA notifications, on the business calendar (003, 000).

Tickets are made as requests make them: what they mail the customer (the confirmation,
status changes) is sent on commit and checked before a test turns to the alerts.
"""

import datetime
from typing import Any

import pytest

from servicedesk.accounts.models import StaffRole
from servicedesk.automation.models import ActionKind, Notification, Rule, ScheduledAction
from servicedesk.mail.models import OutboundKind
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket
from tests.automation.conftest import Tick
from tests.automation.helpers import (
    Desk,
    at,
    committed,
    contract_for,
    kinds_of,
    local,
    recipients_of,
)
from tests.factories import StaffFactory, complete_details

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)


def new_ticket(desk: Desk, *, team: bool = True, **kwargs: Any) -> Ticket:
    """A new ticket for the desk's requester, dispatched to the team (nobody assigned)."""
    with committed():
        ticket = services.ticket_create(
            requester=desk.requester, title="Orders stuck", details=complete_details(), **kwargs
        )
        if team:
            services.ticket_assign(ticket=ticket, actor=desk.lead, assignee=None, team=desk.team)
    return ticket


def confirmed(outbox: list[Any], desk: Desk) -> None:
    """Check that the one mail so far is the requester's confirmation; leave it out."""
    assert kinds_of(outbox) == [OutboundKind.TICKET_CREATED]
    assert recipients_of(outbox) == [desk.requester.email]
    outbox.clear()


# --- unassigned after one working day ---------------------------------------------------


def test_it_alerts_the_team_lead_on_monday_about_fridays_unassigned_ticket(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    with at(local(2026, 6, 5, 16, 0)):  # Friday; the desk's calendar: 09:00-17:00
        ticket = new_ticket(desk)
    confirmed(mailoutbox, desk)
    alert = ScheduledAction.objects.get(ticket=ticket, kind=ActionKind.UNASSIGNED_ALERT)
    assert alert.due_at == local(2026, 6, 8, 16, 0)
    for moment in (local(2026, 6, 6, 16, 0), local(2026, 6, 8, 15, 59)):
        with at(moment):
            run_tick()
    assert mailoutbox == []
    with at(local(2026, 6, 8, 16, 0)):
        run_tick()
    (mail,) = mailoutbox
    assert kinds_of(mailoutbox) == ["notification"]
    assert mail.to == [desk.lead.email]
    assert mail.subject == f"[{ticket.number}] Ticket {ticket.number} is still unassigned"


def test_it_counts_the_working_day_in_the_contracts_calendar(desk: Desk) -> None:
    contract_for(  # seed 001: 09:00-17:30
        desk.requester,
        service_level="impact-urgency-nl-office-hours",
        priority_scheme="impact-urgency-p1-p5",
    )
    with at(local(2026, 6, 5, 16, 0)):
        ticket = new_ticket(desk)
    alert = ScheduledAction.objects.get(ticket=ticket, kind=ActionKind.UNASSIGNED_ALERT)
    assert alert.due_at == local(2026, 6, 8, 15, 30)


def test_it_skips_public_holidays(desk: Desk) -> None:
    with at(local(2026, 5, 22, 16, 0)):  # the Friday before Whit Monday
        ticket = new_ticket(desk)
    alert = ScheduledAction.objects.get(ticket=ticket, kind=ActionKind.UNASSIGNED_ALERT)
    assert alert.due_at == local(2026, 5, 26, 16, 0)


def test_it_alerts_every_team_lead_when_the_ticket_has_no_team(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    other_lead = StaffFactory(role=StaffRole.TEAM_LEAD)
    with at(local(2026, 6, 1, 9, 0)):
        new_ticket(desk, team=False)
    confirmed(mailoutbox, desk)
    with at(local(2026, 6, 2, 9, 0)):
        run_tick()
    assert recipients_of(mailoutbox) == sorted([desk.lead.email, other_lead.email])


def test_it_forgets_the_alert_once_someone_takes_the_ticket(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    with at(local(2026, 6, 1, 9, 0)):
        ticket = new_ticket(desk)
    confirmed(mailoutbox, desk)
    with at(local(2026, 6, 1, 16, 0)), committed():
        services.ticket_assign(ticket=ticket, actor=desk.lead, assignee=desk.agent)
    with at(local(2026, 6, 3, 9, 0)):
        assert run_tick().actions == 0
    assert mailoutbox == []


# --- SLA warnings and breaches ----------------------------------------------------------


def sev_ticket(desk: Desk, priority: str) -> Ticket:
    contract_for(desk.requester)
    with at(local(2026, 6, 1, 9, 0)):
        ticket = new_ticket(desk, requested_priority=priority)
        with committed():
            services.ticket_assign(ticket=ticket, actor=desk.lead, assignee=desk.agent)
    return ticket


def reported_to_the_lead_and_manager(outbox: list[Any], desk: Desk, ticket: Ticket) -> None:
    """Check the confirmation and the highest-priority notice (nobody assigned yet: the
    team lead and the service manager); leave them out."""
    notices = [mail for mail in outbox if "Highest priority reported" in mail.subject]
    assert recipients_of(notices) == sorted([desk.lead.email, desk.manager.email])
    assert all(ticket.number in mail.subject for mail in notices)
    assert kinds_of(outbox) == [OutboundKind.TICKET_CREATED, "notification", "notification"]
    outbox.clear()


def test_it_tells_the_lead_and_service_manager_at_once_of_a_severity_1_report(
    desk: Desk, mailoutbox: list[Any]
) -> None:
    ticket = sev_ticket(desk, "sev1")

    reported_to_the_lead_and_manager(mailoutbox, desk, ticket)
    top = Notification.objects.filter(ticket=ticket, rule=Rule.TOP_PRIORITY_REPORTED)
    assert top.count() == 2


def test_it_tells_nobody_at_once_of_a_lower_severity(desk: Desk, mailoutbox: list[Any]) -> None:
    ticket = sev_ticket(desk, "sev2")

    confirmed(mailoutbox, desk)
    assert not Notification.objects.filter(ticket=ticket, rule=Rule.TOP_PRIORITY_REPORTED)


def test_it_tells_them_once_when_the_desk_raises_a_ticket_to_severity_1(
    desk: Desk, mailoutbox: list[Any]
) -> None:
    ticket = sev_ticket(desk, "sev2")
    with at(local(2026, 6, 1, 9, 5)), committed():
        services.ticket_change_priority(
            ticket=ticket, actor=desk.lead, priority="sev1", justification="All users blocked"
        )
        services.ticket_change_priority(
            ticket=ticket, actor=desk.lead, priority="sev2", justification="Workaround found"
        )
        services.ticket_change_priority(
            ticket=ticket, actor=desk.lead, priority="sev1", justification="Workaround failed"
        )

    top = Notification.objects.filter(ticket=ticket, rule=Rule.TOP_PRIORITY_REPORTED)
    assert sorted(top.values_list("user__email", flat=True)) == sorted(
        [desk.agent.email, desk.lead.email, desk.manager.email]
    )


def test_it_tells_assignee_lead_and_service_manager_of_a_severity_1_warning_and_breach(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = sev_ticket(desk, "sev1")  # first response within 30 minutes, warned at 75%
    reported_to_the_lead_and_manager(mailoutbox, desk, ticket)
    with at(local(2026, 6, 1, 9, 22)):
        run_tick()
    assert mailoutbox == []
    with at(local(2026, 6, 1, 9, 23)):
        run_tick()
    everyone = sorted([desk.agent.email, desk.lead.email, desk.manager.email])
    assert recipients_of(mailoutbox) == everyone
    assert kinds_of(mailoutbox) == ["notification"] * 3
    assert all("SLA warning" in mail.subject for mail in mailoutbox)
    mailoutbox.clear()
    with at(local(2026, 6, 1, 9, 31)):
        run_tick()
        run_tick()
    assert recipients_of(mailoutbox) == everyone
    assert all("SLA breached" in mail.subject for mail in mailoutbox)
    assert "first response" in mailoutbox[0].body
    rules = set(Notification.objects.filter(ticket=ticket).values_list("rule", flat=True))
    assert rules == {Rule.TOP_PRIORITY_REPORTED, Rule.SLA_WARNING, Rule.SLA_BREACHED}


def test_it_keeps_the_service_manager_out_of_lower_priorities(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    sev_ticket(desk, "sev3")  # 8 working hours
    confirmed(mailoutbox, desk)
    with at(local(2026, 6, 1, 17, 1)):
        run_tick()
    assert recipients_of(mailoutbox) == sorted([desk.agent.email, desk.lead.email])


def test_it_notifies_a_breach_found_by_a_service_once(desk: Desk, run_tick: Tick) -> None:
    ticket = sev_ticket(desk, "sev1")
    with at(local(2026, 6, 1, 9, 40)):  # nobody ticked; the agent's change finds the breach
        services.ticket_transition(ticket=ticket, actor=desk.agent, status=Status.IN_PROGRESS)
    notified = Notification.objects.filter(ticket=ticket, rule=Rule.SLA_BREACHED)
    assert notified.count() == 3
    with at(local(2026, 6, 1, 9, 41)):
        run_tick()
    assert notified.count() == 3


# --- internal targets (seed 003) -------------------------------------------------------


def test_it_alerts_the_lead_without_a_first_response_within_the_internal_target(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    contract_for(
        desk.requester, service_level="saas-high-medium-low", priority_scheme="high-medium-low"
    )
    with at(local(2026, 6, 1, 9, 0)):  # Monday
        ticket = new_ticket(desk)
    confirmed(mailoutbox, desk)
    with at(local(2026, 6, 1, 17, 0) + SECOND):
        run_tick()  # the scheduled alert and the missed assignment target: one alert
    (unassigned,) = mailoutbox
    assert "still unassigned" in unassigned.subject
    mailoutbox.clear()
    with at(local(2026, 6, 2, 9, 0)), committed():
        services.ticket_assign(ticket=ticket, actor=desk.lead, assignee=desk.agent)
        services.ticket_transition(ticket=ticket, actor=desk.agent, status=Status.IN_PROGRESS)
    # The customer is told their ticket is in progress: a status mail, no first response.
    assert kinds_of(mailoutbox) == [OutboundKind.STATUS_CHANGED]
    mailoutbox.clear()
    with at(local(2026, 6, 3, 16, 59)):
        run_tick()
    assert mailoutbox == []
    with at(local(2026, 6, 3, 17, 0) + SECOND):  # 3 working days of 8 hours
        run_tick()
    (mail,) = mailoutbox
    assert mail.to == [desk.lead.email]
    assert "no first response within its target" in mail.subject
    rules = Notification.objects.filter(ticket=ticket).values_list("rule", flat=True)
    assert sorted(rules) == [Rule.FIRST_RESPONSE_ALERT, Rule.UNASSIGNED_ALERT]
