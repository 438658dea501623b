"""A customer answers a change proposal in the portal, in Dutch and in French: the block
shows the translated labels, the customer accepts with a comment, the page says so."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from servicedesk.catalog.models import Product
from servicedesk.changes import services
from servicedesk.changes.models import Proposal, ProposalState
from servicedesk.contracts.models import Contract
from servicedesk.tickets import services as ticket_services
from servicedesk.tickets.models import Kind, Status
from tests.changes.conftest import change_raci  # noqa: F401 -- the RACI rows of the step
from tests.e2e.conftest import Pages, make_agent, make_contact, sign_in
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Already translated labels of the block (the field's "Comment"), by language.
COMMENT = {"nl": "Opmerking", "fr": "Commentaire"}


def translated(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_it_lets_the_cpc_accept_a_proposal_with_a_comment(
    pages: Pages, live_server: LiveServer, contract: Contract, product: Product, language: str
) -> None:
    Contract.objects.filter(pk=contract.pk).update(hourly_rate=Decimal("100"))
    contract.refresh_from_db()
    cpc = make_contact(contract, "Marloes van den Berg", "marloes@vandenberg.example", language)
    type(cpc).objects.filter(pk=cpc.pk).update(is_cpc=True, language=language)
    agent = make_agent("sanne", "Sanne de Vries")
    ticket = make_ticket(cpc, kind=Kind.CHANGE_REQUEST, product=product, title="Export naar CSV")
    ticket_services.ticket_transition(ticket=ticket, actor=agent, status=Status.IN_PROGRESS)
    proposal = services.proposal_create(
        ticket=ticket,
        actor=agent,
        scope="CSV-export van het journaal.",
        estimate_hours=Decimal("6"),
    )

    page = pages.new()
    sign_in(page, live_server.url, "marloes@vandenberg.example")
    page.goto(f"{live_server.url}/portal/tickets/{ticket.number}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    block = page.locator("#proposal")
    expect(block.locator("h2")).to_have_text(translated(language, "Proposal"))
    expect(block.locator("[data-price]")).to_contain_text("600")
    expect(block.locator("label[for=id_comment]")).to_have_text(COMMENT[language])
    accept = block.get_by_role("button", name=translated(language, "Accept the proposal"))
    expect(accept).to_be_visible()
    block.locator("#id_comment").fill("Akkoord, graag in april.")
    accept.click()

    expect(page.locator("#proposal [data-proposal-state]")).to_have_attribute(
        "data-proposal-state", "accepted"
    )
    expect(page.locator("#proposal [data-answer-comment]")).to_have_text("Akkoord, graag in april.")
    expect(page.locator("#proposal button")).to_have_count(0)
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.state == ProposalState.ACCEPTED
    assert proposal.answered_by_id == cpc.pk
    assert not pages.errors, pages.errors
