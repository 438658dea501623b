"""The desk's outage pages: the notices list, a new notice, a notice with its update and
link forms (by numbers and by a search), and the panel on the desk's ticket page."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.outages.models import Outage, OutageState, OutageTicket
from servicedesk.outages.services import outage_update_post
from tests.factories import ProductFactory
from tests.outages import conftest_ui as ui
from tests.outages.conftest_ui import publish, ticket_of

pytestmark = pytest.mark.django_db
# The outage pages' fixtures (tests/outages/conftest_ui.py), found by pytest as this module's
# names.
(lead, lead_client, outage, other_product, other_contract, other_customer, other_outage) = (
    ui.lead,
    ui.lead_client,
    ui.outage,
    ui.other_product,
    ui.other_contract,
    ui.other_customer,
    ui.other_outage,
)


def panel(client: Client, number: str) -> str:
    """The "Outage" panel of the desk's ticket page."""
    page = client.get(reverse("desk:ticket", args=[number])).content.decode()
    start = page.index('id="outages"')
    return page[start : page.index("</section>", start)]


def linked_ids(outage: Outage) -> set[int]:
    return set(OutageTicket.objects.filter(outage=outage).values_list("ticket_id", flat=True))


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("name", ["outages:desk-list", "outages:desk-new", "outages:desk-notice"])
def test_it_refuses_the_desk_pages_to_customers(
    name: str, customer_client: Client, outage: Outage
) -> None:
    kwargs = {"pk": outage.pk} if name == "outages:desk-notice" else {}
    response = customer_client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 403
    # The customer's own banner names the notice; the desk's page of it is not shown.
    desk_url = reverse("outages:desk-notice", args=[outage.pk])
    assert f'href="{desk_url}"' not in response.content.decode()


