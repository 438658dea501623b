"""Who sees the dashboard, and over which tickets.

The rule: the desk's readers of reports (team leads, service managers, administrators and
superusers, `reports.access.desk_report_reader`) see the dashboard; agents do not (they
keep their queues, which is where the desk sends them), and neither do customers.

The dashboard counts the tickets the viewer's queues show: `tickets_visible_to(user)`,
which for staff is every ticket of the desk. A team lead sees the whole desk, as in the
queues, and may narrow the dashboard to one team (`?team=`), as the queues' team filter.
"""

from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied

from servicedesk.accounts.models import User
from servicedesk.reports.access import ReportReader, desk_report_reader
from servicedesk.tickets import policy


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who looks at the dashboard: the user, and how they read the reports it summarises."""

    user: User
    reader: ReportReader

    @property
    def time_zone(self) -> str:
        """Return the viewer's time zone: "today" and "this month" are theirs."""
        return self.reader.time_zone

    @property
    def customer_targets_reader(self) -> ReportReader:
        """Return the viewer as a reader of the targets promised to customers only: the
        dashboard's compliance leaves the desk's internal targets to the full report."""
        return replace(self.reader, internal=False)


def dashboard_viewer(user: policy.AnyUser | None) -> Viewer:
    """Return the dashboard's viewer; PermissionDenied for anyone who may not see it."""
    reader = desk_report_reader(user)  # PermissionDenied for agents, customers, strangers
    if not isinstance(user, User):  # a reader of the desk's reports is always staff
        raise PermissionDenied
    return Viewer(user=user, reader=reader)


def sees_dashboard(user: policy.AnyUser | None) -> bool:
    """Return whether the user may open the dashboard (for the menu)."""
    try:
        dashboard_viewer(user)
    except PermissionDenied:
        return False
    return True
