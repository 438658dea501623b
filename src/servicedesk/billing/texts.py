"""What the credit alerts say: subject and plain text, in the active language (the caller
switches to the recipient's)."""

from django.utils import formats
from django.utils.translation import gettext as _

from servicedesk.automation.models import Rule
from servicedesk.automation.raci import Recipient
from servicedesk.billing.models import CreditBundle
from servicedesk.tickets.models import Ticket


def hours_text(minutes: int) -> str:
    """Return minutes as hours and minutes: "12:30 h"."""
    return _("%(hours)d:%(minutes)02d h") % {"hours": minutes // 60, "minutes": minutes % 60}


def credit_alert(
    rule: Rule, *, bundle: CreditBundle, used: int, ticket: Ticket, recipient: Recipient
) -> tuple[str, str]:
    """Return the subject and text of a credit alert (80% used, or used up)."""
    values = {
        "bundle": bundle.name,
        "organisation": bundle.contract.organisation.name,
        "contract": bundle.contract.name,
        "size": hours_text(bundle.minutes),
        "used": hours_text(used),
        "left": hours_text(max(bundle.minutes - used, 0)),
        "valid_to": formats.date_format(bundle.valid_to, "DATE_FORMAT"),
        "number": ticket.number,
    }
    if rule == Rule.CREDIT_EXHAUSTED:
        subject = _("Credit used up: %(bundle)s (%(organisation)s)") % values
        what = (
            _(
                "The credit bundle %(bundle)s of %(size)s under the contract %(contract)s is used "
                "up. Further billable work is recorded as over-use and invoiced separately."
            )
            % values
        )
    else:
        subject = _("Credit 80%% used: %(bundle)s (%(organisation)s)") % values
        what = (
            _(
                "%(used)s of the credit bundle %(bundle)s (%(size)s) under the contract "
                "%(contract)s is used; %(left)s is left, valid until %(valid_to)s."
            )
            % values
        )
    lines = [
        _("Dear %(name)s,") % {"name": recipient.name},
        "",
        what,
        "",
        _("Most recent work: ticket %(number)s.") % values,
    ]
    return f"[{ticket.number}] {subject}"[:255], "\n".join(lines) + "\n"