def test_it_sends_strangers_to_the_sign_in_page(client: Client, outage: Outage) -> None:
    response = client.get(reverse("outages:desk-notice", args=[outage.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_the_desk_forms_to_customers(
    customer_client: Client, customer: Contact, outage: Outage, product: Product
) -> None:
    ticket = ticket_of(customer, product)
    posts = [
        (reverse("outages:desk-update", args=[outage.pk]), {"text": "x", "state": "resolved"}),
        (reverse("outages:desk-link", args=[outage.pk]), {"numbers": ticket.number}),
        (reverse("outages:desk-link-search", args=[outage.pk]), {"q": ticket.number}),
        (reverse("outages:desk-ticket-link", args=[ticket.number]), {"outage": outage.pk}),
    ]
    for url, data in posts:
        assert customer_client.post(url, data).status_code == 403, url
    assert linked_ids(outage) == set()
    assert outage.updates.count() == 1  # the publication only


# --------------------------------------------------------------------------- the list


def test_it_lists_the_current_notices_with_their_linked_tickets(
    staff_client: Client, outage: Outage, customer: Contact, product: Product, lead: User
) -> None:
    closed = publish(lead=lead, products=[product], title="Old disruption")
    Outage.objects.filter(pk=closed.pk).update(state=OutageState.CLOSED, closed_at=timezone.now())
    OutageTicket.objects.create(
        outage=outage, ticket=ticket_of(customer, product), linked_at=timezone.now()
    )

    page = staff_client.get(reverse("outages:desk-list")).content.decode()
    assert outage.title in page
    assert "Old disruption" not in page
    assert 'data-count="tickets">1<' in page
    assert (
        "Old disruption"
        in staff_client.get(reverse("outages:desk-list") + "?state=all").content.decode()
    )


def test_it_lists_notices_in_a_constant_number_of_queries(
    staff_client: Client, lead: User, product: Product, customer: Contact
) -> None:
    def grow(count: int) -> None:
        for n in range(count):
            outage = publish(lead=lead, products=[product, ProductFactory()], title=f"N{n}")
            for _ in range(2):
                OutageTicket.objects.create(
                    outage=outage, ticket=ticket_of(customer, product), linked_at=timezone.now()
                )

    url = reverse("outages:desk-list")
    grow(2)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    grow(5)
    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(url)
    assert response.content.decode().count("data-outage=") == 7
    assert len(many) == len(few), [q["sql"] for q in many]


# --------------------------------------------------------------------------- new notice


def new_notice(product: Product, manager: User) -> dict[str, str]:
    return {
        "title": "Payroll run fails",
        "products": str(product.pk),
        "started_at": "2026-12-03T09:15",
        "symptoms": "The payroll run stops with error 500.",
        "impact": "high",
        "manager": str(manager.pk),
        "cadence": "4",
    }


def test_it_publishes_a_new_notice_in_the_users_time_zone(
    lead_client: Client, lead: User, product: Product
) -> None:
    User.objects.filter(pk=lead.pk).update(time_zone="America/New_York")
    response = lead_client.post(reverse("outages:desk-new"), new_notice(product, lead))
    outage = Outage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outages:desk-notice", args=[outage.pk])
    assert outage.started_at == datetime.datetime(2026, 12, 3, 14, 15, tzinfo=datetime.UTC)
    assert list(outage.products.all()) == [product]
    assert outage.cadence == datetime.timedelta(hours=4)
    assert outage.manager == lead


def test_it_shows_the_services_refusal_as_a_form_error(
    staff_client: Client, staff: User, product: Product
) -> None:
    """An agent is not responsible for outage communication in the RACI: the service
    refuses, the page says why and nothing is published."""
    response = staff_client.post(reverse("outages:desk-new"), new_notice(product, staff))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="form-errors"' in page
    assert "Only the team managers responsible for outages may do this." in page
    assert not Outage.objects.exists()


# --------------------------------------------------------------------------- a notice


def test_it_shows_a_notice_with_its_history_and_linked_tickets(
    lead_client: Client, outage: Outage, customer: Contact, product: Product
) -> None:
    ticket = ticket_of(customer, product)
    OutageTicket.objects.create(outage=outage, ticket=ticket, linked_at=timezone.now())
    page = lead_client.get(reverse("outages:desk-notice", args=[outage.pk])).content.decode()
    assert outage.title in page
    assert outage.symptoms in page
    assert f'data-ticket="{ticket.number}"' in page
    assert page.count("data-update=") == outage.updates.count()


def test_it_posts_an_update_and_asks_for_the_cause_when_resolving(
    lead_client: Client, outage: Outage
) -> None:
    url = reverse("outages:desk-update", args=[outage.pk])
    refused = lead_client.post(url, {"text": "Fixed.", "state": "resolved"})
    assert refused.status_code == 200
    assert 'id="field-cause"' in refused.content.decode()
    assert "has-error" in refused.content.decode()
    outage.refresh_from_db()
    assert outage.state == OutageState.INVESTIGATING

    done = lead_client.post(
        url, {"text": "Fixed.", "state": "resolved", "cause": "A full disk on a server."}
    )
    assert done.status_code == 302
    outage.refresh_from_db()
    assert outage.state == OutageState.RESOLVED
    assert outage.cause == "A full disk on a server."


def test_it_refuses_updates_to_an_agent(staff_client: Client, outage: Outage) -> None:
    response = staff_client.post(
        reverse("outages:desk-update", args=[outage.pk]),
        {"text": "We are on it.", "state": "identified"},
    )
    assert response.status_code == 200
    assert "Only the notice&#x27;s team manager may update it." in response.content.decode()
    outage.refresh_from_db()
    assert outage.state == OutageState.INVESTIGATING


def test_it_links_tickets_by_their_numbers(
    staff_client: Client, outage: Outage, customer: Contact, product: Product
) -> None:
    first, second = ticket_of(customer, product), ticket_of(customer, product)
    url = reverse("outages:desk-link", args=[outage.pk])

    unknown = staff_client.post(url, {"numbers": f"{first.number}, NOPE-1"})
    assert "No such ticket: NOPE-1." in unknown.content.decode()
    assert linked_ids(outage) == set()

    response = staff_client.post(url, {"numbers": f"{first.number.lower()}\n{second.number}"})
    assert response.status_code == 302
    assert linked_ids(outage) == {first.pk, second.pk}


def test_it_previews_and_links_every_ticket_a_search_finds(
    staff_client: Client, outage: Outage, customer: Contact, product: Product
) -> None:
    hits = [ticket_of(customer, product, title=f"Invoices stuck {n}") for n in range(3)]
    miss = ticket_of(customer, product, title="Question about VAT")
    page = staff_client.get(
        reverse("outages:desk-notice", args=[outage.pk]), {"q": "stuck", "scope": "open"}
    ).content.decode()
    assert 'data-count="3"' in page
    assert miss.number not in page

    response = staff_client.post(
        reverse("outages:desk-link-search", args=[outage.pk]), {"q": "stuck", "scope": "open"}
    )
    assert response.status_code == 302
    assert linked_ids(outage) == {ticket.pk for ticket in hits}


def test_it_links_nothing_without_a_search(
    staff_client: Client, outage: Outage, customer: Contact, product: Product
) -> None:
    ticket_of(customer, product)
    response = staff_client.post(
        reverse("outages:desk-link-search", args=[outage.pk]), {"scope": "all"}, follow=True
    )
    assert "Narrow the search first" in response.content.decode()
    assert linked_ids(outage) == set()


# --------------------------------------------------------------------------- ticket panel


def test_the_ticket_page_links_the_ticket_to_a_current_notice(
    staff_client: Client, outage: Outage, customer: Contact, product: Product
) -> None:
    ticket = ticket_of(customer, product)
    page = panel(staff_client, ticket.number)
    assert "Not linked to an outage notice." in page
    assert f'<option value="{outage.pk}">' in page

    response = staff_client.post(
        reverse("outages:desk-ticket-link", args=[ticket.number]), {"outage": outage.pk}
    )
    assert response.status_code == 302
    assert linked_ids(outage) == {ticket.pk}
    assert f'data-outage="{outage.pk}"' in panel(staff_client, ticket.number)


def test_the_ticket_panel_offers_no_closed_notice(
    staff_client: Client, outage: Outage, customer: Contact, product: Product
) -> None:
    ticket = ticket_of(customer, product)
    Outage.objects.filter(pk=outage.pk).update(state=OutageState.CLOSED, closed_at=timezone.now())
    page = panel(staff_client, ticket.number)
    assert "Not linked to an outage notice." in page
    assert f'<option value="{outage.pk}">' not in page
    response = staff_client.post(
        reverse("outages:desk-ticket-link", args=[ticket.number]), {"outage": outage.pk}
    )
    assert response.status_code == 302
    assert linked_ids(outage) == set()


def test_the_desk_menu_links_the_notices(staff_client: Client) -> None:
    page = staff_client.get(reverse("outages:desk-list")).content.decode()
    assert f'href="{reverse("outages:desk-list")}" aria-current="page"' in page


def test_the_portal_menu_has_no_desk_link(customer_client: Client) -> None:
    page = customer_client.get(reverse("portal:tickets")).content.decode()
    assert reverse("outages:desk-list") not in page


def test_it_shows_a_notice_in_a_constant_number_of_queries(
    lead_client: Client, lead: User, outage: Outage, customer: Contact, product: Product
) -> None:
    def grow(count: int) -> None:
        for n in range(count):
            OutageTicket.objects.create(
                outage=outage, ticket=ticket_of(customer, product), linked_at=timezone.now()
            )
            outage_update_post(actor=lead, outage=outage, text=f"Step {n}", state="identified")

    url = reverse("outages:desk-notice", args=[outage.pk])
    grow(2)
    with CaptureQueriesContext(connection) as few:
        assert lead_client.get(url).status_code == 200
    grow(4)
    with CaptureQueriesContext(connection) as many:
        response = lead_client.get(url)
    assert response.content.decode().count("<tr data-ticket=") == 6
    assert len(many) == len(few), [query["sql"] for query in many]
