"""Compliance: per target, how many tickets met it in a period, against its objective.

Counted in the database from the stored clocks (`TicketClock`), in a few grouped queries
with conditional counts, never ticket by ticket. The rules (`RULES`, shown on the report):

- A ticket counts in the period in which its target was *decided*: met at the instant it
  was met; missed at its due instant, whenever the desk noticed the miss (the sweep's
  breach event carries the time it ran, the clock's `due_at` the instant of the miss).
- An open ticket past its due time counts as missed, also before the sweep has seen it.
- A clock neither met nor past due is running; the report shows those started in the
  period. They count in the period in which they will be met or missed.
- A ticket without a target counts as "no target", with the reason, never as met: per
  target key for a clock without one, or as a whole when no contract or service level
  covers the ticket (it has no clocks).
- The share met is met / (met + missed). The verdict: once the period is over, met when
  the share reaches the objective, else not met; while it runs, not met as soon as no
  further ticket can lift the share to the objective (an objective of 100% with one miss),
  else not yet decidable: tickets still open or still to come may yet meet or miss it.
- Internal targets (the desk's own, e.g. assignment within a working day) are reported
  apart from the targets promised to the customer.

A target is one row per target key, priority, duration and objective: P2 first response
within 4 hours at 100% is one row. Each missed row also says how its time over target
divides over who held the tickets (`ClockShare`, stored when the clocks are refreshed).
"""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Organisation, Team
from servicedesk.catalog.models import ProductGroup
from servicedesk.contracts.models import Contract
from servicedesk.reports.access import ReportReader
from servicedesk.reports.models import ClockShare, HolderKind
from servicedesk.reports.periods import Period
from servicedesk.sla.schemes import SCHEMES
from servicedesk.tickets.models import ClockState, Kind, Ticket, TicketClock

S = ClockState
UNDECIDED = (S.RUNNING, S.PAUSED)
MAY_MISS = (S.BREACHED, S.RUNNING, S.PAUSED)

RULES: tuple[Promise, ...] = (
    _(
        "A ticket counts in the period in which its target was met or missed: a miss at "
        "its due time, not when the desk noticed it."
    ),
    _("An open ticket past its due time counts as missed."),
    _(
        "A ticket not yet met and not yet due is running; it counts in the period in which "
        "it is met or missed. Running shows those started in the period."
    ),
    _("Tickets without a target are listed as no target, with the reason; never as met."),
    _(
        "Share met = met / (met + missed). While the period runs the verdict is not yet "
        "decidable, unless the objective can no longer be reached (100% with one miss)."
    ),
    _("Internal targets of the service desk are reported apart from customer targets."),
    _(
        "Time over target is divided over who held the ticket: support line 1, 2 or 3 or a "
        "supplier; time waiting on the customer stops the clock and is shown apart."
    ),
)

NO_CONTRACT = _("No contract covers these tickets.")
NO_SERVICE_LEVEL = _("The contract's service level has no targets for these tickets.")


class Verdict(StrEnum):
    """Whether a target kept its objective in a period."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_YET_DECIDABLE = "not_yet_decidable"
    NOTHING_MEASURED = "nothing_measured"


VERDICT_LABELS: dict[Verdict, Promise] = {
    Verdict.MET: _("Met"),
    Verdict.NOT_MET: _("Not met"),
    Verdict.NOT_YET_DECIDABLE: _("Not yet decidable"),
    Verdict.NOTHING_MEASURED: _("Nothing measured"),
}


def verdict(*, met: int, missed: int, objective: float, period_over: bool) -> Verdict:
    """Return the verdict on a target with these counts so far.

    While the period runs, any number of tickets may still be met, so the share can still
    rise towards 100%: only an objective of 100% with a miss is already lost. Tickets may
    also still miss, so the objective is never declared met before the period is over.
    """
    if not period_over:
        if missed and objective >= 100:
            return Verdict.NOT_MET
        return Verdict.NOT_YET_DECIDABLE
    if met + missed == 0:
        return Verdict.NOTHING_MEASURED
    return Verdict.MET if met * 100 >= objective * (met + missed) else Verdict.NOT_MET


class ScopeNotFound(ObjectDoesNotExist):
    """A scope names an organisation, contract, group or team the reader may not see."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True, slots=True)
