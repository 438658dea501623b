"""What the team lead is told of a detractor's answer, in the active language (plain text,
mailed by the notification outbox as the desk's other staff alerts are)."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from servicedesk.automation.raci import Recipient
from servicedesk.surveys.models import SurveyAnswer
from servicedesk.tickets.models import Ticket


def desk_ticket_url(ticket: Ticket) -> str:
    """Return the ticket's page in the desk, or "" without a desk."""
    try:
        return settings.SITE_URL.rstrip("/") + reverse("desk:ticket", args=[ticket.number])
    except NoReverseMatch:
        return ""


def detractor_alert(
    ticket: Ticket, *, answer: SurveyAnswer, recipient: Recipient
) -> tuple[str, str]:
    """Return the subject and text of the alert about a low score (0-6)."""
    values = {
        "number": ticket.number,
        "score": answer.score,
        "organisation": ticket.organisation.name,
    }
    subject = _("[%(number)s] Low satisfaction score %(score)d/10 from %(organisation)s") % values
    lines = [
        _("Dear %(name)s,") % {"name": recipient.name},
        "",
        _(
            "The customer scored ticket %(number)s %(score)d out of 10 when asked how likely "
            "they are to recommend us. Please follow this up."
        )
        % values,
        "",
        f'{ticket.number} "{ticket.title}"',
        _("Customer: %(organisation)s") % values,
        _("Requester: %(name)s") % {"name": ticket.requester.name},
    ]
    if answer.comment:
        lines += ["", _("Their comment:"), answer.comment]
    url = desk_ticket_url(ticket)
    if url:
        lines += ["", url]
    return subject[:255], "\n".join(lines) + "\n"
