"""The outbox's one mechanism: store once, claim with a lease, send, back off, requeue.

A *channel* is an outbox table and how to send one of its rows. The channels are named in
CHANNELS (name -> the `Channel` object's dotted path), so the one task (`outbox_send`) and
the requeue reach every channel without importing them here.

Exactly once: a row is stored once (its unique `dedupe_key`, in the transaction of its
cause) and claimed with a conditional UPDATE before it is sent, so two workers never both
send it. The one window left is a crash between the mail server's acceptance and the
stamp: the row is then sent again after the lease, with the same Message-ID, so mail
clients can drop the copy.
"""

import datetime
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Manager, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from servicedesk.outbox.models import UNSENT, OutboxItem

logger = logging.getLogger(__name__)

# A claim older than this is taken over (OUTBOX_LEASE_SECONDS: 10 minutes by default).
LEASE = datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
# Unsent this long after it was stored: its task was lost (OUTBOX_REQUEUE_AFTER_SECONDS: 5
# minutes by default).
REQUEUE_AFTER = datetime.timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
MAX_BACKOFF = datetime.timedelta(hours=6)
MAX_ATTEMPTS = 10  # with the back-off below: about a day of failures before giving up
REQUEUE_LIMIT = 1000  # rows per channel queued again by one tick

# Every channel, by name: the requeue looks at them in this order.
CHANNELS = {
    "notification": "servicedesk.automation.notify.NOTIFICATIONS",
    "mail": "servicedesk.mail.outbound.MAIL",
}


@dataclass(frozen=True, slots=True)
class Channel[M: OutboxItem]:
    """An outbox table and how to send one of its rows (`send` raises when it fails)."""

    name: str
    model: type[M]
    send: Callable[[M], None]
    related: tuple[str, ...] = ()  # select_related when a row is loaded to be sent

    def manager(self) -> Manager[M]:
        """Return the table's manager."""
        return self.model._default_manager


def channel_get(name: str) -> Channel[Any]:
    """Return the channel of this name (KeyError if there is none)."""
    channel: Channel[Any] = import_string(CHANNELS[name])
    return channel


def backoff(attempts: int) -> datetime.timedelta:
    """Return how long to wait after failed attempt `attempts`: REQUEUE_AFTER (5 minutes
    by default), doubling, at most 6 hours."""
    delay: datetime.timedelta = REQUEUE_AFTER * 2 ** max(attempts - 1, 0)
    return min(delay, MAX_BACKOFF)


def retry_delay(attempts: int) -> datetime.timedelta | None:
    """Return how long to wait before trying again after `attempts` failed attempts, or
    None to give up (after MAX_ATTEMPTS, about a day)."""
    return None if attempts >= MAX_ATTEMPTS else backoff(attempts)


def outbox_add[M: OutboxItem](
    channel: Channel[M], rows: Sequence[M], *, at: datetime.datetime
) -> list[M]:
    """Store the rows whose dedupe key is new (the first of a key among `rows` wins) and
    queue the sending of the unsent ones on commit; return the rows stored.

    Several rows: their known keys are read first, then one insert. One row: the unique
    constraint alone decides (a savepoint and an insert). Should a concurrent writer store
    a key meanwhile, the rows are inserted one by one and its duplicates left out. An
    unsent row is looked at again REQUEUE_AFTER after `at`, should its task be lost.
    """
    keys = {row.dedupe_key for row in rows if row.dedupe_key}
    known: set[str | None] = set()
    if len(rows) > 1 and keys:
        stored = channel.manager().filter(dedupe_key__in=keys)
        known = set(stored.values_list("dedupe_key", flat=True))
    fresh = []
    for row in rows:
        if row.dedupe_key:
            if row.dedupe_key in known:
                continue
            known.add(row.dedupe_key)
        if row.sent_at is None and row.failed_at is None and row.next_attempt_at is None:
            row.next_attempt_at = at + REQUEUE_AFTER
        fresh.append(row)
    created = _insert(channel, fresh)
    outbox_queue_on_commit(
        channel, [row.pk for row in created if row.sent_at is None and row.failed_at is None]
    )
    return created


