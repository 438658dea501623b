"""Query counts of the list endpoints and ticket pages that had none: a page or list asks
the database as often for 3N items as for N (no query per item).

Each test measures a response with N items, adds 2N more of every kind the response
shows, and asserts the same number of queries again. Lists and pages that already have
such a test: the API's ticket list (tests/api/test_tickets.py), the desk's queues
(tests/desk/test_queues.py) and the portal's ticket list (tests/portal/test_tickets.py).
"""

import json
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.catalog.models import Product
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket, Visibility
from tests.conftest import client_for
from tests.factories import (
    BusinessCalendarFactory,
    ContactFactory,
    ContractFactory,
    OrganisationFactory,
    ProductFactory,
    ProductGroupFactory,
    StaffFactory,
    TeamFactory,
    make_ticket,
)

pytestmark = pytest.mark.django_db

N = 3


def assert_flat(
    assert_num_queries: DjangoAssertNumQueries,
    fetch: Callable[[], HttpResponseBase],
    grow: Callable[[int], object],
    count: Callable[[HttpResponseBase], int] | None = None,
) -> None:
    """Assert that `fetch` asks the same number of queries with N and with 3N items.

    `grow(k)` adds k items of every kind; `count` (if given) reads how many items the
    response shows, to make sure the second response shows the added ones.
    """
    grow(N)
    with CaptureQueriesContext(connection) as few:
        first = fetch()
    assert first.status_code == 200, first
    grow(2 * N)
    with assert_num_queries(len(few.captured_queries)):
        second = fetch()
    assert second.status_code == 200
    if count is not None:
        assert count(second) > count(first)


def results(response: HttpResponseBase) -> int:
    assert isinstance(response, HttpResponse)
    body = json.loads(response.content)
    return len(body["results"] if isinstance(body, dict) else body)


# --------------------------------------------------------------------------- master data


@pytest.fixture
def manager_api(db: None) -> APIClient:
    return client_for(StaffFactory.create(role=StaffRole.SERVICE_MANAGER))


