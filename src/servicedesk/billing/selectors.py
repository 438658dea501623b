"""Reads of time and credit, scoped by who asks (`billing.policy`).

Totals are summed by the database: per ticket, per customer and per period, in one query
each; a contract's credit balance is two queries however many entries it has.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from servicedesk.billing.models import CreditBundle, TimeEntry
from servicedesk.billing.policy import credit_reader
from servicedesk.contracts.models import Contract
from servicedesk.tickets import policy
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import AnyUser


@dataclass(frozen=True, slots=True)
class Totals:
    """Minutes logged: all, billable, covered, and billable beyond the credit."""

    minutes: int = 0
    billable: int = 0
    covered: int = 0
    overuse: int = 0

    @property
    def credit(self) -> int:
        """Return the billable minutes the credit bundles covered."""
        return self.billable - self.overuse


def time_entries_visible_to(user: AnyUser | None, ticket: Ticket) -> QuerySet[TimeEntry]:
    """Return the ticket's time entries the user may read: staff all, anyone else none."""
    entries = TimeEntry.objects.filter(ticket=ticket)
    return entries if policy.is_staff(user) else entries.none()


def time_totals(entries: QuerySet[TimeEntry]) -> Totals:
    """Return the totals of the entries (one query)."""
    sums = entries.order_by().aggregate(
        all_minutes=Coalesce(Sum("minutes"), 0),
        billable_minutes=Coalesce(Sum("minutes", filter=Q(billable=True)), 0),
        overuse=Coalesce(Sum("overuse_minutes", filter=Q(billable=True)), 0),
    )
    return Totals(
        minutes=sums["all_minutes"],
        billable=sums["billable_minutes"],
        covered=sums["all_minutes"] - sums["billable_minutes"],
        overuse=sums["overuse"],
    )


def time_totals_for(
    user: AnyUser | None,
    *,
    organisation_id: int | None = None,
    first_day: datetime.date | None = None,
    last_day: datetime.date | None = None,
) -> Totals:
    """Return the time logged for a customer and/or in a period (days included), for staff;
    nothing for anyone else."""
    entries = TimeEntry.objects.all()
    if not policy.is_staff(user):
        return Totals()
    if organisation_id is not None:
        entries = entries.filter(ticket__organisation_id=organisation_id)
    if first_day is not None:
        entries = entries.filter(worked_on__gte=first_day)
    if last_day is not None:
        entries = entries.filter(worked_on__lte=last_day)
    return time_totals(entries)


@dataclass(frozen=True, slots=True)
class BundleBalance:
    """A bundle, the minutes used of it and what is left."""

    bundle: CreditBundle
    used: int

    @property
    def size(self) -> int:
        return self.bundle.minutes

    @property
    def remaining(self) -> int:
        return max(self.size - self.used, 0)

    @property
    def percent_used(self) -> int:
        return min(round(100 * self.used / self.size), 100) if self.size else 100

    def valid_on(self, day: datetime.date) -> bool:
        return self.bundle.valid_from <= day <= self.bundle.valid_to


@dataclass
class ContractCredit:
    """A contract's bundles with their balance, and its billable time beyond the credit."""

    contract: Contract
    bundles: list[BundleBalance] = field(default_factory=list)
    overuse: int = 0

    @property
    def size(self) -> int:
        return sum(balance.size for balance in self.bundles)

    @property
    def used(self) -> int:
        return sum(balance.used for balance in self.bundles)

    @property
    def remaining(self) -> int:
        return sum(balance.remaining for balance in self.bundles)

    def remaining_on(self, day: datetime.date) -> int:
        """Return the minutes left in the bundles valid on the day."""
        return sum(balance.remaining for balance in self.bundles if balance.valid_on(day))


def credit_of(contracts: Iterable[Contract]) -> list[ContractCredit]:
    """Return the credit of the contracts, in their order (two queries)."""
    credit = {contract.pk: ContractCredit(contract) for contract in contracts}
    if not credit:
        return []
    bundles = CreditBundle.objects.filter(contract_id__in=credit).annotate(
        used=Coalesce(Sum("consumptions__minutes"), 0)
    )
    for bundle in bundles:
        credit[bundle.contract_id].bundles.append(BundleBalance(bundle, bundle.used))
    overuse = (
        TimeEntry.objects.filter(contract_id__in=credit, billable=True, overuse_minutes__gt=0)
        .order_by()
        .values("contract_id")
        .annotate(minutes=Sum("overuse_minutes"))
    )
    for row in overuse:
        credit[row["contract_id"]].overuse = row["minutes"]
    return list(credit.values())


def ticket_credit(ticket: Ticket) -> ContractCredit | None:
    """Return the credit of the ticket's contract (for the desk's ticket page), if any."""
    if ticket.contract is None:
        return None
    return credit_of([ticket.contract])[0]


def credit_visible_to(
    user: AnyUser | None, *, contract_id: int | None = None
) -> list[ContractCredit]:
    """Return the credit of the contracts the user may read (one contract's, if named):
    staff any, a CPC their organisation's; Contract.DoesNotExist for anything else."""
    reader = credit_reader(user)
    if reader is None:
        raise Contract.DoesNotExist
    contracts = Contract.objects.select_related("organisation")
    if reader is not True:
        assert not isinstance(reader, bool)
        contracts = contracts.filter(organisation_id=reader.organisation_id, active=True)
    if contract_id is not None:
        contracts = contracts.filter(pk=contract_id)
        if not contracts:
            raise Contract.DoesNotExist
    return credit_of(contracts)
