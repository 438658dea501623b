"""The outbox itself: stored once by key, claimed by one worker, requeued after a lost task
or an expired lease, backed off on failure, given up after about a day.

The rows are outbound mail without a ticket (the simplest outbox table) sent by a test
channel that records what it sends, or fails when told to.
"""

import datetime
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.db import connection
from pytest_django.fixtures import Settings

from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.outbox import services
from servicedesk.outbox.services import (
    LEASE,
    MAX_ATTEMPTS,
    REQUEUE_AFTER,
    Channel,
    backoff,
    outbox_add,
    outbox_deliver,
    outbox_requeue,
    outbox_send_again,
    retry_delay,
)

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@dataclass
class Recorder:
    """Sends by remembering (worker thread, row id); raises `failure` when one is set."""

    sent: list[tuple[int, int]] = field(default_factory=list)
    failure: Exception | None = None
    during: Any = None  # called while "sending", to act as a second worker meanwhile

    def send(self, row: OutboundMail) -> None:
        if self.during is not None:
            self.during(row)
        if self.failure is not None:
            raise self.failure
        self.sent.append((threading.get_ident(), row.pk))


RECORDER = Recorder()
TEST = Channel("test", OutboundMail, RECORDER.send)


@pytest.fixture(autouse=True)
def test_channel(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """The test channel, known to the task by name; tasks run when queued."""
    settings.TASKS = IMMEDIATE
    monkeypatch.setitem(services.CHANNELS, "test", f"{__name__}.TEST")
    RECORDER.sent.clear()
    RECORDER.failure = RECORDER.during = None
    yield RECORDER


def row(key: str | None = None, *, number: int = 0) -> OutboundMail:
    """Return an unsaved row to send (a refusal: no ticket needed)."""
    return OutboundMail(
        kind=OutboundKind.REFUSED_UNKNOWN,
        to="someone@elsewhere.example",
        language="en",
        subject="Refused",
        body_text="No.",
        body_html="<p>No.</p>",
        message_id=f"{key or 'nokey'}.{number}.{id(object())}@desk.example",
        dedupe_key=key,
        created_at=T0,
    )


Add = Callable[..., list[OutboundMail]]
Requeue = Callable[[datetime.datetime], int]


@pytest.fixture
def add(django_capture_on_commit_callbacks: Any) -> Add:
    """Add rows to the test channel and commit (their sending is queued then)."""

    def run(*rows: OutboundMail) -> list[OutboundMail]:
        with django_capture_on_commit_callbacks(execute=True):
            return outbox_add(TEST, list(rows), at=T0)

    return run


@pytest.fixture
def requeue(django_capture_on_commit_callbacks: Any) -> Requeue:
    """Run the tick's requeue for the test channel at a moment; return how many it queued."""

    def run(at: datetime.datetime) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return outbox_requeue(now=at, channels=["test"])["test"]

    return run


# Stored once


def test_it_stores_a_key_once_and_sends_it_once(test_channel: Recorder, add: Add) -> None:
    (first,) = add(row("k1"))
    again = add(row("k1"))

    assert again == []
    assert OutboundMail.objects.filter(dedupe_key="k1").count() == 1
    assert [pk for _, pk in test_channel.sent] == [first.pk]


def test_it_stores_a_batch_with_known_and_repeated_keys_once(
    test_channel: Recorder, add: Add
) -> None:
    known = row("known")
    known.save()
    batch = [row("a"), row("a", number=1), row("known"), row(None), row(None, number=1)]

    stored = add(*batch)

    assert stored == [batch[0], batch[3], batch[4]]  # the first of a key wins; no key: all
    assert sorted(pk for _, pk in test_channel.sent) == sorted(r.pk for r in stored)
    assert all(r.next_attempt_at == T0 + REQUEUE_AFTER for r in stored)


def test_it_stores_the_others_when_a_concurrent_writer_took_a_key(
    add: Add, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The key is stored after the known keys were read: the insert of the batch fails,
    # and the rows are stored one by one instead, the duplicate left out.
    batch = [row("x"), row("y")]
    real_filter = OutboundMail.objects.filter

    def racing_filter(*args: Any, **kwargs: Any) -> Any:
        result = real_filter(*args, **kwargs)
        if "dedupe_key__in" in kwargs:
            result = list(result.values_list("dedupe_key", flat=True))  # read the keys now
            row("y").save()  # the concurrent writer
            return real_filter(dedupe_key__in=[k for k in result if k])
        return result

    monkeypatch.setattr(OutboundMail.objects, "filter", racing_filter)
    stored = add(*batch)
    monkeypatch.undo()

    assert [r.dedupe_key for r in stored] == ["x"]
    assert OutboundMail.objects.filter(dedupe_key="y").count() == 1


def test_it_stores_nothing_and_queues_nothing_when_the_caller_rolls_back(
    test_channel: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                outbox_add(TEST, [row("gone")], at=T0)
                raise RuntimeError("the cause fails")
        except RuntimeError:
            pass

    assert callbacks == []
    assert not OutboundMail.objects.filter(dedupe_key="gone").exists()
    assert test_channel.sent == []


# Claimed by one


def test_it_lets_only_one_of_two_workers_claim_a_row(test_channel: Recorder) -> None:
    (stored,) = outbox_add(TEST, [row("one")], at=T0)  # its task not run (no commit here)
    second: list[int] = []
    test_channel.during = lambda r: second.append(outbox_deliver(TEST, [r.pk], worker="b"))

    assert outbox_deliver(TEST, [stored.pk, stored.pk], worker="a") == 1

    assert second == [0]  # worker b found it claimed while a was sending
    assert len(test_channel.sent) == 1
    stored.refresh_from_db()
    assert (stored.claimed_by, stored.attempts, stored.next_attempt_at) == ("a", 1, None)
    assert stored.sent_at is not None
    assert outbox_deliver(TEST, [stored.pk], worker="c") == 0  # sent: never again


@pytest.mark.postgresql  # needs concurrent writers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_each_row_once(test_channel: Recorder) -> None:
    rows = OutboundMail.objects.bulk_create(row(f"p{i}") for i in range(200))
    ids = [r.pk for r in rows]
    start = threading.Barrier(2)
    counts: list[int] = []

    def work(name: str) -> None:
        try:
            start.wait()
            counts.append(outbox_deliver(TEST, ids, worker=name))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == len(ids) == len(test_channel.sent)
    assert sorted(pk for _, pk in test_channel.sent) == sorted(ids)
    assert set(OutboundMail.objects.values_list("attempts", flat=True)) == {1}
    assert len({thread for thread, _ in test_channel.sent}) == 2  # both really worked


# Requeued


def test_it_requeues_a_row_whose_task_was_lost(
    test_channel: Recorder, settings: Settings, add: Add, requeue: Requeue
) -> None:
    settings.TASKS = DUMMY  # queued, never run
    (lost,) = add(row("lost"))
    assert test_channel.sent == []
    settings.TASKS = IMMEDIATE

    assert requeue(T0 + REQUEUE_AFTER - MINUTE) == 0
    assert requeue(T0 + REQUEUE_AFTER) == 1

    assert [pk for _, pk in test_channel.sent] == [lost.pk]
    assert requeue(T0 + REQUEUE_AFTER) == 0


def test_it_requeues_a_row_whose_lease_expired(test_channel: Recorder, requeue: Requeue) -> None:
    (stored,) = outbox_add(TEST, [row("crash")], at=T0)
    crashed = T0 + MINUTE  # claimed, then the worker died before sending
    OutboundMail.objects.filter(pk=stored.pk).update(
        claimed_at=crashed, claimed_by="dead", attempts=1, next_attempt_at=crashed + LEASE
    )

    with time_machine.travel(crashed + LEASE - MINUTE, tick=False):
        assert outbox_deliver(TEST, [stored.pk], worker="early") == 0  # the lease holds
        assert requeue(crashed + LEASE - MINUTE) == 0
    with time_machine.travel(crashed + LEASE, tick=False):
        assert requeue(crashed + LEASE) == 1

    stored.refresh_from_db()
    assert (stored.attempts, stored.sent_at) == (2, crashed + LEASE)
    assert stored.claimed_by != "dead"
    assert [pk for _, pk in test_channel.sent] == [stored.pk]


# Back-off and giving up


def test_it_backs_off_from_5_minutes_doubling_to_6_hours_and_gives_up_after_a_day() -> None:
    minutes = [backoff(attempt) // MINUTE for attempt in range(1, MAX_ATTEMPTS)]
    assert minutes == [5, 10, 20, 40, 80, 160, 320, 360, 360]
    assert [retry_delay(attempt) for attempt in range(1, MAX_ATTEMPTS)] == [
        backoff(attempt) for attempt in range(1, MAX_ATTEMPTS)
    ]
    assert retry_delay(MAX_ATTEMPTS) is None
    waited = sum((backoff(a) for a in range(1, MAX_ATTEMPTS)), datetime.timedelta())
    assert datetime.timedelta(hours=20) < waited < datetime.timedelta(hours=26)


def test_it_retries_a_failure_after_its_back_off_and_gives_up_in_the_end(
    test_channel: Recorder, add: Add, requeue: Requeue, django_capture_on_commit_callbacks: Any
) -> None:
    test_channel.failure = ConnectionRefusedError("SMTP server down")
    with time_machine.travel(T0, tick=False):
        (stored,) = add(row("fails"))
    stored.refresh_from_db()
    assert (stored.attempts, stored.claimed_at, stored.sent_at) == (1, None, None)
    assert stored.last_error == "ConnectionRefusedError: SMTP server down"
    assert stored.next_attempt_at == T0 + backoff(1)

    moment = T0
    for attempt in range(2, MAX_ATTEMPTS + 1):
        moment += backoff(attempt - 1)
        assert requeue(moment - MINUTE) == 0
        with time_machine.travel(moment, tick=False):
            assert requeue(moment) == 1
        stored.refresh_from_db()
        assert stored.attempts == attempt

    assert stored.failed_at == moment and stored.next_attempt_at is None
    assert requeue(moment + 7 * datetime.timedelta(days=1)) == 0
    assert test_channel.sent == []

    # An administrator sends it again once the mail server is back.
    test_channel.failure = None
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_send_again(TEST, [stored.pk]) == 1
    stored.refresh_from_db()
    assert stored.sent_at is not None and stored.failed_at is None
    assert stored.last_error == ""
    assert [pk for _, pk in test_channel.sent] == [stored.pk]
    assert outbox_send_again(TEST, [stored.pk]) == 0  # sent: nothing to do
