"""Credit alerts: at 80% used and at exhaustion, the service manager (for the customer
success manager) and the organisation's CPC are told, each alert exactly once per bundle."""

import datetime

import pytest
from django.core import mail

from servicedesk.automation.models import Notification, RaciEntry, Rule
from servicedesk.billing import services
from servicedesk.billing.models import CreditBundle, TimeEntry
from servicedesk.tickets.disclosure import disclosure_for
from tests.automation.helpers import committed
from tests.billing.conftest import Desk, bundle

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 14, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 3, 10)


def log(desk: Desk, minutes: int) -> TimeEntry:
    with committed():
        return services.time_entry_create(
            actor=desk.agent,
            ticket=desk.ticket,
            minutes=minutes,
            worked_on=DAY,
            activity="consulting",
            billable=True,
            now=NOW,
        )


def alerts(rule: Rule) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(rule=rule).values_list("audience", "email"))


def test_the_matrix_has_the_credit_step() -> None:
    rows = set(
        RaciEntry.objects.filter(step="credit", kind="incident").values_list("role", "letter")
    )
    assert rows == {("customer", "I"), ("agent", "R"), ("service_manager", "A")}


def test_it_alerts_at_80_percent_and_at_exhaustion_once_each(desk: Desk) -> None:
    credit = bundle(desk.contract, 10)
    first = log(desk, 7 * 60)
    assert not Notification.objects.exists()

    log(desk, 60)  # 8 of 10 hours: 80%
    told = [("customer", "carla@vandenberg.example"), ("staff", "sam@vendor.example")]
    assert alerts(Rule.CREDIT_LOW) == told
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "carla@vandenberg.example",
        "sam@vendor.example",
    ]
    assert "80%" in mail.outbox[0].subject

    for minutes in (60, 7 * 60):  # back under 80%, and up again: still once
        with committed():
            services.time_entry_update(
                actor=desk.agent,
                entry=first,
                minutes=minutes,
                worked_on=DAY,
                activity="consulting",
                billable=True,
                note="",
                now=NOW,
            )
    log(desk, 60)
    assert alerts(Rule.CREDIT_LOW) == told
    assert not Notification.objects.filter(rule=Rule.CREDIT_EXHAUSTED).exists()

    last = log(desk, 120)  # past 10 hours
    assert alerts(Rule.CREDIT_EXHAUSTED) == told
    assert last.overuse_minutes > 0
    log(desk, 60)
    assert alerts(Rule.CREDIT_EXHAUSTED) == told
    credit.refresh_from_db()
    assert credit.low_alerted_at is not None and credit.exhausted_alerted_at is not None
    assert len(mail.outbox) == 4


def test_used_up_at_once_says_so_once_and_not_80_percent(desk: Desk) -> None:
    bundle(desk.contract, 1)
    log(desk, 90)
    assert alerts(Rule.CREDIT_EXHAUSTED) != []
    assert alerts(Rule.CREDIT_LOW) == []
    assert CreditBundle.objects.get().low_alerted_at is not None


def test_each_bundle_alerts_for_itself(desk: Desk) -> None:
    bundle(desk.contract, 1, valid_to=datetime.date(2026, 6, 30))
    bundle(desk.contract, 1, valid_from=datetime.date(2026, 2, 1))
    log(desk, 60)  # the older one used up
    assert len(alerts(Rule.CREDIT_EXHAUSTED)) == 2
    log(desk, 50)  # the newer one past 80%
    assert len(alerts(Rule.CREDIT_LOW)) == 2
    assert Notification.objects.count() == 4


def test_the_alert_is_told_on_the_ticket_in_the_recipients_language(desk: Desk) -> None:
    bundle(desk.contract, 1)
    log(desk, 60)
    to_cpc = Notification.objects.get(audience="customer")
    assert to_cpc.ticket == desk.ticket
    assert to_cpc.contact_id == desk.cpc.pk  # the CPC, not the ticket's requester
    assert desk.ticket.events.filter(action="notified", field=Rule.CREDIT_EXHAUSTED).exists()


def test_the_requester_does_not_read_the_organisations_credit_notice(desk: Desk) -> None:
    bundle(desk.contract, 1)
    log(desk, 60)
    assert desk.requester.user is not None and desk.requester != desk.cpc
    history = disclosure_for(desk.requester.user).events(desk.ticket.events.all())
    assert not history.filter(field__in=[Rule.CREDIT_LOW, Rule.CREDIT_EXHAUSTED]).exists()
    assert history.filter(action="time_logged").count() == 0  # internal notes ride on these
    staff = disclosure_for(desk.agent).events(desk.ticket.events.all())
    assert staff.filter(action="notified", field=Rule.CREDIT_EXHAUSTED).exists()
