"""Logging, changing and deleting time: who may, what is checked, what the ticket records,
and the coverage decision as the default of billable."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from servicedesk.billing import services
from servicedesk.billing.models import RunningTimer, TimeEntry
from servicedesk.billing.selectors import time_totals_for
from servicedesk.tickets.models import TicketEvent
from servicedesk.tickets.policy import Refusal
from tests.billing.conftest import Desk
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 14, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 3, 10)


def log(desk: Desk, **values: object) -> TimeEntry:
    values = {"minutes": 30, "worked_on": DAY, "activity": "analysis", "now": NOW, **values}
    return services.time_entry_create(actor=desk.agent, ticket=desk.ticket, **values)  # type: ignore[arg-type]


def test_it_logs_time_with_a_time_logged_event_without_the_note(desk: Desk) -> None:
    entry = log(desk, minutes=90, activity="consulting", billable=True, note="Customer was rude")
    assert (entry.minutes, entry.activity, entry.billable, entry.user) == (
        90,
        "consulting",
        True,
        desk.agent,
    )
    event = TicketEvent.objects.get(ticket=desk.ticket, action="time_logged")
    assert (event.actor, event.field, event.new_value) == (desk.agent, "consulting", "90")
    assert "rude" not in event.note
    assert "1:30" in event.note


def test_it_refuses_customers(desk: Desk) -> None:
    assert desk.cpc.user is not None
    with pytest.raises(Refusal):
        services.time_entry_create(
            actor=desk.cpc.user,
            ticket=desk.ticket,
            minutes=30,
            worked_on=DAY,
            activity="analysis",
            now=NOW,
        )
    with pytest.raises(Refusal):
        services.timer_start(actor=desk.cpc.user, ticket=desk.ticket, now=NOW)
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 24 * 60 + 1}, "minutes"),
        ({"activity": "golf"}, "activity"),
        ({"worked_on": DAY + datetime.timedelta(days=2)}, "worked_on"),
        ({"note": "x" * 4001}, "note"),
    ],
)
def test_it_names_the_field_at_fault(desk: Desk, values: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        log(desk, **values)
    assert field in refused.value.message_dict


def test_it_defaults_billable_to_the_tickets_coverage_decision(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert log(desk).billable is False  # undecided: covered (the real coverage selector)
    asked = []
    monkeypatch.setattr(
        "servicedesk.billing.services.ticket_billable", lambda ticket: asked.append(ticket) or True
    )
    assert log(desk).billable is True
    assert asked == [desk.ticket]
    assert log(desk, billable=False).billable is False  # the agent may say otherwise


def test_only_who_logged_it_or_a_lead_changes_an_entry(desk: Desk) -> None:
    entry = log(desk)
    other = StaffFactory()
    with pytest.raises(Refusal):
        services.time_entry_update(
            actor=other,
            entry=entry,
            minutes=60,
            worked_on=DAY,
            activity="analysis",
            billable=False,
            note="",
            now=NOW,
        )
    with pytest.raises(Refusal):
        services.time_entry_delete(actor=other, entry=entry, now=NOW)
    services.time_entry_update(
        actor=desk.lead,
        entry=entry,
        minutes=60,
        worked_on=DAY,
        activity="testing",
        billable=False,
        note="checked",
        now=NOW,
    )
    entry.refresh_from_db()
    assert (entry.minutes, entry.activity, entry.note) == (60, "testing", "checked")
    services.time_entry_delete(actor=desk.agent, entry=entry, now=NOW)
    assert not TimeEntry.objects.exists()
    assert TicketEvent.objects.filter(action="time_logged").count() == 3


def test_the_timer_runs_on_the_server_until_stopped(desk: Desk) -> None:
    started = services.timer_start(actor=desk.agent, ticket=desk.ticket, now=NOW)
    again = services.timer_start(
        actor=desk.agent, ticket=desk.ticket, now=NOW + datetime.timedelta(minutes=5)
    )
    assert again.pk == started.pk and again.started_at == NOW  # a second start keeps it
    minutes = services.timer_stop(
        actor=desk.agent, ticket=desk.ticket, now=NOW + datetime.timedelta(minutes=42, seconds=1)
    )
    assert minutes == 43  # rounded up
    assert not RunningTimer.objects.exists()
    assert services.timer_stop(actor=desk.agent, ticket=desk.ticket, now=NOW) is None


def test_timers_are_per_user(desk: Desk) -> None:
    services.timer_start(actor=desk.agent, ticket=desk.ticket, now=NOW)
    assert services.timer_stop(actor=desk.lead, ticket=desk.ticket, now=NOW) is None
    assert RunningTimer.objects.filter(user=desk.agent).exists()


def test_totals_per_customer_and_period_are_for_staff(desk: Desk) -> None:
    log(desk, minutes=60, billable=True)
    log(desk, minutes=30, billable=False, worked_on=DAY - datetime.timedelta(days=40))
    organisation = desk.contract.organisation_id
    everything = time_totals_for(desk.agent, organisation_id=organisation)
    assert (everything.minutes, everything.billable, everything.covered) == (90, 60, 30)
    march = time_totals_for(
        desk.agent,
        organisation_id=organisation,
        first_day=datetime.date(2026, 3, 1),
        last_day=datetime.date(2026, 3, 31),
    )
    assert march.minutes == 60
    assert time_totals_for(desk.agent, organisation_id=organisation + 1000).minutes == 0
    assert desk.cpc.user is not None
    assert time_totals_for(desk.cpc.user, organisation_id=organisation).minutes == 0
