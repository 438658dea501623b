"""Credit arithmetic: for any bundles and any billable or covered work, edited and deleted,
consumption stays within each bundle and never below zero, over-use is recorded, and
consumption plus over-use is exactly the billable time logged; covered time takes nothing."""

import datetime
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.billing import services
from servicedesk.billing.credit import Bundle, Work, allocate
from servicedesk.billing.models import CreditBundle, CreditConsumption, TimeEntry
from servicedesk.contracts.models import Contract
from tests.billing.conftest import Desk, bundle
from tests.factories import make_ticket

BASE = datetime.date(2026, 1, 1)
NOW = datetime.datetime(2026, 6, 30, 12, tzinfo=datetime.UTC)

days = st.integers(min_value=0, max_value=120).map(lambda d: BASE + datetime.timedelta(days=d))


@st.composite
def bundles(draw: st.DrawFn) -> Bundle:
    start = draw(days)
    length = draw(st.integers(min_value=0, max_value=90))
    return Bundle(0, draw(st.integers(1, 600)), start, start + datetime.timedelta(days=length))


work = st.builds(
    lambda day, minutes, billable: (day, minutes, billable),
    days,
    st.integers(min_value=1, max_value=300),
    st.booleans(),
)


def check(
    entries: list[Work],
    sizes: dict[int, int],
    taken: dict[tuple[int, int], int],
    overuse: dict[int, int],
) -> None:
    for minutes in taken.values():
        assert minutes > 0
    for bundle_id, size in sizes.items():
        assert sum(m for (_e, b), m in taken.items() if b == bundle_id) <= size
    for entry in entries:
        took = sum(m for (e, _b), m in taken.items() if e == entry.id)
        if entry.billable:
            assert overuse[entry.id] >= 0
            assert took + overuse[entry.id] == entry.minutes
        else:
            assert took == 0 and entry.id not in overuse


@given(st.lists(bundles(), max_size=5), st.lists(work, max_size=25))
def test_it_allocates_within_bundles_and_keeps_every_billable_minute(
    drawn: list[Bundle], logged: list[tuple[datetime.date, int, bool]]
) -> None:
    pool = [Bundle(i + 1, b.minutes, b.valid_from, b.valid_to) for i, b in enumerate(drawn)]
    entries = [
        Work(i + 1, day, minutes, billable) for i, (day, minutes, billable) in enumerate(logged)
    ]
    result = allocate(entries, pool)
    check(entries, {b.id: b.minutes for b in pool}, result.taken, result.overuse)
    for (entry_id, bundle_id), _m in result.taken.items():
        entry = entries[entry_id - 1]
        assert pool[bundle_id - 1].valid_on(entry.day)  # only bundles valid that day


