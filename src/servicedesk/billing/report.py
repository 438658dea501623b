"""The billing report: per customer and period (a month by default), what to invoice.

- work: billable time by ticket and activity, split into what the credit bundles covered
  and what went beyond them (over-use, which is invoiced);
- credit: per bundle of the customer's contracts valid in the period, the minutes its work
  in the period consumed, and what is left at the period's end.

Summed by the database in three queries, however many tickets and entries. Read by staff
who read reports (every customer) and by a customer's central point of contact (their own
organisation); `reports.access.report_reader` decides, as for the other reports.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from servicedesk.accounts.models import Organisation
from servicedesk.billing.models import Activity, CreditBundle, TimeEntry
from servicedesk.core.csvexport import csv_text
from servicedesk.reports.access import ReportReader
from servicedesk.reports.periods import Period


class OrganisationNotFound(LookupError):
    """The organisation does not exist, or the reader may not read it."""


@dataclass(frozen=True, slots=True)
class WorkRow:
    """Billable time on one ticket for one activity in the period."""

    ticket_number: str
    ticket_title: str
    activity: str
    minutes: int
    overuse: int

    @property
    def credit(self) -> int:
        return self.minutes - self.overuse

    @property
    def activity_label(self) -> str:
        return str(Activity(self.activity).label) if self.activity in Activity.values else ""


@dataclass(frozen=True, slots=True)
class CreditRow:
    """A bundle valid in the period: its size, what the period consumed, what is left."""

    bundle_id: int
    name: str
    kind: str
    contract: str
    valid_from: datetime.date
    valid_to: datetime.date
    size: int
    consumed: int  # by work in the period
    remaining: int  # at the period's end


@dataclass(frozen=True)
class BillingReport:
    """The report of one customer for one period."""

    organisation: Organisation
    period: Period
    work: list[WorkRow]
    credit: list[CreditRow]

    @property
    def billable(self) -> int:
        return sum(row.minutes for row in self.work)

    @property
    def overuse(self) -> int:
        return sum(row.overuse for row in self.work)

    @property
    def consumed(self) -> int:
        return sum(row.consumed for row in self.credit)

    @property
    def remaining(self) -> int:
        return sum(row.remaining for row in self.credit)

    @property
    def filename(self) -> str:
        return f"billable-{self.organisation.code}-{self.period.code.replace('..', '_')}.csv"


def report_organisation(reader: ReportReader, organisation_id: int | None) -> Organisation:
    """Return the organisation the reader asks for (a customer: always their own);
    OrganisationNotFound when there is none or it is not theirs to read."""
    wanted = organisation_id if reader.organisation_id is None else reader.organisation_id
    if organisation_id is not None and organisation_id != wanted:
        raise OrganisationNotFound
    found = Organisation.objects.filter(pk=wanted).first() if wanted is not None else None
    if found is None:
        raise OrganisationNotFound
    return found


def billing_report(*, organisation: Organisation, period: Period) -> BillingReport:
    """Return the organisation's billing report for the period (three queries)."""
    first, last = period.first_day, period.last_day
    entries = TimeEntry.objects.filter(
        ticket__organisation=organisation, billable=True, worked_on__range=(first, last)
    )
    work = [
        WorkRow(row["ticket__number"], row["ticket__title"], row["activity"], row["m"], row["o"])
        for row in entries.order_by()
        .values("ticket__number", "ticket__title", "activity")
        .annotate(m=Sum("minutes"), o=Sum("overuse_minutes"))
        .order_by("ticket__number", "activity")
    ]
    bundles = (
        CreditBundle.objects.filter(
            contract__organisation=organisation, valid_from__lte=last, valid_to__gte=first
        )
        .annotate(
            consumed=Coalesce(
                Sum(
                    "consumptions__minutes",
                    filter=Q(consumptions__entry__worked_on__range=(first, last)),
                ),
                0,
            ),
            used_by_end=Coalesce(
                Sum("consumptions__minutes", filter=Q(consumptions__entry__worked_on__lte=last)),
                0,
            ),
            contract_name=F("contract__name"),
        )
        .order_by("valid_from", "valid_to", "pk")
    )
    credit = [
        CreditRow(
            bundle_id=b.pk,
            name=b.name,
            kind=b.kind,
            contract=b.contract_name,
            valid_from=b.valid_from,
            valid_to=b.valid_to,
            size=b.minutes,
            consumed=b.consumed,
            remaining=max(b.minutes - b.used_by_end, 0),
        )
        for b in bundles
    ]
    return BillingReport(organisation=organisation, period=period, work=work, credit=credit)


def hours(minutes: int) -> str:
    """Return minutes as decimal hours with two decimals ("1.50"), for invoicing."""
    return f"{minutes / 60:.2f}"


CSV_HEADER = [
    "section",
    "organisation",
    "period",
    "ticket",
    "title",
    "activity",
    "billable_hours",
    "credit_hours",
    "overuse_hours",
    "bundle",
    "contract",
    "valid_from",
    "valid_to",
    "bundle_hours",
    "consumed_hours",
    "remaining_hours",
]


def billing_csv(report: BillingReport) -> str:
    """Return the report as CSV for the invoicing system: one "work" row per ticket and
    activity (over-use is what to invoice), then one "credit" row per bundle."""
    code, org = report.period.code, report.organisation.code
    rows: list[list[object]] = [
        [
            "work",
            org,
            code,
            row.ticket_number,
            row.ticket_title,
            row.activity,
            hours(row.minutes),
            hours(row.credit),
            hours(row.overuse),
            *[""] * 7,
        ]
        for row in report.work
    ]
    rows += [
        [
            "credit",
            org,
            code,
            *[""] * 6,
            row.name,
            row.contract,
            row.valid_from.isoformat(),
            row.valid_to.isoformat(),
            hours(row.size),
            hours(row.consumed),
            hours(row.remaining),
        ]
        for row in report.credit
    ]
    return csv_text(CSV_HEADER, rows)
