"""The survey mail: rendered in the requester's language and queued on the one outbox.

Like the desk's other mails to customers (`mail.outbound`): text and HTML from templates per
language (`surveys/mail/<language>/survey.txt|.html`), stored as an `OutboundMail` with a
dedupe key, threaded under the ticket's mail, sent and retried by the outbox's e-mail
channel. Its kind ("survey") is not one of `OutboundKind`'s: the e-mail channel sends any
kind, and treats it as an automatic notice (RFC 3834).
"""

import datetime
import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from servicedesk.mail import outbound
from servicedesk.mail.models import OutboundMail
from servicedesk.mail.quotes import REPLY_MARKERS
from servicedesk.mail.texts import language_or_default
from servicedesk.outbox.services import REQUEUE_AFTER, outbox_queue_on_commit
from servicedesk.surveys.links import survey_url
from servicedesk.surveys.models import Survey

SURVEY_KIND = "survey"
SUBJECTS = {
    "en": "[{number}] How did we do? {title}",
    "nl": "[{number}] Hoe hebben wij het gedaan? {title}",
    "fr": "[{number}] Votre avis nous intéresse : {title}",
}
_BLANK_LINES = re.compile(r"\n{3,}")


def dedupe_key(ticket_id: int) -> str:
    """Return the survey mail's dedupe key: one survey mail per ticket."""
    return f"survey:{ticket_id}"


def render(survey: Survey, *, language: str) -> tuple[str, str, str]:
    """Return (subject, text, html) of the survey mail in the language (English if unsupported)."""
    language = language_or_default(language)
    ticket, contact = survey.ticket, survey.contact
    subject = " ".join(SUBJECTS[language].format(number=ticket.number, title=ticket.title).split())[
        :300
    ]
    values: dict[str, Any] = {
        "language": language,
        "name": contact.name,
        "number": ticket.number,
        "title": ticket.title,
        "url": survey_url(ticket_id=ticket.pk, contact_id=contact.pk),
        "subject": subject,
    }
    with translation.override(language):
        text = str(render_to_string(f"surveys/mail/{language}/survey.txt", values))
        html = str(render_to_string(f"surveys/mail/{language}/survey.html", values))
    text = _BLANK_LINES.sub("\n\n", text.replace("\r\n", "\n")).strip() + "\n"
    return subject, f"{REPLY_MARKERS[language]}\n\n{text}", html


def survey_mail(survey: Survey, *, at: datetime.datetime) -> OutboundMail:
    """Return the survey's mail, rendered and unsaved."""
    language = language_or_default(survey.language)
    subject, text, html = render(survey, language=language)
    ticket = survey.ticket
    return OutboundMail(
        ticket=ticket,
        kind=SURVEY_KIND,
        to=survey.contact.email,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=outbound.new_message_id(),
        threaded=False,  # In-Reply-To and References are fixed when it is first sent
        reply_to=outbound.reply_address(ticket),
        auto_submitted=SURVEY_KIND,
        dedupe_key=dedupe_key(ticket.pk),
        created_at=at,
    )


def surveys_mail_queue(surveys: list[Survey], *, at: datetime.datetime) -> list[OutboundMail]:
    """Store the surveys' mails in one insert and queue their sending on commit; return them.

    Each mail's dedupe key is new: it names a ticket whose survey was stored just before in
    this transaction, and a ticket has one survey. So the outbox's look for known keys is
    spared, and the statements do not grow with the number of surveys (the worker closes
    tickets in batches). An unsent mail is looked at again after REQUEUE_AFTER, as every
    row of the outbox is.
    """
    if not surveys:
        return []
    rows = [survey_mail(survey, at=at) for survey in surveys]
    for row in rows:
        row.next_attempt_at = at + REQUEUE_AFTER
    OutboundMail.objects.bulk_create(rows)
    outbox_queue_on_commit(outbound.MAIL, [row.pk for row in rows])
    return rows
