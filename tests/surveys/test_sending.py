"""A ticket's close sends its requester one survey mail, in their language, through the
outbox; once per ticket, never when the contract switched surveys off."""

from typing import Any

import pytest

from servicedesk.mail.models import OutboundMail
from servicedesk.surveys.mail import SURVEY_KIND
from servicedesk.surveys.models import Survey
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket
from servicedesk.tickets.workflow import Outcome
from tests.automation.conftest import Tick, run_tick  # noqa: F401 -- the fixture
from tests.automation.helpers import DAY, at, committed, local
from tests.factories import ContactFactory, make_ticket
from tests.surveys.conftest import Desk, close, closed_ticket

pytestmark = pytest.mark.django_db


def survey_mails() -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(kind=SURVEY_KIND))


def test_it_mails_the_requester_one_survey_in_their_language(
    desk: Desk, mailoutbox: list[Any]
) -> None:
    ticket = closed_ticket(desk)

    (row,) = survey_mails()
    assert (row.ticket_id, row.to, row.language) == (ticket.pk, desk.requester.email, "nl")
    assert row.subject == f"[{ticket.number}] Hoe hebben wij het gedaan? {ticket.title}"
    assert "Hoe waarschijnlijk is het dat u ons aanbeveelt" in row.body_text
    assert "/survey/" in row.body_text and "/survey/" in row.body_html
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.contact, survey.language) == (desk.requester, "nl")
    sent = [mail for mail in mailoutbox if mail.subject == row.subject]
    assert len(sent) == 1
    assert sent[0].to == [desk.requester.email]
    assert sent[0].extra_headers["Auto-Submitted"] == "auto-generated"  # no auto-replies


def test_it_asks_once_when_a_ticket_is_closed_reopened_and_closed_again(desk: Desk) -> None:
    ticket = closed_ticket(desk)
    with committed():
        services.ticket_transition(
            ticket=ticket, actor=desk.agent, status=Status.REOPENED, note="Back again"
        )
    close(ticket, desk.agent, note="Fixed for real this time.")

    assert len(survey_mails()) == 1
    assert Survey.objects.filter(ticket=ticket).count() == 1


def test_it_asks_nothing_when_the_contract_switched_surveys_off(desk: Desk) -> None:
    desk.contract.satisfaction_survey = False
    desk.contract.save(update_fields=["satisfaction_survey"])

    closed_ticket(desk)

    assert survey_mails() == []
    assert not Survey.objects.exists()


@pytest.mark.parametrize("outcome", [Outcome.DUPLICATE, Outcome.WITHDRAWN, Outcome.NO_RESPONSE])
def test_it_asks_nothing_about_a_duplicate_or_withdrawn_request(desk: Desk, outcome: str) -> None:
    closed_ticket(desk, note="", outcome=outcome)

    assert survey_mails() == []


def test_it_asks_nothing_without_a_contract(desk: Desk) -> None:
    ticket = make_ticket(ContactFactory())
    assert ticket.contract is None

    close(ticket, desk.agent)

    assert survey_mails() == []


def test_it_asks_nothing_before_the_close(desk: Desk) -> None:
    ticket = make_ticket(desk.requester)
    with committed():
        services.ticket_transition(
            ticket=ticket, actor=desk.agent, status=Status.SOLUTION_OFFERED, note="Try this"
        )

    assert survey_mails() == []


def test_it_asks_after_the_worker_closed_an_unconfirmed_solution_not_an_unanswered_question(
    desk: Desk,
    run_tick: Tick,  # noqa: F811 -- the fixture
) -> None:
    start = local(2026, 6, 1, 10, 0)
    with at(start), committed():
        tickets = [make_ticket(desk.requester, title=f"Question {i}") for i in range(4)]
        for i, ticket in enumerate(tickets):
            services.ticket_assign(ticket=ticket, actor=desk.lead, assignee=desk.agent)
            # Two wait for the customer's word on a solution, two for an answer to a question.
            status = Status.SOLUTION_OFFERED if i < 2 else Status.WAITING_ON_CUSTOMER
            services.ticket_transition(
                ticket=ticket, actor=desk.agent, status=status, note="Try this / which one?"
            )

    with at(start + 22 * DAY):
        run_tick()
    with at(start + 23 * DAY):
        run_tick()

    assert all(Ticket.objects.get(pk=t.pk).status == Status.CLOSED for t in tickets)
    assert sorted(row.ticket_id for row in survey_mails()) == [t.pk for t in tickets[:2]]
    assert set(Survey.objects.values_list("sent_at", flat=True)) == {start + 22 * DAY}
