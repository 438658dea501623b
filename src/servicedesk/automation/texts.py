"""What each notification says: subject and plain text, in the active language.

Staff alerts are mailed as this plain text. The customer's reminders and closing mail are
mailed by the e-mail channel (its templates, HTML and threading headers); for them this
text is the record on the timeline (the only delivery to a requester without an address).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from servicedesk.automation.models import Rule
from servicedesk.automation.raci import Recipient
from servicedesk.tickets.models import Status, Ticket
from servicedesk.tickets.workflow import Outcome, standard_text


@dataclass(frozen=True, slots=True)
class About:
    """The facts a notification's text mentions besides the ticket."""

    waiting_for: str = ""  # the status the desk waits in
    since: datetime.datetime | None = None  # when the wait began
    close_on: datetime.datetime | None = None  # when the ticket closes itself
    reopen_within: datetime.timedelta | None = None
    target: str = ""  # the SLA clock's key
    due: datetime.datetime | None = None  # the SLA clock's due time


def when(moment: datetime.datetime) -> str:
    """Return a moment in the desk's time zone, spelled in the active language."""
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def target_name(key: str) -> str:
    names = {
        "first_response": _("first response"),
        "workaround": _("workaround"),
        "workaround_max": _("workaround (maximum)"),
        "resolution": _("resolution"),
        "assignment": _("assignment"),
        "acceptance": _("acceptance"),
    }
    return names.get(key, key.replace("_", " "))


def auto_close_note(waiting_for: str) -> str:
    """Return the standard text of an automatic close (also the event's note)."""
    if waiting_for == Status.SOLUTION_OFFERED:
        return _(
            "We offered a solution and did not hear from you, so we consider your problem "
            "solved and have closed this ticket."
        )
    return standard_text(Outcome.NO_RESPONSE)


def _greeting(recipient: Recipient) -> str:
    return _("Dear %(name)s,") % {"name": recipient.name}


def _reminder(rule: Rule, ticket: Ticket, recipient: Recipient, about: About) -> tuple[str, str]:
    values = {"number": ticket.number, "title": ticket.title}
    if rule == Rule.REMINDER_1:
        subject = _("Reminder: ticket %(number)s is waiting for your reply") % values
    else:
        subject = _("Second reminder: ticket %(number)s is waiting for your reply") % values
    since = when(about.since) if about.since else ""
    if about.waiting_for == Status.SOLUTION_OFFERED:
        ask = _(
            'On %(since)s we offered a solution for ticket %(number)s "%(title)s". Please let '
            "us know whether it solves your problem."
        ) % {**values, "since": since}
        closing = _("Without a reply we consider it solved and close the ticket on %(date)s.")
    else:
        ask = _(
            'On %(since)s we asked you for information about ticket %(number)s "%(title)s". '
            "We have not received your reply yet; we need it to continue."
        ) % {**values, "since": since}
        closing = _("Without a reply the ticket will be closed on %(date)s.")
    lines = [_greeting(recipient), "", ask, _("Reply to this e-mail or in the portal.")]
    if about.close_on is not None:
        lines += ["", closing % {"date": when(about.close_on)}]
    return subject, "\n".join(lines) + "\n"


def _auto_close(ticket: Ticket, recipient: Recipient, about: About) -> tuple[str, str]:
    subject = _("Ticket %(number)s has been closed") % {"number": ticket.number}
    lines = [
        _greeting(recipient),
        "",
        f'{ticket.number} "{ticket.title}"',
        "",
        auto_close_note(about.waiting_for),
    ]
    if about.reopen_within is not None:
        lines += [
            "",
            _("Reply to this e-mail within %(days)d days to reopen it.")
            % {"days": about.reopen_within.days},
        ]
    else:
        lines += ["", _("Reply to this e-mail to reopen it.")]
    return subject, "\n".join(lines) + "\n"


def _facts(ticket: Ticket) -> list[str]:
    organisation = ticket.organisation.name if ticket.organisation_id else ""
    return [
        f'{ticket.number} "{ticket.title}"',
        _("Customer: %(organisation)s") % {"organisation": organisation},
        _("Priority: %(priority)s") % {"priority": ticket.priority},
        _("Created: %(created)s") % {"created": when(ticket.created_at)},
    ]


def _staff(rule: Rule, ticket: Ticket, recipient: Recipient, about: About) -> tuple[str, str]:
    values = {
        "number": ticket.number,
        "target": target_name(about.target),
        "due": when(about.due) if about.due else "",
    }
    match rule:
        case Rule.UNASSIGNED_ALERT:
            subject = _("Ticket %(number)s is still unassigned") % values
            what = _("This ticket has had no assignee for a working day.")
        case Rule.TOP_PRIORITY_REPORTED:
            subject = _("Highest priority reported: %(number)s") % values
            what = _(
                "A ticket of the highest priority was just reported. You are told at once, "
                "not only at the first SLA warning."
            )
        case Rule.FIRST_RESPONSE_ALERT:
            subject = _("Ticket %(number)s has no first response within its target") % values
            what = _("The customer has had no substantive reply within the internal target.")
        case Rule.INTERNAL_TARGET_MISSED:
            subject = _("Ticket %(number)s missed its internal %(target)s target") % values
            what = _("The internal %(target)s target was due %(due)s.") % values
        case Rule.SLA_WARNING:
            subject = _("SLA warning on %(number)s: %(target)s due %(due)s") % values
            what = _("The %(target)s target threatens to be missed: it is due %(due)s.") % values
        case _:
            subject = _("SLA breached on %(number)s: %(target)s was due %(due)s") % values
            what = _("The %(target)s target was missed: it was due %(due)s.") % values
    body = [_greeting(recipient), "", what, "", *_facts(ticket)]
    return subject, "\n".join(body) + "\n"


def render(rule: Rule, *, ticket: Ticket, recipient: Recipient, about: About) -> tuple[str, str]:
    """Return the subject and text of a notification, in the active language."""
    if rule in (Rule.REMINDER_1, Rule.REMINDER_2):
        subject, body = _reminder(rule, ticket, recipient, about)
    elif rule == Rule.AUTO_CLOSE:
        subject, body = _auto_close(ticket, recipient, about)
    else:
        subject, body = _staff(rule, ticket, recipient, about)
    return f"[{ticket.number}] {subject}"[:255], body
