"""The scheduler tick: one pass over everything time alone has made due.

`servicedesk worker` runs it every minute; several workers may run it at once. It never
scans all tickets: it reads indexed "when to look next" columns only.

1. Due scheduled actions (`ScheduledAction.due_at`, a partial index over pending rows),
   in batches, each batch one transaction: the tickets are locked with
   `SELECT ... FOR UPDATE SKIP LOCKED` (a ticket another worker or a request holds is
   left for the next tick), their pending due actions re-read and marked done, the rules
   run, and the notifications they plan recorded, all before the commit. So an action is
   done exactly once, and its notifications exist exactly when it is done. On SQLite (no
   row locks) the transaction takes the database's single write lock instead.
2. SLA clocks (`Ticket.sla_next_check_at`): each due ticket is locked the same way and
   refreshed; the warnings and breaches recorded are notified in that transaction.
3. The outbox's requeue (`outbox_requeue`, every channel: notifications and mail): what is
   unsent and due another look is queued again (its task was lost, a worker died holding
   the claim, a failed attempt's back-off is over).

A rule that fails is retried with the outbox's back-off and given up as the outbox gives
up (`retry_delay`): the desk has one retry policy.
"""

import datetime
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from servicedesk.automation import rules
from servicedesk.automation.models import PENDING, ActionKind, ActionOutcome, ScheduledAction
from servicedesk.automation.notify import (
    Planned,
    notifications_record,
    sla_events_notify,
    sla_events_possible,
)
from servicedesk.automation.raci import Directory
from servicedesk.changes.tick import changes_run
from servicedesk.opsreports.digest import digest_run
from servicedesk.outages.fanout import outages_run
from servicedesk.outbox.services import outbox_requeue, retry_delay
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.sla import sla_refresh

logger = logging.getLogger(__name__)

BATCH_SIZE = 250
SLA_LIMIT = 500


@dataclass
class TickReport:
    """What one tick did."""

    actions: int = 0  # scheduled actions done (including superseded and obsolete ones)
    failed: int = 0  # actions whose rule raised; retried later
    sla: int = 0  # tickets whose SLA clocks were refreshed
    notifications: int = 0  # notifications recorded
    # Unsent rows of the outbox queued again, by channel ("notification", "mail").
    requeued: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        requeued = ", ".join(f"{name} {count}" for name, count in self.requeued.items())
        return (
            f"actions {self.actions} (failed {self.failed}), sla {self.sla}, "
            f"notifications {self.notifications}, requeued {sum(self.requeued.values())}"
            f"{f' ({requeued})' if requeued else ''}, {self.seconds:.3f} s"
        )


def tick(
    *,
    now: datetime.datetime | None = None,
    worker: str = "",
    batch_size: int = BATCH_SIZE,
    sla_limit: int = SLA_LIMIT,
) -> TickReport:
    """Do everything due at `now` (default: the current time); return what was done."""
    started = time.perf_counter()
    now = now or timezone.now()
    report = TickReport()
    directory = Directory()
    actions_run(now=now, worker=worker, batch_size=batch_size, report=report, directory=directory)
    sla_run(now=now, limit=sla_limit, report=report, directory=directory)
    digest_run(now=now, worker=worker)
    outages_run(now=now, worker=worker)
    changes_run(now=now)
    report.requeued = outbox_requeue(now=now)
    report.seconds = time.perf_counter() - started
    if report.actions or report.sla or any(report.requeued.values()) or report.failed:
        logger.info("tick: %s", report)
    return report


TICKET_DATA = (
    "ticket__requester",
    "ticket__organisation",
    "ticket__assignee",
    "ticket__team__lead",
    "ticket__contract__calendar",
)


