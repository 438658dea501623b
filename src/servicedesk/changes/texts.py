"""What the change notifications say: subject and plain text, in the active language.

The caller renders each one inside `translation.override(<the recipient's language>)`, as
`automation.notify` does, so a customer reads nl, en or fr and dates are spelled so.
"""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from servicedesk.automation.models import Rule
from servicedesk.automation.raci import Recipient
from servicedesk.automation.texts import when
from servicedesk.changes.models import Proposal
from servicedesk.tickets.models import Ticket


def proposal_url(proposal: Proposal) -> str:
    """Return the proposal's page in the customer portal, or "" when there is none."""
    try:
        path = reverse("changes:portal-proposal", args=[proposal.pk])
    except NoReverseMatch:
        return ""
    return settings.SITE_URL.rstrip("/") + path


def _greeting(recipient: Recipient) -> str:
    return _("Dear %(name)s,") % {"name": recipient.name}


def _summary(proposal: Proposal) -> list[str]:
    lines = [
        _("Scope: %(scope)s") % {"scope": proposal.scope},
        _("Estimate: %(hours)s hours") % {"hours": number_format(proposal.estimate_hours)},
        _("Price: %(price)s (excl. VAT)") % {"price": number_format(proposal.price, 2)},
    ]
    if proposal.window_start and proposal.window_end:
        lines.append(
            _("Proposed planning: %(start)s to %(end)s")
            % {"start": date_format(proposal.window_start), "end": date_format(proposal.window_end)}
        )
    return lines


def _subject(rule: str, ticket: Ticket) -> str:
    values = {"number": ticket.number, "title": ticket.title}
    subjects: dict[str, str] = {
        Rule.PROPOSAL_SENT: _('Proposal for your change request "%(title)s"'),
        Rule.PROPOSAL_REMINDER: _('Reminder: your answer to the proposal "%(title)s"'),
        Rule.PROPOSAL_LAPSED: _("The proposal for %(number)s lapsed unanswered"),
        Rule.PROPOSAL_ANSWERED: _("The customer answered the proposal for %(number)s"),
        Rule.CHANGE_PLANNED: _('Your change "%(title)s" is planned'),
        Rule.CHANGE_CLOSED: _('Your change request "%(title)s" is closed'),
    }
    return subjects[rule] % values


def render(
    rule: str,
    *,
    proposal: Proposal | None,
    ticket: Ticket,
    recipient: Recipient,
    note: str = "",
) -> tuple[str, str]:
    """Return the subject and text of a change notification, in the active language.

    `note` is the desk's word for a closed change (rejected or released) or the
    customer's comment on their answer."""
    lines = [_greeting(recipient), ""]
    if rule in (Rule.PROPOSAL_SENT, Rule.PROPOSAL_REMINDER) and proposal is not None:
        ask = (
            _('We have written a proposal for your change request %(number)s "%(title)s".')
            if rule == Rule.PROPOSAL_SENT
            else _(
                "We have not yet received your answer to our proposal for change request "
                '%(number)s "%(title)s".'
            )
        )
        lines += [
            ask % {"number": ticket.number, "title": ticket.title},
            "",
            *_summary(proposal),
            "",
            _("Please accept or reject it in the portal before %(due)s:")
            % {"due": when(proposal.answer_due_at)},
            proposal_url(proposal),
        ]
    elif rule == Rule.PROPOSAL_LAPSED and proposal is not None:
        lines += [
            _(
                "Version %(version)s of the proposal for %(number)s was not answered before "
                "%(due)s and has lapsed. Revise it or decide on the change request."
            )
            % {
                "version": proposal.version,
                "number": ticket.number,
                "due": when(proposal.answer_due_at),
            },
        ]
    elif rule == Rule.PROPOSAL_ANSWERED and proposal is not None:
        verdict = _("accepted") if proposal.state != "rejected" else _("rejected")
        lines += [
            _("Version %(version)s of the proposal for %(number)s was %(verdict)s by %(name)s.")
            % {
                "version": proposal.version,
                "number": ticket.number,
                "verdict": verdict,
                "name": proposal.answered_by.name if proposal.answered_by else "",
            }
        ]
        if note:
            lines += ["", _("Comment: %(comment)s") % {"comment": note}]
    elif rule == Rule.CHANGE_PLANNED and proposal is not None:
        lines += [
            _(
                'The change you accepted for %(number)s "%(title)s" is planned from %(start)s '
                "to %(end)s."
            )
            % {
                "number": ticket.number,
                "title": ticket.title,
                "start": date_format(proposal.planned_start) if proposal.planned_start else "",
                "end": date_format(proposal.planned_end) if proposal.planned_end else "",
            }
        ]
    else:
        lines += [f'{ticket.number} "{ticket.title}"', "", note]
    return f"[{ticket.number}] {_subject(rule, ticket)}"[:255], "\n".join(lines).rstrip() + "\n"
