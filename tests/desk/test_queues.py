"""Queues: who sees them, which tickets each holds, counts, filters, saved views, refresh."""

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.desk.models import SavedView
from servicedesk.desk.queues import BREACH_HORIZON
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket, TicketClock
from servicedesk.tickets.sla import sla_sweep
from tests.factories import StaffFactory, SupplierFactory, TeamFactory, make_ticket

pytestmark = pytest.mark.django_db


def queue_url(queue: str, query: str = "") -> str:
    return reverse("desk:queue", args=[queue]) + (f"?{query}" if query else "")


def numbers(response: Any) -> list[str]:
    return [ticket.number for ticket in response.context["page"].object_list]


@pytest.fixture
def tickets(customer: Contact, product: Product, staff: User) -> dict[str, Ticket]:
    """One ticket per queue situation."""
    other = StaffFactory()
    mine = make_ticket(customer, title="Mine", product=product)
    services.ticket_assign(ticket=mine, actor=staff, assignee=staff)
    theirs = make_ticket(customer, title="Theirs", product=product)
    services.ticket_assign(ticket=theirs, actor=staff, assignee=other)
    unassigned = make_ticket(customer, title="Nobody's", product=product)
    waiting = make_ticket(customer, title="Waiting", product=product)
    services.ticket_transition(ticket=waiting, actor=staff, status=Status.WAITING_ON_CUSTOMER)
    supplier = make_ticket(customer, title="At supplier", product=product)
    services.ticket_transition(ticket=supplier, actor=staff, status=Status.IN_PROGRESS)
    services.ticket_transition(
        ticket=supplier,
        actor=staff,
        status=Status.WAITING_ON_SUPPLIER,
        supplier=SupplierFactory(),
        supplier_reference="EXT-1",
    )
    closed = make_ticket(customer, title="Closed", product=product)
    services.ticket_transition(ticket=closed, actor=staff, status=Status.CLOSED, note="Done")
    return {
        "mine": mine,
        "theirs": theirs,
        "unassigned": unassigned,
        "waiting": waiting,
        "supplier": supplier,
        "closed": closed,
    }


def test_it_is_only_for_staff(customer_client: Client, client: Client) -> None:
    assert customer_client.get(queue_url("mine")).status_code == 403
    anonymous = client.get(queue_url("mine"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


def test_it_sends_the_desk_root_to_my_queue(staff_client: Client) -> None:
    assert staff_client.get(reverse("desk:home"))["Location"] == queue_url("mine")
    assert staff_client.get(reverse("home"))["Location"] == queue_url("mine")


def test_it_refuses_an_unknown_queue(staff_client: Client) -> None:
    assert staff_client.get(queue_url("nonsense")).status_code == 404


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("mine", {"mine"}),
        ("unassigned", {"unassigned", "waiting", "supplier"}),
        ("waiting_customer", {"waiting"}),
        ("waiting_supplier", {"supplier"}),
        ("open", {"mine", "theirs", "unassigned", "waiting", "supplier"}),
        ("all", {"mine", "theirs", "unassigned", "waiting", "supplier", "closed"}),
    ],
)
def test_it_puts_each_ticket_in_its_queues(
    staff_client: Client, tickets: dict[str, Ticket], queue: str, expected: set[str]
) -> None:
    response = staff_client.get(queue_url(queue))
    assert response.status_code == 200
    assert set(numbers(response)) == {tickets[name].number for name in expected}


def test_it_counts_the_queues(staff_client: Client, tickets: dict[str, Ticket]) -> None:
    counts = staff_client.get(queue_url("mine")).context["counts"]
    assert counts["mine"] == 1
    assert counts["unassigned"] == 3
    assert counts["waiting_customer"] == 1
    assert counts["waiting_supplier"] == 1


def test_it_orders_about_to_breach_by_sla_due(
    staff_client: Client, customer: Contact, product: Product
) -> None:
    later = make_ticket(customer, title="Later", product=product, impact="low", urgency="low")
    sooner = make_ticket(customer, title="Sooner", product=product, impact="high", urgency="high")
    soon = timezone.now() + datetime.timedelta(minutes=30)
    Ticket.objects.filter(pk=later.pk).update(sla_due_at=soon + datetime.timedelta(minutes=20))
    Ticket.objects.filter(pk=sooner.pk).update(sla_due_at=soon)
    response = staff_client.get(queue_url("breaching"))
    assert numbers(response) == [sooner.number, later.number]
    assert response.context["counts"]["breaching"] == 2


def test_it_lists_breached_tickets(staff_client: Client, customer: Contact) -> None:
    ticket = make_ticket(customer)
    response_due = TicketClock.objects.get(ticket=ticket, key="first_response").due_at
    assert response_due is not None
    after = response_due + datetime.timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        make_ticket(customer, title="Still in time")
    sla_sweep(now=after)
    assert numbers(staff_client.get(queue_url("breached"))) == [ticket.number]
    assert staff_client.get(queue_url("open")).context["counts"]["breached"] == 1


def test_about_to_breach_counts_a_clock_past_its_warning(
    staff_client: Client, customer: Contact, agent: User
) -> None:
    ticket = make_ticket(customer, impact="low", urgency="low")
    # Answered, so only the restore clock runs; its warning comes a day before it is due.
    services.ticket_add_message(ticket=ticket, body="We are on it.", author=agent)
    clock = TicketClock.objects.get(ticket=ticket, key="restore", state="running")
    assert clock.warn_at is not None and clock.due_at is not None
    assert clock.due_at - clock.warn_at > BREACH_HORIZON + datetime.timedelta(hours=1)
    with time_machine.travel(clock.warn_at - datetime.timedelta(minutes=1), tick=False):
        before = staff_client.get(queue_url("breaching"))
    with time_machine.travel(clock.warn_at + datetime.timedelta(minutes=1), tick=False):
        make_ticket(customer, title="Just reported", impact="low", urgency="low")
        after = staff_client.get(queue_url("breaching"))
    assert ticket.number not in numbers(before)
    assert numbers(after) == [ticket.number]
    assert after.context["counts"]["breaching"] == 1


