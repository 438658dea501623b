"""The desk's suggestion of who pays, from the request type and the contract (000, 004).

Seed 000: a defect in the vendor's customisation that is reproducible, against its
specification, not "as is" software and reported within the warranty period is at the
vendor's cost; otherwise such work is proposed as a change (billable). Seed 004: training,
work on a customisation, data modification, licence installation, a company copy and
level 2 consulting are outside maintenance; a user's error may be billed. The contract
says which request types are billable (`Contract.billable_request_types`).
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from servicedesk.contracts.models import Contract, Coverage, RequestType
from servicedesk.coverage.models import Decision
from servicedesk.tickets.models import Kind

# The request type a ticket's kind most often is, to start the form with.
TYPE_OF_KIND: dict[str, str] = {
    Kind.INCIDENT: RequestType.DEFECT,
    Kind.QUESTION: RequestType.QUESTION,
    Kind.CHANGE_REQUEST: RequestType.CHANGE,
    Kind.APPLICATION_SERVICE: RequestType.DATA_MODIFICATION,
    Kind.COMPLAINT: RequestType.QUESTION,
}


@dataclass(frozen=True, slots=True)
class Facts:
    """What the suggestion is made from: the agent confirms the two warranty facts."""

    request_type: str
    reproducible: bool  # the ticket's "reproducible" is yes
    against_specification: bool  # the software does not work as its specification says
    not_as_is: bool  # the behaviour is documented, not "as is" software
    reported_on: datetime.date  # the day the ticket came in, in the desk's time zone


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The suggested decision and why, in the active language (internal: for staff)."""

    decision: str
    reason: str


def coverage_suggest(*, contract: Contract | None, facts: Facts) -> Suggestion:
    """Return who should pay for work of this request type under this contract."""
    kind = facts.request_type
    label = str(RequestType(kind).label) if kind in RequestType.values else kind
    if kind == RequestType.CUSTOMISATION_DEFECT:
        return _customisation_defect(contract, facts)
    if contract is None:
        return Suggestion(Decision.BILLABLE, _("The ticket has no contract."))
    if kind in contract.billable_request_types:
        return Suggestion(
            Decision.BILLABLE,
            _("%(type)s is outside maintenance in this contract.") % {"type": label},
        )
    if contract.coverage == Coverage.NONE:
        return Suggestion(Decision.BILLABLE, _("The contract includes no maintenance."))
    if kind == RequestType.USER_ERROR:
        return Suggestion(
            Decision.COVERED,
            _("A user error is covered: this contract does not list it as billable."),
        )
    return Suggestion(
        Decision.COVERED,
        _("%(type)s is covered by the maintenance contract.") % {"type": label},
    )


def _customisation_defect(contract: Contract | None, facts: Facts) -> Suggestion:
    missing = [
        text
        for met, text in (
            (facts.reproducible, _("it is not confirmed reproducible")),
            (facts.against_specification, _("it is not confirmed against its specification")),
            (facts.not_as_is, _("it is not confirmed that it is not 'as is' software")),
        )
        if not met
    ]
    if missing:
        return Suggestion(
            Decision.BILLABLE,
            _("No warranty: %(missing)s. Otherwise the work is proposed as a change.")
            % {"missing": "; ".join(missing)},
        )
    warranty_ends_on = contract.warranty_ends_on if contract is not None else None
    if warranty_ends_on is None:
        return Suggestion(Decision.BILLABLE, _("The contract has no warranty period."))
    if facts.reported_on <= warranty_ends_on:
        return Suggestion(
            Decision.WARRANTY,
            _(
                "A reproducible defect in the customisation, against its specification, "
                "reported within the warranty period (until %(date)s): at the vendor's cost."
            )
            % {"date": warranty_ends_on.isoformat()},
        )
    return Suggestion(
        Decision.BILLABLE,
        _("Reported after the warranty period ended on %(date)s.")
        % {"date": warranty_ends_on.isoformat()},
    )
