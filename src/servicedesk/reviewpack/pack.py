"""The quarterly service review pack of one customer organisation, from one template.

`review_pack(reader, quarter=..., months=..., now=...)` gathers, with the reports' own
selectors and a few grouped queries (about twenty, however many tickets):

- compliance per target against its objective for the quarter (`reports.compliance`);
- per target, its share met per month, for the quarter's months or the twelve up to its
  end (`trend`), drawn as a bar chart against the objective (`charts`);
- volumes: tickets created and closed, by kind, product and priority (`selectors`);
- the targets missed in the quarter, with the time over target and waiting on the customer
  and, in the internal edition, who held the tickets (line 1/2/3, supplier);
- the tickets open now; customer satisfaction: tNPS, counts, comments (`surveys`);
- the quarter's outages and whether every promised update came on time
  (`outages.reports`), and the credit used: billable hours, consumption per bundle and
  over-use (`billing.report`); both added by `render`.

Two editions: the customer's (what its central point of contact downloads: only the
targets promised to the customer, never which line or supplier held a ticket, as
`tickets.disclosure` and the reports' access rule say) and the internal one (staff only:
also the desk's own targets and who held the tickets).

The pack is written in the organisation's language and counted in the desk's time zone, so
the service manager and the customer get the same figures.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Organisation
from servicedesk.opsreports.scope import report_scope
from servicedesk.reports.access import ReportReader
from servicedesk.reports.compliance import (
    TARGET_FIELDS,
    ComplianceReport,
    TargetRow,
    compliance_report,
    compliance_scope,
)
from servicedesk.reports.periods import Period
from servicedesk.reports.templatetags.reporting import hours
from servicedesk.reviewpack.access import PackReader
from servicedesk.reviewpack.charts import BarChart, Point, bar_chart
from servicedesk.reviewpack.quarters import pack_time_zone, trend_months
from servicedesk.reviewpack.selectors import (
    Breach,
    OpenTickets,
    Volumes,
    breaches,
    open_tickets,
    volumes,
)
from servicedesk.reviewpack.trend import Target, TargetTrend, TrendPoint, monthly_trend
from servicedesk.surveys.selectors import Satisfaction, satisfaction
from servicedesk.ui import display

COMMENTS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class TrendChart:
    """A target's monthly trend and its chart."""

    trend: TargetTrend
    chart: BarChart
    title: str  # "Workaround · High · within 24 h, objective 90%"

    @property
    def code(self) -> str:
        """Return the target for machines: "workaround:high"."""
        return f"{self.trend.key}:{self.trend.priority}"


@dataclass(frozen=True)
class ReviewPack:
    """Everything one pack shows, as of `now`."""

    organisation: Organisation
    period: Period
    internal: bool  # the internal edition
    language: str
    time_zone: str
    now: datetime.datetime
    months: int  # how many months the trend charts show
    compliance: ComplianceReport
    trends: tuple[TrendChart, ...]
    volumes: Volumes
    breaches: tuple[Breach, ...]
    breaches_total: int
    open: OpenTickets
    satisfaction: Satisfaction

    @property
    def code(self) -> str:
        """Return the quarter as written: 2026-Q1."""
        return self.period.code

    @property
    def filename(self) -> str:
        """Return the PDF's file name: service-review-acme-2026-Q1.pdf."""
        edition = "-internal" if self.internal else ""
        return f"service-review-{self.organisation.code}-{self.code}{edition}.pdf"


def pack_language(organisation: Organisation) -> str:
    """Return the language the pack is written in: the organisation's, if the desk speaks
    it, else the desk's default."""
    codes = {code for code, _name in settings.LANGUAGES}
    return organisation.language if organisation.language in codes else settings.LANGUAGE_CODE


def review_pack(
    reader: PackReader, *, quarter: Period, months: int, now: datetime.datetime
) -> ReviewPack:
    """Return the organisation's pack for the quarter, in the reader's edition, with trend
    charts over `months` months (3: the quarter's; 12: the year up to its end)."""
    organisation = reader.organisation
    zone = pack_time_zone()
    report_reader = ReportReader(
        organisation_id=None if reader.internal else organisation.pk,
        internal=reader.internal,
        time_zone=zone,
    )
    scope = compliance_scope(report_reader, organisation_id=organisation.pk)
    tickets = report_scope(reader.user, organisation_id=organisation.pk)
    compliance = compliance_report(report_reader, period=quarter, scope=scope, now=now)
    language = pack_language(organisation)
    trends = monthly_trend(
        scope=scope,
        months=trend_months(quarter, months),
        time_zone=zone,
        now=now,
        internal=reader.internal,
    )
    with translation.override(language):
        charts = tuple(_chart(trend) for trend in _in_report_order(trends, compliance))
    rows = (*compliance.customer_facing, *compliance.internal)
    return ReviewPack(
        organisation=organisation,
        period=quarter,
        internal=reader.internal,
        language=language,
        time_zone=zone,
        now=now,
        months=months,
        compliance=compliance,
        trends=charts,
        volumes=volumes(tickets, period=quarter),
        breaches=tuple(breaches(scope, period=quarter, now=now, internal=reader.internal)),
        breaches_total=sum(row.missed for row in rows),
        open=open_tickets(tickets),
        satisfaction=satisfaction(quarter.start, quarter.end, tickets, comments=COMMENTS_SHOWN),
    )


def _target(row: TargetRow) -> Target:
    return tuple(getattr(row, name) for name in TARGET_FIELDS)


def _in_report_order(trends: list[TargetTrend], report: ComplianceReport) -> list[TargetTrend]:
    """Return the trends in the order of the report's rows (customer targets first); a
    target measured only in earlier months comes after those, by key and priority."""
    order = {_target(row): i for i, row in enumerate((*report.customer_facing, *report.internal))}
    last = len(order)
    return sorted(trends, key=lambda t: (order.get(t.target, last), t.internal, t.key, t.priority))


def _point(point: TrendPoint) -> Point:
    """Return a month of a trend as the chart writes it, in the active language."""
    month = formats.date_format(point.month, "YEAR_MONTH_FORMAT")
    share = point.share_percent
    if share is None:
        value_label, title = "", _("%(month)s: nothing measured") % {"month": month}
    else:
        value_label = f"{formats.number_format(share, decimal_pos=_decimals(share))}%"
        title = _("%(month)s: %(share)s met (%(met)d of %(measured)d)") % {
            "month": month,
            "share": value_label,
            "met": point.met,
            "measured": point.measured,
        }
    return Point(
        label=formats.date_format(point.month, "M"),
        code=f"{point.month:%Y-%m}",
        value=share,
        value_label=value_label,
        title=title,
    )


def _chart(trend: TargetTrend) -> TrendChart:
    """Return the trend's chart, its words in the active language."""
    points = [_point(point) for point in trend.points]
    objective = trend.objective_percent
    title = _("%(target)s · %(priority)s · within %(within)s, objective %(objective)s%%") % {
        "target": display.clock_label(trend.key),
        "priority": display.priority_short(trend.priority),
        "within": hours(trend.target_seconds),
        "objective": formats.number_format(objective, decimal_pos=_decimals(objective)),
    }
    if trend.internal:
        title = _("%(target)s (internal)") % {"target": title}
    return TrendChart(trend, bar_chart(points, objective=objective), title)


def _decimals(value: float) -> int:
    """Return the decimals to write a percentage with: none for a whole number, like the
    reports' `floatformat:"-1"`."""
    return 0 if value == int(value) else 1
