"""The weekly digest of stale and breached tickets: sent by the tick once per week to the
people the RACI matrix names, in their language; off unless scheduled."""

import datetime
import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import StaffRole
from servicedesk.automation.models import RaciEntry, RaciStep
from servicedesk.automation.tick import tick
from servicedesk.mail.models import OutboundMail
from servicedesk.opsreports.digest import (
    DIGEST_KIND,
    Schedule,
    digest_recipients,
    digest_run,
    digest_schedule,
    last_due,
)
from servicedesk.opsreports.models import DigestRun
from tests.automation.helpers import DAY, HOUR, at, local
from tests.factories import StaffFactory
from tests.opsreports.conftest import World, ticket_at

MONDAY_7 = local(2026, 6, 8, 7, 0)


@pytest.fixture
def scheduled(settings: Settings) -> None:
    settings.OPS_DIGEST_AT = "mon 07:00"


@pytest.fixture
def stale(world: World) -> World:
    """A ticket of each customer without an update for two weeks."""
    for customer in (world.a, world.b):
        ticket_at(MONDAY_7 - 14 * DAY, customer.requester, product=world.payroll)
    return world


def digests() -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(kind=DIGEST_KIND).order_by("to"))


def run_tick(moment: datetime.datetime, capture: Any) -> None:
    with at(moment), capture(execute=True):
        tick()


@pytest.mark.django_db
@pytest.mark.usefixtures("scheduled")
def test_it_sends_the_digest_once_a_week_however_often_the_tick_runs(
    stale: World, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    last_week = MONDAY_7 - 7 * DAY
    DigestRun.objects.create(week=last_week.date(), claimed_at=last_week)  # went out then
    run_tick(MONDAY_7 - HOUR, django_capture_on_commit_callbacks)  # before this week's time
    assert digests() == []

    run_tick(MONDAY_7 + 30 * datetime.timedelta(minutes=1), django_capture_on_commit_callbacks)
    run_tick(MONDAY_7 + HOUR, django_capture_on_commit_callbacks)
    run_tick(MONDAY_7 + 3 * DAY, django_capture_on_commit_callbacks)

    mails = digests()
    assert [m.to for m in mails] == [stale.lead.email, stale.manager.email]  # not the agent
    assert DigestRun.objects.get(week=MONDAY_7.date()).recipients == 2
    sent = [m for m in mailoutbox if m.subject.startswith("Weekly digest")]
    assert len(sent) == 2
    assert sent[0].subject == "Weekly digest: 2 outside SLA, 2 without an update"
    assert "Alpha BV" in sent[0].body and "Bravo BV" in sent[0].body

    run_tick(MONDAY_7 + 7 * DAY + HOUR, django_capture_on_commit_callbacks)  # next week
    assert len(digests()) == 4
    assert DigestRun.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("scheduled")
def test_a_week_whose_time_passed_while_no_worker_ran_is_sent_at_the_next_tick(
    stale: World,
) -> None:
    with at(MONDAY_7 + 3 * DAY):  # Thursday: the workers were down since Sunday
        run = digest_run()
    assert run is not None and run.week == MONDAY_7.date()
    assert len(digests()) == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("scheduled")
def test_each_reader_gets_it_in_their_language(stale: World) -> None:
    stale.manager.language = "nl"
    stale.manager.save(update_fields=["language"])

    with at(MONDAY_7):
        digest_run()

    subjects = dict(OutboundMail.objects.filter(kind=DIGEST_KIND).values_list("to", "subject"))
    assert subjects[stale.manager.email] == "Weekoverzicht: 0 buiten SLA, 2 zonder update"
    assert subjects[stale.lead.email].startswith("Weekly digest")


@pytest.mark.django_db
@pytest.mark.usefixtures("scheduled")
def test_the_raci_matrix_names_the_readers(world: World) -> None:
    admin = StaffFactory(role=StaffRole.ADMINISTRATOR, email="root@vendor.example")
    assert {u.pk for u in digest_recipients()} == {world.lead.pk, world.manager.pk}

    RaciEntry.objects.filter(step=RaciStep.ESCALATION, role=StaffRole.SERVICE_MANAGER).delete()
    RaciEntry.objects.create(
        step=RaciStep.ESCALATION, kind="incident", role=StaffRole.ADMINISTRATOR, letter="I"
    )
    assert {u.pk for u in digest_recipients()} == {world.lead.pk, admin.pk}


@pytest.mark.django_db
@pytest.mark.usefixtures("scheduled")
def test_a_quiet_week_mails_nobody(world: World) -> None:
    with at(MONDAY_7 + HOUR):
        run = digest_run()
    assert run is not None and run.recipients == 0
    assert digests() == []


@pytest.mark.django_db
def test_it_is_off_unless_scheduled_and_then_costs_no_query(stale: World) -> None:
    with at(MONDAY_7 + HOUR), CaptureQueriesContext(connection) as queries:
        assert digest_run() is None
    assert queries.captured_queries == []
    assert digests() == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mon 07:00", Schedule(0, datetime.time(7, 0))),
        ("Friday 16:30", Schedule(4, datetime.time(16, 30))),
        ("", None),
    ],
)
def test_it_reads_the_schedule(value: str, expected: Schedule | None) -> None:
    assert digest_schedule(value) == expected


@pytest.mark.parametrize("value", ["monday", "07:00", "someday 07:00", "mon 25:00"])
def test_it_refuses_a_schedule_it_cannot_read(value: str) -> None:
    with pytest.raises(ValueError, match="OPS_DIGEST_AT"):
        digest_schedule(value)


def test_the_week_of_a_moment_is_its_latest_digest_time() -> None:
    schedule = Schedule(0, datetime.time(7, 0))
    assert last_due(schedule, MONDAY_7) == MONDAY_7
    assert last_due(schedule, MONDAY_7 - datetime.timedelta(seconds=1)) == MONDAY_7 - 7 * DAY
    assert last_due(schedule, MONDAY_7 + 6 * DAY) == MONDAY_7


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_it_once(settings: Settings, stale: World) -> None:
    settings.OPS_DIGEST_AT = "mon 07:00"
    start = threading.Barrier(2)
    results: list[object] = []

    def worker(name: str) -> None:
        try:
            start.wait()
            results.append(digest_run(now=MONDAY_7 + HOUR, worker=name))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(result is not None for result in results) == 1
    assert len(digests()) == 2
    assert DigestRun.objects.count() == 1