def test_it_lists_organisations_in_a_fixed_number_of_queries(
    manager_api: APIClient, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    assert_flat(
        django_assert_num_queries,
        lambda: manager_api.get("/api/v1/organisations/"),
        OrganisationFactory.create_batch,
        results,
    )


def test_it_lists_contacts_with_their_key_user_products_in_a_fixed_number_of_queries(
    manager_api: APIClient, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    def grow(k: int) -> None:
        for _ in range(k):
            contact = ContactFactory.create()
            contact.key_user_products.add(ProductFactory.create(), ProductFactory.create())

    assert_flat(
        django_assert_num_queries, lambda: manager_api.get("/api/v1/contacts/"), grow, results
    )


def test_it_lists_a_cpcs_colleagues_in_a_fixed_number_of_queries(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    cpc = ContactFactory.create(is_cpc=True)
    assert cpc.user is not None
    api = client_for(cpc.user)

    def grow(k: int) -> None:
        for _ in range(k):
            colleague = ContactFactory.create(organisation=cpc.organisation)
            colleague.key_user_products.add(ProductFactory.create())

    assert_flat(django_assert_num_queries, lambda: api.get("/api/v1/contacts/"), grow, results)


def test_it_lists_products_with_their_groups_in_a_fixed_number_of_queries(
    manager_api: APIClient, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    assert_flat(
        django_assert_num_queries,
        lambda: manager_api.get("/api/v1/products/"),
        lambda k: [ProductFactory.create(group=ProductGroupFactory.create()) for _ in range(k)],
        results,
    )


def test_it_lists_contracts_with_products_and_calendars_in_a_fixed_number_of_queries(
    manager_api: APIClient, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    def grow(k: int) -> None:
        for _ in range(k):
            contract = ContractFactory.create(calendar=BusinessCalendarFactory.create())
            contract.products.add(ProductFactory.create(), ProductFactory.create())

    assert_flat(
        django_assert_num_queries, lambda: manager_api.get("/api/v1/contracts/"), grow, results
    )


# --------------------------------------------------------------------------- a ticket's parts


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"log\n", content_type="text/plain")


class Growth:
    """Adds to one ticket, per step, a bit of everything its pages and lists show, each by
    other people: a public reply with a file, an internal note with a file, a customer
    reply, an assignment, a field change, a loose file and a link each way."""

    def __init__(self, ticket: Ticket, customer: Contact) -> None:
        self.ticket = ticket
        self.customer = customer
        self.steps = 0

    def __call__(self, k: int) -> None:
        for _ in range(k):
            self.step()

    def step(self) -> None:
        self.steps += 1
        n, ticket = self.steps, self.ticket
        agent = StaffFactory.create(first_name=f"Agent{n}", last_name="Desk")
        lead = StaffFactory.create(role=StaffRole.TEAM_LEAD, first_name=f"Lead{n}")
        reply = services.ticket_add_message(ticket=ticket, body=f"Reply {n}", author=agent)
        services.attachment_add(
            ticket=ticket, upload=upload(f"r{n}.txt"), actor=agent, message=reply
        )
        note = services.ticket_add_message(
            ticket=ticket, body=f"Note {n}", author=agent, visibility=Visibility.INTERNAL
        )
        services.attachment_add(
            ticket=ticket, upload=upload(f"n{n}.txt"), actor=agent, message=note, internal=True
        )
        services.ticket_add_message(
            ticket=ticket,
            body=f"Customer {n}",
            author=self.customer.user,
            contact=self.customer,
        )
        services.attachment_add(ticket=ticket, upload=upload(f"c{n}.txt"), actor=self.customer.user)
        services.ticket_assign(ticket=ticket, actor=lead, assignee=agent, team=TeamFactory.create())
        services.ticket_update(ticket=ticket, actor=agent, changes={"administration": f"Admin {n}"})
        other = make_ticket(self.customer, title=f"Other {n}")
        services.ticket_link(ticket=ticket, target=other, kind="related", actor=agent)
        services.ticket_link(ticket=other, target=ticket, kind="duplicate_of", actor=agent)


@pytest.fixture
def ticket(customer: Contact, product: Product) -> Ticket:
    ticket = make_ticket(customer, product=product, impact="high", urgency="high")
    services.ticket_transition(
        ticket=ticket, actor=StaffFactory.create(), status=Status.IN_PROGRESS
    )
    return ticket


@pytest.fixture
def growth(ticket: Ticket, customer: Contact) -> Growth:
    return Growth(ticket, customer)


READERS = ["staff", "customer"]


def api_for(reader: str, customer: Contact) -> APIClient:
    user = StaffFactory.create() if reader == "staff" else customer.user
    assert isinstance(user, User)
    return client_for(user)


@pytest.mark.parametrize("reader", READERS)
def test_it_lists_a_tickets_messages_in_a_fixed_number_of_queries(
    reader: str,
    customer: Contact,
    ticket: Ticket,
    growth: Growth,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    api = api_for(reader, customer)
    url = f"/api/v1/tickets/{ticket.number}/messages"
    assert_flat(django_assert_num_queries, lambda: api.get(url), growth, results)


@pytest.mark.parametrize("reader", READERS)
def test_it_lists_a_tickets_events_in_a_fixed_number_of_queries(
    reader: str,
    customer: Contact,
    ticket: Ticket,
    growth: Growth,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    api = api_for(reader, customer)
    url = f"/api/v1/tickets/{ticket.number}/events"
    assert_flat(django_assert_num_queries, lambda: api.get(url), growth, results)


@pytest.mark.parametrize("reader", READERS)
def test_it_lists_a_tickets_attachments_in_a_fixed_number_of_queries(
    reader: str,
    customer: Contact,
    ticket: Ticket,
    growth: Growth,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    api = api_for(reader, customer)
    url = f"/api/v1/tickets/{ticket.number}/attachments"
    assert_flat(django_assert_num_queries, lambda: api.get(url), growth, results)


def test_it_shows_the_desk_ticket_page_in_a_fixed_number_of_queries(
    staff_client: Client,
    ticket: Ticket,
    growth: Growth,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    url = reverse("desk:ticket", args=[ticket.number])
    assert_flat(django_assert_num_queries, lambda: staff_client.get(url), growth)
    page = staff_client.get(url).content.decode()
    assert f"Note {growth.steps}" in page
    assert f"n{growth.steps}.txt" in page


def test_it_shows_the_portal_ticket_page_in_a_fixed_number_of_queries(
    customer_client: Client,
    ticket: Ticket,
    growth: Growth,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    url = reverse("portal:ticket", args=[ticket.number])
    assert_flat(django_assert_num_queries, lambda: customer_client.get(url), growth)
    page = customer_client.get(url).content.decode()
    assert f"Reply {growth.steps}" in page
    assert f"c{growth.steps}.txt" in page
