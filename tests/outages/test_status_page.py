"""The status page, its notice pages and its Atom feed: customers-only by default (sign in
first), public when the desk says so; a customer sees only the notices about their
organisation's products, and never another organisation's tickets."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.outages.models import Outage, OutageTicket
from servicedesk.outages.services import outage_edit, outage_update_post
from tests.factories import ProductFactory
from tests.outages import conftest_ui as ui
from tests.outages.conftest_ui import close, publish, ticket_of
from tests.portal.fixtures import login

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

ATOM = "{http://www.w3.org/2005/Atom}"
STATUS = reverse("outages:status")
FEED = reverse("outages:status-feed")


def entries(client: Client) -> list[str]:
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 -- our own feed
    return [entry.findtext(f"{ATOM}title") or "" for entry in root.iter(f"{ATOM}entry")]


# --------------------------------------------------------------------------- who may read


@pytest.mark.parametrize("url", [STATUS, FEED])
def test_it_asks_strangers_to_sign_in_when_customers_only(
    client: Client, outage: Outage, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_it_asks_to_sign_in_for_a_notice_page_too(client: Client, outage: Outage) -> None:
    response = client.get(reverse("outages:status-notice", args=[outage.pk]))
    assert response.status_code == 302


def test_the_public_setting_opens_page_and_feed(
    client: Client, settings: Settings, outage: Outage, other_outage: Outage
) -> None:
    settings.OUTAGES_STATUS_PAGE_PUBLIC = True
    page = client.get(STATUS).content.decode()
    assert outage.title in page
    assert other_outage.title in page
    titles = entries(client)
    assert any(outage.title in title for title in titles)
    assert client.get(reverse("outages:status-notice", args=[outage.pk])).status_code == 200


def test_a_customer_sees_only_their_organisations_notices(
    customer_client: Client, outage: Outage, other_outage: Outage
) -> None:
    page = customer_client.get(STATUS).content.decode()
    assert outage.title in page
    assert other_outage.title not in page
    titles = entries(customer_client)
    assert len(titles) == 1
    assert outage.title in titles[0]
    response = customer_client.get(reverse("outages:status-notice", args=[other_outage.pk]))
    assert response.status_code == 404


def test_staff_see_every_notice(staff_client: Client, outage: Outage, other_outage: Outage) -> None:
    page = staff_client.get(STATUS).content.decode()
    assert outage.title in page
    assert other_outage.title in page


# --------------------------------------------------------------------------- what is shown


def test_it_lists_current_and_recent_notices_with_their_updates(
    customer_client: Client, lead: User, product: Product, outage: Outage
) -> None:
    outage_update_post(
        actor=lead, outage=outage, text="We found the broken component.", state="identified"
    )
    recent = publish(lead=lead, products=[product], title="Slow reports last week")
    close(recent, at=timezone.now() - datetime.timedelta(days=6))
    old = publish(lead=lead, products=[product], title="Ancient disruption")
    close(old, at=timezone.now() - datetime.timedelta(days=45))

    page = customer_client.get(STATUS).content.decode()
    current, _, past = page.partition('id="recent"')
    assert outage.title in current
    assert "We found the broken component." in current
    assert "Slow reports last week" in past
    assert "Ancient disruption" not in page
    assert "All services are running normally." not in page


def test_it_says_all_is_well_without_a_current_notice(customer_client: Client) -> None:
    page = customer_client.get(STATUS).content.decode()
    assert "All services are running normally." in page


def test_a_notice_page_never_reveals_another_organisations_tickets(
    customer: Contact,
    product: Product,
    outage: Outage,
    other_customer: Contact,
    other_contract: object,
) -> None:
    """Both organisations have the product; each reads only its own linked ticket."""
    other_contract.products.add(product)  # type: ignore[attr-defined]
    mine = ticket_of(customer, product, title="Our invoices fail")
    theirs = ticket_of(other_customer, product, title="Their invoices fail")
    for ticket in (mine, theirs):
        OutageTicket.objects.create(outage=outage, ticket=ticket, linked_at=timezone.now())

    url = reverse("outages:status-notice", args=[outage.pk])
    page = login(customer.user).get(url).content.decode()
    assert mine.number in page
    assert theirs.number not in page
    assert "Their invoices fail" not in page
    other_page = login(other_customer.user).get(url).content.decode()
    assert theirs.number in other_page
    assert mine.number not in other_page


def test_the_notice_page_leaves_internal_history_out(
    customer_client: Client, outage: Outage, lead: User
) -> None:
    """The desk's own records of a notice (who changed what) are not for customers."""
    outage_edit(actor=lead, outage=outage, impact="medium")
    internal = list(outage.updates.filter(public=False))
    assert internal
    page = customer_client.get(reverse("outages:status-notice", args=[outage.pk])).content.decode()
    for update in internal:
        assert update.text not in page
    assert lead.get_full_name() not in page  # the team manager is the desk's business


def test_the_feed_escapes_what_it_quotes(
    customer_client: Client, lead: User, product: Product
) -> None:
    publish(lead=lead, products=[product], symptoms="<script>alert(1)</script>")
    content = customer_client.get(FEED).content.decode()
    assert "<script>" not in content
    assert "&lt;script&gt;" in content or "&amp;lt;script&amp;gt;" in content


# --------------------------------------------------------------------------- query counts


def grow(lead: User, product: Product, count: int) -> None:
    start = Outage.objects.count()
    for n in range(start, start + count):
        outage = publish(lead=lead, products=[product, ProductFactory()], title=f"Notice {n}")
        outage_update_post(actor=lead, outage=outage, text=f"Update {n}", state="identified")


@pytest.mark.parametrize("url", [STATUS, FEED])
def test_it_reads_page_and_feed_in_a_constant_number_of_queries(
    customer_client: Client, lead: User, product: Product, url: str
) -> None:
    grow(lead, product, 2)
    with CaptureQueriesContext(connection) as few:
        assert customer_client.get(url).status_code == 200
    grow(lead, product, 5)
    with CaptureQueriesContext(connection) as many:
        response = customer_client.get(url)
    assert response.content.decode().count("Notice 6") == 1
    assert len(many) == len(few), [query["sql"] for query in many]