def test_it_takes_the_oldest_valid_bundle_first() -> None:
    old = Bundle(1, 60, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    new = Bundle(2, 60, datetime.date(2026, 3, 1), datetime.date(2026, 12, 31))
    result = allocate([Work(1, datetime.date(2026, 4, 1), 90, True)], [new, old])
    assert result.taken == {(1, 1): 60, (1, 2): 30}
    assert result.overuse == {1: 0}


def test_it_records_work_beyond_the_credit_as_overuse() -> None:
    only = Bundle(1, 60, datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    result = allocate(
        [
            Work(1, datetime.date(2026, 1, 5), 45, True),
            Work(2, datetime.date(2026, 1, 6), 45, True),
            Work(3, datetime.date(2026, 2, 1), 30, True),
            Work(4, datetime.date(2026, 1, 7), 30, False),
        ],
        [only],
    )
    assert result.taken == {(1, 1): 45, (2, 1): 15}
    assert result.overuse == {1: 0, 2: 30, 3: 30}


# ------------------------------------------------------------------ through the services


@dataclass(frozen=True)
class Log:
    day: int
    minutes: int
    billable: bool


@dataclass(frozen=True)
class Edit:
    which: int
    minutes: int
    billable: bool


@dataclass(frozen=True)
class Delete:
    which: int


steps = st.lists(
    st.one_of(
        st.builds(Log, st.integers(0, 60), st.integers(1, 240), st.booleans()),
        st.builds(Edit, st.integers(0, 30), st.integers(1, 240), st.booleans()),
        st.builds(Delete, st.integers(0, 30)),
    ),
    min_size=1,
    max_size=12,
)
bundle_sizes = st.lists(
    st.tuples(st.integers(1, 8), st.integers(0, 40), st.integers(0, 40)), max_size=3
)


def assert_stored_credit_holds(contract: Contract) -> None:
    entries = list(TimeEntry.objects.filter(contract=contract))
    taken = {
        (row.entry_id, row.bundle_id): row.minutes
        for row in CreditConsumption.objects.filter(bundle__contract=contract)
    }
    sizes = {b.pk: b.minutes for b in CreditBundle.objects.filter(contract=contract)}
    overuse = {e.pk: e.overuse_minutes for e in entries if e.billable}
    check([Work(e.pk, e.worked_on, e.minutes, e.billable) for e in entries], sizes, taken, overuse)
    for e in entries:
        if not e.billable:
            assert e.overuse_minutes == 0
    billable = sum(e.minutes for e in entries if e.billable)
    consumed = (
        CreditConsumption.objects.filter(bundle__contract=contract).aggregate(total=Sum("minutes"))[
            "total"
        ]
        or 0
    )
    assert consumed + sum(overuse.values()) == billable


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sizes=bundle_sizes, script=steps)
def test_it_keeps_the_books_straight_through_logs_edits_and_deletes(
    desk: Desk, sizes: list[tuple[int, int, int]], script: list[Log | Edit | Delete]
) -> None:
    with transaction.atomic():
        for hours, start, length in sizes:
            first = BASE + datetime.timedelta(days=start)
            bundle(
                desk.contract,
                hours,
                valid_from=first,
                valid_to=first + datetime.timedelta(days=length),
            )
        logged: list[TimeEntry] = []
        for step in script:
            if isinstance(step, Log):
                logged.append(
                    services.time_entry_create(
                        actor=desk.agent,
                        ticket=desk.ticket,
                        minutes=step.minutes,
                        worked_on=BASE + datetime.timedelta(days=step.day),
                        activity="consulting",
                        billable=step.billable,
                        now=NOW,
                    )
                )
            elif logged and isinstance(step, Edit):
                entry = logged[step.which % len(logged)]
                services.time_entry_update(
                    actor=desk.agent,
                    entry=entry,
                    minutes=step.minutes,
                    worked_on=entry.worked_on,
                    activity=entry.activity,
                    billable=step.billable,
                    note="",
                    now=NOW,
                )
            elif logged and isinstance(step, Delete):
                entry = logged.pop(step.which % len(logged))
                services.time_entry_delete(actor=desk.agent, entry=entry, now=NOW)
            assert_stored_credit_holds(desk.contract)
        transaction.set_rollback(True)


def test_it_consumes_nothing_for_covered_time(desk: Desk) -> None:
    credit = bundle(desk.contract, 10)
    services.time_entry_create(
        actor=desk.agent,
        ticket=desk.ticket,
        minutes=120,
        worked_on=BASE,
        activity="analysis",
        billable=False,
        now=NOW,
    )
    assert not CreditConsumption.objects.filter(bundle=credit).exists()


def test_it_frees_the_credit_of_a_deleted_entry_for_later_work(desk: Desk) -> None:
    bundle(desk.contract, 1)
    first = services.time_entry_create(
        actor=desk.agent,
        ticket=desk.ticket,
        minutes=60,
        worked_on=BASE,
        activity="consulting",
        billable=True,
        now=NOW,
    )
    later = services.time_entry_create(
        actor=desk.agent,
        ticket=desk.ticket,
        minutes=30,
        worked_on=BASE + datetime.timedelta(days=1),
        activity="consulting",
        billable=True,
        now=NOW,
    )
    assert later.overuse_minutes == 30
    services.time_entry_delete(actor=desk.agent, entry=first, now=NOW)
    later.refresh_from_db()
    assert later.overuse_minutes == 0
    assert later.consumptions.get().minutes == 30


def test_it_counts_work_without_a_contract_as_overuse(desk: Desk) -> None:
    ticket = make_ticket(title="No contract here")  # another organisation, no contract
    assert ticket.contract_id is None
    entry = services.time_entry_create(
        actor=desk.agent,
        ticket=ticket,
        minutes=45,
        worked_on=BASE,
        activity="training",
        billable=True,
        now=NOW,
    )
    assert entry.overuse_minutes == 45
