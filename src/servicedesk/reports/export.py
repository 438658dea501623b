"""The compliance report as CSV: one row per target (customer-facing, then internal), then
one per group of tickets without a target. Durations in hours; UTF-8 with a byte-order
mark so spreadsheet programs read accents right; no cell a spreadsheet would run as a
formula (OWASP's advice against CSV injection: such text gets a leading apostrophe)."""

from collections.abc import Iterator

from servicedesk.core.csvexport import csv_text
from servicedesk.reports.compliance import ComplianceReport, TargetRow
from servicedesk.reports.models import HolderKind

TARGET_COLUMNS = [
    "section",
    "target",
    "metric",
    "priority",
    "target_hours",
    "objective_percent",
    "measured",
    "met",
    "missed",
    "running",
    "share_met_percent",
    "verdict",
]
HOLDER_COLUMNS = [
    "over_target_hours",
    "over_line1_hours",
    "over_line2_hours",
    "over_line3_hours",
    "over_supplier_hours",
    "over_by_supplier",
    "waiting_on_customer_hours",
]
NO_TARGET_COLUMNS = ["no_target_reason", "tickets_without_target"]


def hours(seconds: int | None) -> str:
    """Return seconds as hours with two decimals ("2.50")."""
    return "" if seconds is None else f"{seconds / 3600:.2f}"


def compliance_header(report: ComplianceReport) -> list[str]:
    """Return the column names; who held the tickets only for readers who may see it."""
    holders = HOLDER_COLUMNS if report.shows_holders else []
    return [*TARGET_COLUMNS, *holders, *NO_TARGET_COLUMNS]


def _target(section: str, row: TargetRow, *, holders: bool) -> list[object]:
    values: list[object] = [
        section,
        row.key,
        row.metric,
        row.priority,
        hours(row.target_seconds),
        row.objective_percent,
        row.measured,
        row.met,
        row.missed,
        row.running,
        row.share_percent,
        row.verdict.value,
    ]
    if holders:
        over = dict.fromkeys(HolderKind.values, 0)
        for holder in row.holders:
            over[holder.holder] = over.get(holder.holder, 0) + holder.over_seconds
        suppliers = "; ".join(
            f"{h.supplier_name}: {hours(h.over_seconds)}"
            for h in row.holders
            if h.holder == HolderKind.SUPPLIER and h.over_seconds
        )
        values += [
            hours(row.over_seconds),
            hours(over[HolderKind.LINE1]),
            hours(over[HolderKind.LINE2]),
            hours(over[HolderKind.LINE3]),
            hours(over[HolderKind.SUPPLIER]),
            suppliers,
            hours(row.customer_seconds),
        ]
    return [*values, "", ""]


def compliance_rows(report: ComplianceReport) -> Iterator[list[object]]:
    """Return the report's rows, in the order of `compliance_header`."""
    holders = report.shows_holders
    for row in report.customer_facing:
        yield _target("customer", row, holders=holders)
    for row in report.internal:
        yield _target("internal", row, holders=holders)
    blank = len(TARGET_COLUMNS) - 2 + (len(HOLDER_COLUMNS) if holders else 0)
    for none in report.no_target:
        yield ["no_target", none.key, *[""] * blank, none.reason, none.tickets]


def compliance_csv(report: ComplianceReport) -> str:
    """Return the report as CSV text (with a byte-order mark)."""
    return csv_text(compliance_header(report), compliance_rows(report))


def compliance_filename(report: ComplianceReport) -> str:
    """Return the download's file name, e.g. compliance-2026-Q1.csv."""
    return f"compliance-{report.period.code.replace('..', '_')}.csv"
