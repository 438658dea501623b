"""The standard texts that tell the customer before billable work starts (seed 004).

Each is written in the active language; `billable_notice` switches to the requester's. The
texts never carry the desk's internal reason: the customer reads who pays, not why the
agent decided so.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from servicedesk.contracts.models import RequestType


def billable_notice(*, request_type: str, language: str, needs_agreement: bool, url: str) -> str:
    """Return the public message that tells the customer the work is billable, in `language`.

    `url` is the ticket's page in the portal, where the customer agrees or declines.
    """
    with translation.override(language):
        parts = [_escalation(request_type)]
        parts.append(
            _(
                "The resolution of a request may be billed if it is a handling error by a "
                "user or if the request is outside the scope of the maintenance contract."
            )
        )
        if needs_agreement:
            ask = _(
                "We start this work once you agree. Please agree or decline on the ticket's "
                "page in the portal."
            )
            parts.append(f"{ask}\n{url}" if url else ask)
        else:
            parts.append(_("The time we spend on this request will be invoiced."))
        return "\n\n".join(parts)


def _escalation(request_type: str) -> str:
    if request_type == RequestType.CONSULTING:
        return _(
            "Your request has been escalated to level 2 because further expertise is needed. "
            "Level 2 support is given by our consultants; their work is billable."
        )
    if request_type == RequestType.USER_ERROR:
        return _("Your request concerns a handling error by a user.")
    label = str(RequestType(request_type).label) if request_type in RequestType.values else ""
    return _(
        "Your request has been escalated to consulting because it is outside the scope of "
        "the maintenance contract (%(type)s)."
    ) % {"type": label.lower() if label else request_type}
