"""The portal's side of outages: the banner on every page for contacts whose organisation
has an affected product, the e-mail subscription, and the report page's hint that attaches
a new report to the current notice."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.outages.models import Outage, OutageState, OutageSubscription, OutageTicket
from servicedesk.tickets.models import Ticket
from tests.factories import complete_details
from tests.outages import conftest_ui as ui
from tests.outages.conftest_ui import publish
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


def banner(client: Client) -> str:
    page = client.get(reverse("portal:tickets")).content.decode()
    start = page.find('id="outage-banner"')
    return "" if start < 0 else page[start : page.index("</section>", start)]


# --------------------------------------------------------------------------- banner


def test_the_banner_shows_the_notice_to_the_organisations_contacts(
    customer_client: Client, outage: Outage
) -> None:
    text = banner(customer_client)
    assert outage.title in text
    assert "Kestrel Invoicing" in text
    assert outage.symptoms in text
    assert "data-next-update" in text


def test_the_banner_shows_times_in_the_users_time_zone(
    customer: Contact, lead: User, product: Product
) -> None:
    started = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=datetime.UTC)
    publish(lead=lead, products=[product], started_at=started)
    assert customer.user is not None
    User.objects.filter(pk=customer.user.pk).update(time_zone="Asia/Tokyo")
    text = banner(login(customer.user))
    assert "3 Dec 2026 17:00" in text  # 08:00 UTC is 17:00 in Tokyo


def test_the_banner_is_in_the_users_language(customer: Contact, outage: Outage) -> None:
    assert customer.user is not None
    User.objects.filter(pk=customer.user.pk).update(language="fr")
    client = login(customer.user)
    client.cookies["django_language"] = "fr"
    assert "<dt>Produit</dt>" in banner(client)


def test_the_banner_hides_another_organisations_notice(
    customer_client: Client, other_outage: Outage, other_customer: Contact
) -> None:
    assert banner(customer_client) == ""
    assert other_outage.title in banner(login(other_customer.user))


def test_the_banner_leaves_a_closed_notice_out(customer_client: Client, outage: Outage) -> None:
    Outage.objects.filter(pk=outage.pk).update(state=OutageState.CLOSED, closed_at=timezone.now())
    assert banner(customer_client) == ""


def test_the_banner_is_not_shown_on_desk_pages(staff_client: Client, outage: Outage) -> None:
    page = staff_client.get(reverse("desk:queue", args=["mine"])).content.decode()
    assert 'id="outage-banner"' not in page


# --------------------------------------------------------------------------- subscription


def test_a_contact_subscribes_and_unsubscribes(
    customer_client: Client, customer: Contact, product: Product, outage: Outage
) -> None:
    url = reverse("outages:subscription")
    response = customer_client.post(url, {"action": "subscribe", "product": "", "next": "/portal/"})
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert OutageSubscription.objects.filter(contact=customer, product=None).exists()
    assert "Stop these e-mails" in banner(customer_client)

    customer_client.post(url, {"action": "subscribe", "product": product.pk})
    assert OutageSubscription.objects.filter(contact=customer, product=product).exists()
    customer_client.post(url, {"action": "unsubscribe", "product": ""})
    assert list(OutageSubscription.objects.filter(contact=customer)) == list(
        OutageSubscription.objects.filter(contact=customer, product=product)
    )
    assert "E-mail me about outages of my products" in banner(customer_client)


def test_a_contact_cannot_subscribe_to_another_organisations_product(
    customer_client: Client, customer: Contact, other_product: Product
) -> None:
    response = customer_client.post(
        reverse("outages:subscription"), {"action": "subscribe", "product": other_product.pk}
    )
    assert response.status_code == 302
    assert not OutageSubscription.objects.filter(contact=customer).exists()


def test_the_subscription_does_not_redirect_elsewhere(customer_client: Client) -> None:
    response = customer_client.post(
        reverse("outages:subscription"),
        {"action": "subscribe", "product": "", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("portal:tickets")


def test_staff_have_no_subscription(staff_client: Client) -> None:
    response = staff_client.post(reverse("outages:subscription"), {"action": "subscribe"})
    assert response.status_code == 403


# --------------------------------------------------------------------------- intake hint


def report(product: Product, **extra: str) -> dict[str, str]:
    return {
        "title": "Invoices do not send",
        "product": str(product.pk),
        "impact": "high",
        "urgency": "high",
        **complete_details("incident"),
        **extra,
    }


def test_the_report_page_shows_the_current_notice_with_a_checkbox(
    customer_client: Client, outage: Outage
) -> None:
    page = customer_client.get(reverse("portal:report", args=["incident"])).content.decode()
    hint = page[page.index('id="outage-hint"') :]
    assert outage.title in hint
    assert f'name="outage" value="{outage.pk}"' in hint
    assert "My report is about this disruption" in hint


def test_the_hint_follows_the_chosen_product(
    customer_client: Client, outage: Outage, lead: User, contract: object
) -> None:
    from tests.factories import ProductFactory

    quiet = ProductFactory(name="Quiet product")
    contract.products.add(quiet)  # type: ignore[attr-defined]
    url = reverse("outages:intake-hint")
    assert (
        outage.title
        in customer_client.get(url, {"product": outage.products.get().pk}).content.decode()
    )
    assert outage.title not in customer_client.get(url, {"product": quiet.pk}).content.decode()


def test_the_hint_shows_no_other_organisations_notice(
    customer_client: Client, other_outage: Outage, other_product: Product
) -> None:
    response = customer_client.get(reverse("outages:intake-hint"), {"product": other_product.pk})
    assert other_outage.title not in response.content.decode()


def test_a_ticked_report_is_attached_to_the_notice(
    customer_client: Client, outage: Outage, product: Product
) -> None:
    response = customer_client.post(
        reverse("portal:report", args=["incident"]), report(product, outage=str(outage.pk))
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert OutageTicket.objects.filter(outage=outage, ticket=ticket).exists()


def test_an_unticked_report_stays_apart(
    customer_client: Client, outage: Outage, product: Product
) -> None:
    response = customer_client.post(reverse("portal:report", args=["incident"]), report(product))
    assert response.status_code == 302
    assert not OutageTicket.objects.exists()


def test_a_forged_notice_id_attaches_nothing(
    customer_client: Client, other_outage: Outage, product: Product
) -> None:
    """Another organisation's notice, ticked by hand-editing the form, is ignored."""
    response = customer_client.post(
        reverse("portal:report", args=["incident"]), report(product, outage=str(other_outage.pk))
    )
    assert response.status_code == 302
    assert not OutageTicket.objects.exists()


def test_the_hint_keeps_a_ticked_notice_ticked(
    customer_client: Client, outage: Outage, product: Product
) -> None:
    url = reverse("outages:intake-hint")
    ticked = customer_client.get(url, {"product": product.pk, "outage": outage.pk})
    assert f'value="{outage.pk}" id="id_outage_{outage.pk}" checked' in ticked.content.decode()
    plain = customer_client.get(url, {"product": product.pk})
    assert "checked" not in plain.content.decode()


def test_the_portal_menu_links_the_status_page(customer_client: Client) -> None:
    page = customer_client.get(reverse("portal:tickets")).content.decode()
    menu = page[page.index('class="main-nav"') : page.index("</nav>")]
    assert f'href="{reverse("outages:status")}"' in menu