class Scope:
    """Which tickets a report covers; empty parts cover all."""

    organisation_id: int | None = None
    contract_id: int | None = None
    product_group_id: int | None = None
    team_id: int | None = None
    priority: str = ""
    kind: str = ""

    def tickets(self, prefix: str = "") -> Q:
        """Return the condition on tickets (reached through `prefix`, e.g. "ticket__")."""
        parts = {
            "organisation_id": self.organisation_id,
            "contract_id": self.contract_id,
            "product__group_id": self.product_group_id,
            "team_id": self.team_id,
            "kind": self.kind or None,
        }
        return Q(**{prefix + name: value for name, value in parts.items() if value is not None})

    def clocks(self, prefix: str = "") -> Q:
        """Return the condition on clocks (the priority is the one the clock counted in)."""
        condition = self.tickets(prefix + "ticket__")
        if self.priority:
            condition &= Q(**{prefix + "priority": self.priority})
        return condition


def compliance_scope(
    reader: ReportReader,
    *,
    organisation_id: int | None = None,
    contract_id: int | None = None,
    product_group_id: int | None = None,
    team_id: int | None = None,
    priority: str = "",
    kind: str = "",
) -> Scope:
    """Return the scope the reader asks for; ScopeNotFound naming the part they may not see.

    A customer's report covers their own organisation, whatever they ask; they may not
    narrow it by team (who works on a ticket is the desk's business).
    """
    own = reader.organisation_id
    if own is not None and organisation_id not in (None, own):
        raise ScopeNotFound("organisation")
    organisation_id = own if own is not None else organisation_id
    checks = [
        ("organisation", organisation_id, Organisation.objects.all()),
        (
            "contract",
            contract_id,
            Contract.objects.filter(organisation_id=own) if own else Contract.objects.all(),
        ),
        ("product_group", product_group_id, ProductGroup.objects.all()),
        ("team", team_id, Team.objects.none() if own else Team.objects.all()),
    ]
    for name, pk, visible in checks:
        if pk is not None and not visible.filter(pk=pk).exists():
            raise ScopeNotFound(name)
    if kind and kind not in Kind.values:
        raise ScopeNotFound("kind")
    return Scope(
        organisation_id=organisation_id,
        contract_id=contract_id,
        product_group_id=product_group_id,
        team_id=team_id,
        priority=priority,
        kind=kind,
    )


@dataclass(frozen=True, slots=True)
class HolderTime:
    """Time of the missed tickets of a target that one holder had, in seconds."""

    holder: str
    supplier_id: int | None
    supplier_name: str
    over_seconds: int
    counted_seconds: int
    paused_seconds: int

    @property
    def label(self) -> str:
        """Return who it is: "Line 2", "Supplier Acme", "Customer"."""
        if self.holder == HolderKind.SUPPLIER and self.supplier_name:
            return f"{HolderKind.SUPPLIER.label} {self.supplier_name}"
        return str(HolderKind(self.holder).label) if self.holder in HolderKind.values else ""


@dataclass(frozen=True, slots=True)
class TargetRow:
    """One target in the period: counts, share met, verdict and where the misses went."""

    key: str
    metric: str
    internal: bool
    priority: str
    target_seconds: int
    objective_percent: float
    met: int
    missed: int
    running: int
    verdict: Verdict
    holders: tuple[HolderTime, ...] = ()

    @property
    def measured(self) -> int:
        """Return the tickets decided in the period: met plus missed."""
        return self.met + self.missed

    @property
    def share_percent(self) -> float | None:
        """Return the share met, in percent (None when nothing was decided)."""
        return round(100 * self.met / self.measured, 1) if self.measured else None

    @property
    def over_seconds(self) -> int:
        """Return the missed tickets' time over target, summed."""
        return sum(holder.over_seconds for holder in self.holders)

    @property
    def customer_seconds(self) -> int:
        """Return the time the missed tickets waited on the customer (not counted)."""
        return sum(h.paused_seconds for h in self.holders if h.holder == HolderKind.CUSTOMER)

    @property
    def over_by_holder(self) -> list[HolderTime]:
        """Return the holders that had time over target, most first."""
        return sorted((h for h in self.holders if h.over_seconds), key=lambda h: -h.over_seconds)


