"""Who may read the reports, and over which tickets: the scope every report selector takes.

The rule, answered with the policy's own notions (`tickets.policy`: staff, roles, the
contact behind a login):
- team leads, service managers and administrators (and superusers) read every
  organisation's figures, or one organisation's, product group's or team's they choose;
- a customer's central point of contact reads its own organisation's, never another's
  (naming another organisation is refused as if it did not exist), and never the desk's
  internal targets;
- anyone else (agents, other contacts, strangers) is refused.
Every report reads its tickets through `ReportScope.tickets()`, which starts from the
access-checked `tickets_visible_to(user)`.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.tickets import policy
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import tickets_visible_to

REPORTING_ROLES = policy.REPORTING_ROLES


@dataclass(frozen=True)
class ReportScope:
    """Whose tickets a report counts: the reader's, narrowed by the filters they chose."""

    user: User
    organisation_id: int | None = None  # None: every organisation the reader may see
    product_group_id: int | None = None
    team_id: int | None = None
    customer: bool = False  # a customer's CPC: customer-facing figures only

    def ticket_filter(self, prefix: str = "") -> Q:
        """Return the filters as a condition on tickets (`prefix`: the path to the ticket)."""
        condition = Q()
        if self.organisation_id is not None:
            condition &= Q(**{f"{prefix}organisation_id": self.organisation_id})
        if self.product_group_id is not None:
            condition &= Q(**{f"{prefix}product__group_id": self.product_group_id})
        if self.team_id is not None:
            condition &= Q(**{f"{prefix}team_id": self.team_id})
        return condition

    def tickets(self) -> QuerySet[Ticket]:
        """Return the tickets the reader may see, within the filters."""
        return tickets_visible_to(self.user).filter(self.ticket_filter())


def reads_every_organisation(user: object) -> bool:
    """Return whether the user reads the reports of every organisation (the policy's
    `reads_every_report`). Pages use it to decide which menu entries to show."""
    return isinstance(user, User) and policy.reads_every_report(user)


def report_scope(
    user: object,
    *,
    organisation_id: int | None = None,
    product_group_id: int | None = None,
    team_id: int | None = None,
) -> ReportScope:
    """Return the scope of the reports this user may read, with the filters they chose;
    raise the policy's `Refusal` when they may read none, or name an organisation that is
    not theirs."""
    if isinstance(user, User):
        if reads_every_organisation(user):
            return ReportScope(user, organisation_id, product_group_id, team_id)
        contact = policy.reads_own_reports(user)
        if contact is not None:
            if organisation_id not in (None, contact.organisation_id):
                raise policy.Refusal({"organisation": [_("No such organisation.")]})
            return ReportScope(
                user, contact.organisation_id, product_group_id, team_id=None, customer=True
            )
    raise policy.Refusal(
        {
            "actor": [
                _(
                    "Only team leads, service managers, administrators and a customer's "
                    "central point of contact may read reports."
                )
            ]
        }
    )