def actions_run(
    *,
    now: datetime.datetime,
    worker: str,
    batch_size: int,
    report: TickReport,
    directory: Directory,
) -> None:
    """Do the due scheduled actions in batches (keyset order by due time)."""
    after: tuple[datetime.datetime, int] | None = None
    while True:
        with transaction.atomic():
            due = ScheduledAction.objects.filter(PENDING, due_at__lte=now)
            if after is not None:
                due = due.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], pk__gt=after[1]))
            rows = list(due.order_by("due_at", "pk").values_list("due_at", "pk", "ticket_id")[
                :batch_size
            ])  # fmt: skip
            if not rows:
                return
            after = rows[-1][0], rows[-1][1]
            locked = list(
                Ticket.objects.select_for_update(skip_locked=True)
                .filter(pk__in={ticket_id for _, _, ticket_id in rows})
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if locked:
                _run_batch(locked, now=now, worker=worker, report=report, directory=directory)


def _run_batch(
    ticket_ids: list[int],
    *,
    now: datetime.datetime,
    worker: str,
    report: TickReport,
    directory: Directory,
) -> None:
    # Read again under the locks: another worker may have done them meanwhile.
    actions = list(
        ScheduledAction.objects.filter(PENDING, due_at__lte=now, ticket_id__in=ticket_ids)
        .select_related(*TICKET_DATA)
        .order_by("due_at", "pk")
    )
    if not actions:
        return
    ScheduledAction.objects.filter(pk__in=[a.pk for a in actions]).update(
        done_at=now, claimed_by=worker, attempts=F("attempts") + 1
    )
    batch = rules.Batch(now=now, directory=directory)
    for action in actions:
        batch.due.setdefault(action.ticket_id, []).append(action)
    batch.closes_at = dict(
        ScheduledAction.objects.filter(
            PENDING, ticket_id__in=ticket_ids, kind=ActionKind.AUTO_CLOSE
        ).values_list("ticket_id", "due_at")
    )
    outcomes: dict[ActionOutcome, list[int]] = defaultdict(list)
    planned: list[Planned] = []
    grouped = _run_grouped(actions, batch)
    for action in actions:
        handler = rules.HANDLERS[action.kind]
        try:
            if action.pk in grouped:
                outcome, notes = grouped[action.pk]
            elif action.kind in rules.WRITING:
                with transaction.atomic():
                    outcome, notes = handler(action, batch)
            else:
                outcome, notes = handler(action, batch)
        except DatabaseError:
            raise  # the batch's transaction is broken: roll it all back, retry next tick
        except Exception as error:
            logger.exception("action %s (%s) failed", action.pk, action.kind)
            _failed(action, error, now=now)
            report.failed += 1
            continue
        outcomes[outcome].append(action.pk)
        planned += notes
        report.actions += 1
    for outcome, pks in outcomes.items():
        ScheduledAction.objects.filter(pk__in=pks).update(outcome=outcome)
    report.notifications += len(notifications_record(planned, at=now))


def _run_grouped(actions: list[ScheduledAction], batch: rules.Batch) -> dict[int, rules.Result]:
    """Run the grouped rules over their actions together; results by action id. Should a
    group fail, its actions are left to run one by one (each in its own savepoint)."""
    results: dict[int, rules.Result] = {}
    for kind, run in rules.GROUPED.items():
        group = [action for action in actions if action.kind == kind]
        if len(group) < 2:
            continue
        try:
            with transaction.atomic():
                results |= run(group, batch)
        except DatabaseError:
            raise
        except Exception:
            logger.info("%d %s actions together failed; each alone", len(group), kind)
    return results


def _failed(action: ScheduledAction, error: Exception, *, now: datetime.datetime) -> None:
    """Retry a failed action after the outbox's back-off; give up when the outbox would."""
    delay = retry_delay(action.attempts + 1)
    rows = ScheduledAction.objects.filter(pk=action.pk)
    if delay is None:
        rows.update(outcome=ActionOutcome.FAILED, last_error=str(error)[:2000])
    else:
        rows.update(done_at=None, due_at=now + delay, last_error=str(error)[:2000])


def sla_run(
    *, now: datetime.datetime, limit: int, report: TickReport, directory: Directory
) -> None:
    """Refresh the SLA clocks of tickets whose next check is due; notify what they record."""
    ids = list(
        Ticket.objects.filter(sla_next_check_at__lte=now)
        .order_by("sla_next_check_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            ticket = (
                Ticket.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("contract__calendar", "requester", "assignee", "team__lead")
                .filter(pk=pk, sla_next_check_at__lte=now)
                .first()
            )
            if ticket is None:
                continue
            clocks = sla_refresh(ticket, now=now)
            if sla_events_possible(clocks, at=now):
                notified = sla_events_notify(ticket, at=now, directory=directory)
                report.notifications += len(notified)
            report.sla += 1