@dataclass(frozen=True, slots=True)
class NoTargetRow:
    """Tickets of the period without a target: per target key (empty: no clocks at all)."""

    key: str
    reason: str
    tickets: int


@dataclass(frozen=True)
class ComplianceReport:
    """The compliance of the tickets in `scope` over `period`, as of `now`."""

    period: Period
    scope: Scope
    now: datetime.datetime
    customer_facing: tuple[TargetRow, ...]
    internal: tuple[TargetRow, ...]
    no_target: tuple[NoTargetRow, ...]
    shows_holders: bool
    rules: tuple[Promise, ...] = field(default=RULES)

    @property
    def period_over(self) -> bool:
        return self.period.is_over(self.now)


def decided_conditions(
    start: datetime.datetime, end: datetime.datetime, now: datetime.datetime, prefix: str = ""
) -> tuple[Q, Q]:
    """Return the conditions of the clocks met and missed from `start` to `end` (as known
    at `now`), reached through `prefix`: met at met_at, missed at due_at (each indexed)."""

    def q(**conditions: object) -> Q:
        return Q(**{prefix + name: value for name, value in conditions.items()})

    met = q(state=S.MET, met_at__gte=start, met_at__lt=end)
    missed = q(state__in=MAY_MISS, due_at__gte=start, due_at__lt=min(end, now))
    return met, missed


def _conditions(period: Period, now: datetime.datetime, prefix: str = "") -> tuple[Q, Q, Q]:
    """Return the conditions met, missed and running in the period, on clocks reached
    through `prefix`. Each bounds an indexed instant: met_at, due_at or started_at."""
    start, end = period.start, period.end
    met, missed = decided_conditions(start, end, now, prefix)
    undecided = Q(**{f"{prefix}state__in": UNDECIDED})
    started = Q(**{f"{prefix}started_at__gte": start, f"{prefix}started_at__lt": end})
    not_due = Q(**{f"{prefix}due_at__isnull": True}) | Q(**{f"{prefix}due_at__gte": now})
    return met, missed, undecided & started & not_due


TARGET_FIELDS = ("internal", "key", "metric", "priority", "target_seconds", "objective_percent")


def compliance_report(
    reader: ReportReader, *, period: Period, scope: Scope, now: datetime.datetime
) -> ComplianceReport:
    """Return the compliance report the reader may read, in three or four queries."""
    clocks = TicketClock.objects.filter(scope.clocks())
    if not reader.internal:
        clocks = clocks.filter(internal=False)
    met, missed, running = _conditions(period, now)
    counted = (
        clocks.filter(met | missed | running)
        .values(*TARGET_FIELDS)
        .annotate(
            n_met=Count("pk", filter=met),
            n_missed=Count("pk", filter=missed),
            n_running=Count("pk", filter=running),
        )
        .order_by()
    )
    holders = _holders(reader, period=period, scope=scope, now=now)
    over = period.is_over(now)
    rows = [
        TargetRow(
            key=row["key"],
            metric=row["metric"],
            internal=row["internal"],
            priority=row["priority"],
            target_seconds=row["target_seconds"] or 0,
            objective_percent=row["objective_percent"] or 100.0,
            met=row["n_met"],
            missed=row["n_missed"],
            running=row["n_running"],
            verdict=verdict(
                met=row["n_met"],
                missed=row["n_missed"],
                objective=row["objective_percent"] or 100.0,
                period_over=over,
            ),
            holders=tuple(holders.get(tuple(row[f] for f in TARGET_FIELDS), ())),
        )
        for row in counted
    ]
    rows.sort(key=_row_order)
    return ComplianceReport(
        period=period,
        scope=scope,
        now=now,
        customer_facing=tuple(row for row in rows if not row.internal),
        internal=tuple(row for row in rows if row.internal),
        no_target=tuple(_no_target(clocks, period=period, scope=scope)),
        shows_holders=reader.internal,
    )


