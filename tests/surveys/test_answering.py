"""The survey's signed link opens one survey without signing in; it is answered once; a
changed or made-up link opens nothing; a detractor's score alerts the team lead."""

import datetime
from typing import Any

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from servicedesk.automation.models import Audience, Notification
from servicedesk.surveys.links import SURVEY_VALID_FOR, survey_token
from servicedesk.surveys.models import Survey, SurveyAnswer
from servicedesk.surveys.services import (
    DETRACTOR_RULE,
    AlreadyAnswered,
    survey_answer,
)
from servicedesk.tickets.models import Ticket, TicketEvent
from tests.automation.helpers import committed
from tests.surveys.conftest import Desk, closed_ticket

pytestmark = pytest.mark.django_db


def link(ticket: Ticket) -> str:
    survey = Survey.objects.get(ticket=ticket)
    token = survey_token(ticket_id=ticket.pk, contact_id=survey.contact_id)
    return reverse("surveys:answer", args=[token])


def answer(client: Client, url: str, **data: Any) -> Any:
    with committed():
        return client.post(url, data)


def test_it_shows_the_tickets_number_and_title_and_nothing_more(desk: Desk, client: Client) -> None:
    ticket = closed_ticket(desk, title="Payroll export stops halfway")

    response = client.get(link(ticket))

    assert response.status_code == 200
    page = response.content.decode()
    assert ticket.number in page and "Payroll export stops halfway" in page
    for private in (
        desk.requester.name,
        desk.requester.email,
        desk.contract.organisation.name,
        desk.agent.get_full_name(),
        "Printing an invoice shows an error.",  # the ticket's description
        "Fixed in the latest release.",  # the resolution
    ):
        assert private not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_it_takes_the_answer_once(desk: Desk, client: Client) -> None:
    ticket = closed_ticket(desk)
    url = link(ticket)

    first = answer(client, url, score="9", comment="Quick and friendly")
    second = answer(client, url, score="2", comment="Changed my mind")

    assert first.status_code == 200
    assert "Bedankt voor uw antwoord" in first.content.decode()
    assert second.status_code == 409
    assert "al beantwoord" in second.content.decode()
    stored = SurveyAnswer.objects.get()
    assert (stored.score, stored.comment) == (9, "Quick and friendly")
    again = client.get(url)
    assert "al beantwoord" in again.content.decode()
    assert 'name="score"' not in again.content.decode()


def test_two_answers_at_the_same_moment_store_one(desk: Desk) -> None:
    ticket = closed_ticket(desk)
    # Both requests loaded the survey before either stored its answer.
    seen_by_first, seen_by_second = Survey.objects.get(), Survey.objects.get()

    survey_answer(survey=seen_by_first, score=8)
    with pytest.raises(AlreadyAnswered):
        survey_answer(survey=seen_by_second, score=3)

    assert list(SurveyAnswer.objects.values_list("score", flat=True)) == [8]
    assert not Notification.objects.filter(ticket=ticket, rule=DETRACTOR_RULE).exists()


@pytest.mark.parametrize(
    "data",
    [{"score": "11"}, {"score": "-1"}, {"score": "ten"}, {}, {"score": "5", "comment": "x" * 4001}],
)
def test_it_refuses_an_answer_that_is_not_a_score_from_0_to_10(
    desk: Desk, client: Client, data: dict[str, str]
) -> None:
    ticket = closed_ticket(desk)

    response = answer(client, link(ticket), **data)

    assert response.status_code == 400
    assert not SurveyAnswer.objects.exists()


def tampered(token: str) -> str:
    """The token with one character of its signature changed."""
    last = token[-1]
    return token[:-1] + ("A" if last != "A" else "B")


def test_it_opens_nothing_for_a_changed_or_made_up_link(desk: Desk, client: Client) -> None:
    ticket = closed_ticket(desk)
    survey = Survey.objects.get()
    other = closed_ticket(desk, title="Another one")
    good = survey_token(ticket_id=ticket.pk, contact_id=survey.contact_id)
    payload, _, rest = good.partition(":")
    forged = [
        tampered(good),
        # Another ticket's number put in, with the first ticket's signature.
        signing.b64_encode(f'{{"t":{other.pk},"c":{survey.contact_id}}}'.encode()).decode()
        + ":"
        + rest,
        # Signed with another key.
        signing.dumps({"t": ticket.pk, "c": survey.contact_id}, key="x" * 50, salt="other"),
        # Validly signed, but naming a contact that was never asked.
        survey_token(ticket_id=ticket.pk, contact_id=survey.contact_id + 1000),
        "not-a-token",
        payload,
    ]

    for token in forged:
        url = reverse("surveys:answer", args=[token])
        assert client.get(url).status_code == 404, token
        assert client.post(url, {"score": "0"}).status_code == 404, token
    assert not SurveyAnswer.objects.exists()


def test_a_link_expires(desk: Desk, client: Client) -> None:
    ticket = closed_ticket(desk)
    url = link(ticket)
    later = datetime.datetime.now(tz=datetime.UTC) + SURVEY_VALID_FOR + datetime.timedelta(days=1)

    with time_machine.travel(later):
        assert client.get(url).status_code == 404


def test_a_detractor_alerts_the_team_lead_once(
    desk: Desk, client: Client, mailoutbox: list[Any]
) -> None:
    ticket = closed_ticket(desk)
    mailoutbox.clear()

    answer(client, link(ticket), score="3", comment="Took far too long")
    answer(client, link(ticket), score="1")

    (alert,) = Notification.objects.filter(ticket=ticket, rule=DETRACTOR_RULE)
    assert (alert.user, alert.audience, alert.email) == (desk.lead, Audience.STAFF, desk.lead.email)
    assert alert.sent_at is not None
    (mail,) = mailoutbox
    assert mail.to == [desk.lead.email]
    assert f"[{ticket.number}] Low satisfaction score 3/10" in mail.subject
    assert "Took far too long" in mail.body
    assert TicketEvent.objects.filter(
        ticket=ticket, action="notified_staff", field=DETRACTOR_RULE
    ).exists()


@pytest.mark.parametrize("score", ["7", "9", "10"])
def test_a_passive_or_promoter_alerts_nobody(desk: Desk, client: Client, score: str) -> None:
    ticket = closed_ticket(desk)

    answer(client, link(ticket), score=score)

    assert SurveyAnswer.objects.get().score == int(score)
    assert not Notification.objects.filter(rule=DETRACTOR_RULE).exists()


def test_it_escapes_the_title(desk: Desk, client: Client) -> None:
    ticket = closed_ticket(desk, title="<script>alert(1)</script> in the report")

    page = client.get(link(ticket)).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; in the report" in page
