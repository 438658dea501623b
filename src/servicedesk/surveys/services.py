"""Send a ticket's satisfaction survey once, and take its answer once.

- `surveys_on_status_changed` is called by the ticket services where status changes are
  recorded (`tickets.services.transitions`), inside that transaction: a close sends the
  requester the survey, unless the contract switched surveys off, the ticket has none or
  had one already (one survey per ticket: a ticket closed, reopened and closed again is
  asked once), or it was closed as a duplicate, withdrawn or for want of a response.
- `survey_answer` stores the answer given through the signed link; a second answer is
  refused ("already answered"), also when two arrive at once (a unique constraint). A
  score of 0-6 (a detractor) alerts the team lead: the closing step's accountable in the
  RACI matrix, through the notification outbox, on the ticket's timeline.
"""

import datetime
from collections.abc import Sequence
from typing import Protocol, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from servicedesk.automation.models import Audience, RaciStep, Rule
from servicedesk.automation.notify import Planned, notifications_record
from servicedesk.automation.raci import Directory, Recipient, recipients
from servicedesk.mail.texts import language_or_default
from servicedesk.surveys import texts
from servicedesk.surveys.links import SurveyKey
from servicedesk.surveys.mail import surveys_mail_queue
from servicedesk.surveys.models import PASSIVE_MIN, SCORES, Survey, SurveyAnswer
from servicedesk.tickets.models import Status, Ticket
from servicedesk.tickets.workflow import Outcome

# Closes that ask nothing: the request continues elsewhere (a duplicate), the customer gave
# it up (withdrawn), or never answered us (closed for no response): nothing was delivered.
NOT_ASKED = frozenset({Outcome.DUPLICATE, Outcome.WITHDRAWN, Outcome.NO_RESPONSE})
# The rule a detractor's alert is recorded under: a notification's `rule` code, with our own
# text. `automation.models.Rule` has no member for it yet; the column takes any code.
DETRACTOR_RULE = "survey_detractor"
DETRACTOR = cast(Rule, DETRACTOR_RULE)
COMMENT_MAX = 4000


class AlreadyAnswered(ValidationError):
    """The survey has its answer; a second one is refused."""


class StatusChange(Protocol):
    """A recorded status change, as the ticket services describe it (their `Move`)."""

    @property
    def ticket(self) -> Ticket: ...
    @property
    def status(self) -> str: ...
    @property
    def outcome(self) -> str: ...


def surveys_on_status_changed(
    changes: Sequence[StatusChange], *, at: datetime.datetime
) -> list[Survey]:
    """Send the survey of each ticket one of these status changes closed, where a survey is
    due; return the surveys sent. Runs in the caller's transaction, in a constant number of
    queries (none when no change closed a ticket)."""
    due: dict[int, Ticket] = {}
    for change in changes:
        ticket = change.ticket
        if change.status != Status.CLOSED or change.outcome in NOT_ASKED:
            continue
        contract, contact = ticket.contract, ticket.requester
        if contract is None or not contract.satisfaction_survey:
            continue
        if contact.active and contact.email:
            due[ticket.pk] = ticket
    if not due:
        return []
    asked = set(Survey.objects.filter(ticket_id__in=due).values_list("ticket_id", flat=True))
    fresh = [
        Survey(
            ticket=ticket,
            contact=ticket.requester,
            language=ticket.requester.language,
            sent_at=at,
        )
        for pk, ticket in due.items()
        if pk not in asked
    ]
    surveys = _insert(fresh)
    surveys_mail_queue(surveys, at=at)
    return surveys


def _insert(surveys: list[Survey]) -> list[Survey]:
    """Store the surveys; should a concurrent close have stored one of them meanwhile, store
    the others one by one and leave that one out (one survey per ticket)."""
    if not surveys:
        return []
    try:
        with transaction.atomic():
            return Survey.objects.bulk_create(surveys)
    except IntegrityError:
        pass
    stored = []
    for survey in surveys:
        survey.pk = None
        try:
            with transaction.atomic():
                survey.save(force_insert=True)
        except IntegrityError:
            continue
        stored.append(survey)
    return stored


def survey_for_key(key: SurveyKey) -> Survey | None:
    """Return the survey a valid link names (its ticket and the contact asked), or None."""
    return (
        Survey.objects.select_related("ticket", "contact", "answer")
        .filter(ticket_id=key.ticket_id, contact_id=key.contact_id)
        .first()
    )


def _clean(score: object, comment: str) -> tuple[int, str]:
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise ValidationError({"score": [_("Choose a score from 0 to 10.")]})
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": [_("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX}]}
        )
    return score, comment


@transaction.atomic
def survey_answer(
    *, survey: Survey, score: int, comment: str = "", now: datetime.datetime | None = None
) -> SurveyAnswer:
    """Store the answer to the survey and return it; alert the team lead of a detractor.

    The signed link is the requester's authority: whoever holds it answers this one survey.
    Raises `AlreadyAnswered` when it has an answer (a unique constraint decides a race),
    and a ValidationError on `score` (0-10) or `comment` (too long).
    """
    at = now or timezone.now()
    score, comment = _clean(score, comment)
    answer = SurveyAnswer(survey=survey, score=score, comment=comment, answered_at=at)
    try:
        with transaction.atomic():
            answer.save(force_insert=True)
    except IntegrityError:
        raise AlreadyAnswered(
            {"survey": [_("This survey has already been answered. Thank you!")]}
        ) from None
    if score < PASSIVE_MIN:
        detractor_alert(survey, answer, at=at)
    return answer


def detractor_alert(
    survey: Survey, answer: SurveyAnswer, *, at: datetime.datetime
) -> list[Recipient]:
    """Notify the team lead (the closing step's accountable) of a detractor's answer; return
    who is told. Each is told once (the notification's dedupe key names the survey)."""
    ticket = (
        Ticket.objects.select_related("organisation", "team__lead", "assignee", "requester")
        .filter(pk=survey.ticket_id)
        .get()
    )
    people = recipients(RaciStep.CLOSING, ticket.kind, "A", ticket=ticket, directory=Directory())
    staff = [person for person in people if person.audience == Audience.STAFF]
    planned = []
    for person in staff:
        with translation.override(language_or_default(person.language)):
            subject, body = texts.detractor_alert(ticket, answer=answer, recipient=person)
        planned.append(
            Planned(
                ticket,
                DETRACTOR,
                person,
                f"{DETRACTOR_RULE}:s{survey.pk}:{person.key}"[:150],
                subject,
                body,
            )
        )
    notifications_record(planned, at=at)
    return staff