def _holders(
    reader: ReportReader, *, period: Period, scope: Scope, now: datetime.datetime
) -> dict[tuple[object, ...], list[HolderTime]]:
    """Return the missed clocks' time per holder, by target (one grouped query)."""
    if not reader.internal:
        return {}
    _met, missed, _running = _conditions(period, now, prefix="clock__")
    fields = tuple(f"clock__{name}" for name in TARGET_FIELDS)
    shares = (
        ClockShare.objects.filter(scope.clocks("clock__"), missed)
        .values(*fields, "holder", "supplier_id", "supplier__name")
        .annotate(over=Sum("over_seconds"), counted=Sum("seconds"), paused=Sum("paused_seconds"))
        .order_by()
    )
    out: dict[tuple[object, ...], list[HolderTime]] = {}
    for share in shares:
        out.setdefault(tuple(share[f] for f in fields), []).append(
            HolderTime(
                holder=share["holder"],
                supplier_id=share["supplier_id"],
                supplier_name=share["supplier__name"] or "",
                over_seconds=share["over"] or 0,
                counted_seconds=share["counted"] or 0,
                paused_seconds=share["paused"] or 0,
            )
        )
    for times in out.values():
        times.sort(key=lambda h: (_HOLDER_ORDER.get(h.holder, 9), h.supplier_name))
    return out


_HOLDER_ORDER = {kind.value: i for i, kind in enumerate(HolderKind)}


def _no_target(clocks: QuerySet[TicketClock], *, period: Period, scope: Scope) -> list[NoTargetRow]:
    """Return the period's tickets without a target: per key and reason, and the tickets
    without clocks (no contract, or no service level the engine knows)."""
    start, end = period.start, period.end
    without = (
        clocks.filter(state=S.NONE, started_at__gte=start, started_at__lt=end)
        .values("key", "no_target_reason")
        .annotate(n=Count("pk"))
        .order_by("key", "no_target_reason")
    )
    rows = [NoTargetRow(row["key"], row["no_target_reason"], row["n"]) for row in without]
    tickets = Ticket.objects.filter(scope.tickets(), created_at__gte=start, created_at__lt=end)
    if scope.priority:
        tickets = tickets.filter(priority=scope.priority)
    bare = tickets.filter(~Exists(TicketClock.objects.filter(ticket=OuterRef("pk")))).aggregate(
        no_contract=Count("pk", filter=Q(contract__isnull=True)),
        no_level=Count("pk", filter=Q(contract__isnull=False)),
    )
    if bare["no_contract"]:
        rows.append(NoTargetRow("", str(NO_CONTRACT), bare["no_contract"]))
    if bare["no_level"]:
        rows.append(NoTargetRow("", str(NO_SERVICE_LEVEL), bare["no_level"]))
    return rows


_METRICS = ("assignment", "acceptance", "first_response", "workaround", "resolution")
_METRIC_ORDER = {metric: i for i, metric in enumerate(_METRICS)}
_PRIORITY_ORDER: dict[str, int] = {}
for _scheme in SCHEMES.values():
    for _rank, _code in enumerate(_scheme.codes()):
        _PRIORITY_ORDER.setdefault(_code, _rank)


def _row_order(row: TargetRow) -> tuple[object, ...]:
    return (
        _METRIC_ORDER.get(row.metric, 9),
        row.key,
        _PRIORITY_ORDER.get(row.priority, 99),
        row.priority,
        row.target_seconds,
    )
