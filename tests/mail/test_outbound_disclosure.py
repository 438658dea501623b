"""Mail to a customer names people at the desk as the customer reads them (disclosure)."""

import pytest

from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.tickets import services
from tests.factories import ContactFactory, StaffFactory, make_ticket

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first_name", "last_name", "signed"),
    [("Sanne", "de Vries", "Sanne de Vries"), ("", "", "Service desk")],
)
def test_it_signs_a_reply_with_the_agents_name_never_the_login(
    first_name: str, last_name: str, signed: str
) -> None:
    ticket = make_ticket(ContactFactory(email="jan@klant.example"))
    agent = StaffFactory(username="s.devries.login", first_name=first_name, last_name=last_name)

    services.ticket_add_message(ticket=ticket, body="We are on it.", author=agent)

    mail = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.AGENT_REPLY)
    assert signed in mail.body_text
    assert "s.devries.login" not in mail.body_text
    assert "s.devries.login" not in mail.body_html
