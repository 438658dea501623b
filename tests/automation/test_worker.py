"""`servicedesk worker`: one tick and the queued tasks (--once), the tick loop, the queue."""

import signal
import threading
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from servicedesk.automation.models import Notification
from servicedesk.core.management.commands import worker
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.tickets import services
from servicedesk.tickets.models import Status
from tests.automation.helpers import DAY, Desk, at, kinds_of, local
from tests.factories import complete_details

pytestmark = pytest.mark.django_db
T0 = local(2026, 6, 1, 10, 0)


def waiting(desk: Desk) -> None:
    with at(T0):
        ticket = services.ticket_create(
            requester=desk.requester, title="Wait", details=complete_details()
        )
        services.ticket_assign(ticket=ticket, actor=desk.lead, assignee=desk.agent)
        services.ticket_transition(
            ticket=ticket, actor=desk.agent, status=Status.WAITING_ON_CUSTOMER, note="Which?"
        )


def test_it_ticks_once_and_stops(
    desk: Desk, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        waiting(desk)
    assert kinds_of(mailoutbox) == [OutboundKind.TICKET_CREATED, OutboundKind.STATUS_CHANGED]
    mailoutbox.clear()
    out = StringIO()
    with at(T0 + 7 * DAY), django_capture_on_commit_callbacks(execute=True):
        call_command("worker", "--once", stdout=out)
    assert out.getvalue().startswith("tick: actions 1 (failed 0)")
    assert "requeued 0 (notification 0, mail 0)" in out.getvalue()
    assert kinds_of(mailoutbox) == [OutboundKind.REMINDER]
    assert [m.to for m in mailoutbox] == [[desk.requester.email]]


@pytest.fixture
def signal_handlers() -> Iterator[None]:
    """Restore the handlers the task worker installs for SIGINT and SIGTERM."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_sends_through_the_database_queue(
    desk: Desk, mailoutbox: list[Any], settings: Settings, signal_handlers: None
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    waiting(desk)  # committed: the confirmation and the question wait in the queue
    assert DBTaskResult.objects.count() == 2
    with at(T0 + 7 * DAY):
        call_command("worker", "--once", stdout=StringIO(), verbosity=0)
    # The tick queued the reminder and, their first tasks long due, the confirmation and
    # the question again (one task): the queue's tasks ran, and each mail went out once.
    assert sorted(kinds_of(mailoutbox)) == sorted(
        [OutboundKind.REMINDER, OutboundKind.STATUS_CHANGED, OutboundKind.TICKET_CREATED]
    )
    assert [m.to for m in mailoutbox] == [[desk.requester.email]] * 3
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert DBTaskResult.objects.count() == 4
    (notification,) = Notification.objects.all()
    assert notification.sent_at == T0 + 7 * DAY
    assert not OutboundMail.objects.filter(sent_at__isnull=True).exists()


def test_it_refuses_a_silly_interval() -> None:
    with pytest.raises(CommandError):
        call_command("worker", "--interval", "0")


def test_it_ticks_in_a_loop_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    ticked = threading.Event()
    calls: list[int] = []

    def fake_tick() -> None:
        calls.append(1)
        ticked.set()

    monkeypatch.setattr(worker, "run_tick", fake_tick)
    loop = worker.TickLoop(interval=3600)
    loop.start()
    assert ticked.wait(5)
    loop.stop()
    loop.join(5)
    assert not loop.is_alive()
    assert calls == [1]
