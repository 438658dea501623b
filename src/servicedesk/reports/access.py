"""Who may read the service-level reports, and how much of them.

The rule, with the policy's notions of who is who (`servicedesk.tickets.policy`):

- team leads, service managers and administrators (and superusers) read every
  organisation's report, internal targets and who held the tickets included;
- an agent does not: agents keep their queues;
- a customer organisation's central point of contact (CPC) reads its own organisation's
  report of the targets promised to it, without the desk's internal targets and without
  who at the desk (which line, which supplier) held the tickets;
- nobody else.

Pages and endpoints ask `report_reader(user)` (the desk's pages `desk_report_reader`,
which is staff only); a refusal is a `PermissionDenied`, which
both the desk and the API answer with a 403.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from servicedesk.tickets import policy


@dataclass(frozen=True, slots=True)
class ReportReader:
    """Who reads a report: `organisation_id` is the one organisation a customer reads (None:
    any); `internal` whether internal targets and ticket holders are shown."""

    organisation_id: int | None
    internal: bool
    time_zone: str


def may_read_reports(user: policy.AnyUser | None) -> bool:
    """Return whether the user may open the reports at all (for the menu)."""
    try:
        report_reader(user)
    except PermissionDenied:
        return False
    return True


def report_reader(user: policy.AnyUser | None) -> ReportReader:
    """Return how much of the reports the user reads; PermissionDenied if nothing."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    time_zone = getattr(user, "time_zone", "") or settings.TIME_ZONE
    if policy.reads_every_report(user):
        return ReportReader(organisation_id=None, internal=True, time_zone=time_zone)
    if policy.is_staff(user):
        raise PermissionDenied(
            _("Reports are for team leads, service managers and administrators.")
        )
    contact = policy.reads_own_reports(user)
    if contact is not None:
        return ReportReader(
            organisation_id=contact.organisation_id, internal=False, time_zone=time_zone
        )
    raise PermissionDenied(_("Only the organisation's central point of contact reads reports."))


def desk_report_reader(user: policy.AnyUser | None) -> ReportReader:
    """Return the reader of the desk's report pages: staff who read reports. A customer's
    central point of contact reads theirs through the API (and the portal), not the desk."""
    reader = report_reader(user)
    if not reader.internal:
        raise PermissionDenied(_("The desk is for the service desk's staff."))
    return reader