def _insert[M: OutboxItem](channel: Channel[M], rows: list[M]) -> list[M]:
    if len(rows) > 1:
        try:
            with transaction.atomic():
                return channel.manager().bulk_create(rows)
        except IntegrityError:
            pass  # a concurrent writer stored some: store the others one by one
    created = []
    for row in rows:
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            if row.dedupe_key and channel.manager().filter(dedupe_key=row.dedupe_key).exists():
                continue
            raise
        created.append(row)
    return created


def outbox_queue_on_commit(channel: Channel[Any], ids: list[int]) -> None:
    """Queue the sending of these rows when the current transaction commits."""
    if ids:
        transaction.on_commit(functools.partial(outbox_queue, channel.name, ids))


def outbox_queue(channel: str, ids: list[int]) -> None:
    """Queue the task that sends these rows; if queueing fails, the tick's requeue does."""
    from servicedesk.outbox.tasks import outbox_send

    try:
        outbox_send.enqueue(channel=channel, ids=ids)
    except Exception:
        logger.exception("could not queue %d %s rows; the tick will retry", len(ids), channel)


def claimable(now: datetime.datetime) -> Q:
    """Return the rows a worker may claim at `now`: unsent, and unclaimed or their lease
    expired."""
    return UNSENT & (Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - LEASE))


def outbox_deliver[M: OutboxItem](
    channel: Channel[M], ids: Iterable[int], *, worker: str = ""
) -> int:
    """Send the rows among `ids` that are unsent and unclaimed; return how many were sent.

    Each is claimed (a conditional UPDATE, committed) before sending and stamped sent
    after; a failure releases the claim for a retry after its back-off, or gives up.
    """
    sent = 0
    table = channel.manager()
    for pk in ids:
        now = timezone.now()
        claimed = table.filter(claimable(now), pk=pk).update(
            claimed_at=now,
            claimed_by=worker,
            attempts=F("attempts") + 1,
            next_attempt_at=now + LEASE,
        )
        if not claimed:
            continue
        loading = table.select_related(*channel.related) if channel.related else table.all()
        row = loading.get(pk=pk)
        mine = table.filter(pk=pk, claimed_at=now)  # unless another took it over
        try:
            channel.send(row)
        except Exception as error:
            delay = retry_delay(row.attempts)
            logger.warning(
                "%s %s not sent (attempt %d, %s): %s",
                channel.name,
                pk,
                row.attempts,
                "given up" if delay is None else f"retry in {delay}",
                error,
            )
            mine.update(
                claimed_at=None,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                failed_at=now if delay is None else None,
                next_attempt_at=None if delay is None else now + delay,
            )
            continue
        mine.update(sent_at=timezone.now(), next_attempt_at=None, last_error="")
        sent += 1
    return sent


def outbox_requeue(
    *,
    now: datetime.datetime | None = None,
    channels: Iterable[str] = CHANNELS,
    limit: int = REQUEUE_LIMIT,
) -> dict[str, int]:
    """Queue sending again for unsent rows due another look (a lost task, an expired
    lease, a back-off over); return how many, by channel."""
    at = now or timezone.now()
    counts = {}
    for name in channels:
        due = channel_get(name).manager().filter(UNSENT, next_attempt_at__lte=at)
        ids = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
        if ids:
            outbox_queue(name, ids)
        counts[name] = len(ids)
    return counts


def outbox_send_again(
    channel: Channel[Any], ids: Iterable[int], *, now: datetime.datetime | None = None
) -> int:
    """Queue these rows' sending now if they are unsent, given up or not (an
    administrator's action); return how many were queued."""
    unsent = channel.manager().filter(pk__in=list(ids), sent_at__isnull=True)
    queued = list(unsent.values_list("pk", flat=True))
    unsent.update(failed_at=None, claimed_at=None, next_attempt_at=now or timezone.now())
    if queued:
        outbox_queue(channel.name, queued)
    return len(queued)