def test_it_filters_by_team_search_and_status(
    staff_client: Client, tickets: dict[str, Ticket], staff: User
) -> None:
    team = TeamFactory(name="Payroll team")
    services.ticket_assign(ticket=tickets["theirs"], actor=staff, assignee=None, team=team)
    response = staff_client.get(queue_url("open", f"team={team.pk}"))
    assert numbers(response) == [tickets["theirs"].number]
    assert "Payroll team" in response.content.decode()
    assert numbers(staff_client.get(queue_url("all", "q=supplier"))) == [tickets["supplier"].number]
    assert numbers(staff_client.get(queue_url("all", "status=closed"))) == [
        tickets["closed"].number
    ]


def test_it_counts_open_tickets_by_team_and_product_group(
    staff_client: Client, tickets: dict[str, Ticket], staff: User, product: Product
) -> None:
    team = TeamFactory(name="Payroll team")
    for key in ("theirs", "waiting", "closed"):
        services.ticket_assign(ticket=tickets[key], actor=staff, assignee=None, team=team)
    context = staff_client.get(queue_url("mine")).context
    assert dict(context["nav_teams"])[team] == 2  # the closed one does not count
    assert dict(context["nav_groups"])[product.group] == 5
    assert context["counts"] == {
        "mine": 1,
        "unassigned": 4,
        "waiting_customer": 1,
        "waiting_supplier": 1,
        "breaching": 0,
        "breached": 0,
    }


def test_it_pages_through_a_queue_without_counting_it(
    staff_client: Client, tickets: dict[str, Ticket], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("servicedesk.desk.views.PAGE_SIZE", 2)
    seen = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(queue_url("open", f"page={page}"))
        assert not [q for q in queries if "COUNT(*)" in q["sql"].upper()]
        seen += numbers(response)
        assert response.context["page"].has_next == (page < 3)
    assert sorted(seen) == sorted(t.number for k, t in tickets.items() if k != "closed")
    assert "Page 2" in staff_client.get(queue_url("open", "page=2")).content.decode()


def test_it_refreshes_only_the_rows_and_counts_for_htmx(
    staff_client: Client, tickets: dict[str, Ticket]
) -> None:
    response = staff_client.get(
        queue_url("open"), headers={"HX-Request": "true", "HX-Target": "queue-region"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert tickets["mine"].number in html
    assert 'id="queue-nav"' in html
    assert 'hx-swap-oob="true"' in html


def test_a_refresh_that_finds_nothing_new_is_not_modified(
    staff_client: Client, tickets: dict[str, Ticket], staff: User
) -> None:
    refresh = {"HX-Request": "true", "HX-Target": "queue-region"}
    with time_machine.travel(timezone.now(), tick=False):
        first = staff_client.get(queue_url("open"), headers=refresh)
        etag = first["ETag"]
        again = staff_client.get(queue_url("open"), headers={**refresh, "If-None-Match": etag})
        assert (first.status_code, again.status_code) == (200, 304)
        assert again.content == b"" and again["ETag"] == etag
        assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
        services.ticket_transition(
            ticket=tickets["unassigned"], actor=staff, status=Status.IN_PROGRESS
        )
        changed = staff_client.get(queue_url("open"), headers={**refresh, "If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    later = timezone.now() + datetime.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):  # "due in ..." has moved on
        moved = staff_client.get(
            queue_url("open"), headers={**refresh, "If-None-Match": changed["ETag"]}
        )
    assert moved.status_code == 200


def test_a_full_page_is_never_answered_not_modified(
    staff_client: Client, tickets: dict[str, Ticket]
) -> None:
    response = staff_client.get(queue_url("open"), headers={"If-None-Match": "*"})
    assert response.status_code == 200 and "ETag" not in response


def test_it_shows_the_queue_in_a_fixed_number_of_queries(
    staff_client: Client, customer: Contact, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        make_ticket(customer, title=f"Ticket {n}")
    with CaptureQueriesContext(connection) as few:
        staff_client.get(queue_url("open"))
    for n in range(15):
        make_ticket(customer, title=f"More {n}")
    with django_assert_max_num_queries(16):
        staff_client.get(queue_url("open"))
    with CaptureQueriesContext(connection) as many:
        staff_client.get(queue_url("open"))
    assert len(many) == len(few)


def test_it_saves_and_deletes_a_view(staff_client: Client, staff: User) -> None:
    response = staff_client.post(
        reverse("desk:view-save"), {"name": "P1 at supplier", "queue": "open", "query": "q=x"}
    )
    assert response["Location"] == queue_url("open", "q=x")
    view = SavedView.objects.get(user=staff)
    assert view.name == "P1 at supplier"
    html = staff_client.get(queue_url("mine")).content.decode()
    assert "P1 at supplier" in html
    duplicate = staff_client.post(
        reverse("desk:view-save"), {"name": "P1 at supplier", "queue": "open"}, follow=True
    )
    assert "already have a view" in duplicate.content.decode()
    staff_client.post(reverse("desk:view-delete", args=[view.pk]))
    assert not SavedView.objects.exists()


def test_it_never_deletes_someone_elses_view(staff_client: Client) -> None:
    view = SavedView.objects.create(user=StaffFactory(), name="Theirs", queue="open")
    assert staff_client.post(reverse("desk:view-delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
