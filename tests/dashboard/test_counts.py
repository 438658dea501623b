"""The dashboard's figures for constructed sets of tickets: open by priority, about to
breach, missed today (at the edge of the viewer's day), unassigned over a working day,
surveys and the running month's compliance."""

import datetime

import pytest
import time_machine

from servicedesk.accounts.models import StaffRole, User
from servicedesk.contracts.models import Contract
from servicedesk.dashboard.selectors import COMPLIANCE_SECONDS, Dashboard
from servicedesk.reports.access import ReportReader
from servicedesk.reports.compliance import Scope, Verdict, compliance_report
from servicedesk.reports.periods import period_between
from servicedesk.surveys.models import Survey, SurveyAnswer
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket
from servicedesk.tickets.sla import sla_sweep
from tests.dashboard.conftest import (
    HOUR,
    MINUTE,
    ams,
    clock,
    figures_of,
    report,
    stored,
    utc,
)
from tests.factories import (
    BusinessCalendarFactory,
    ContactFactory,
    ContractFactory,
    StaffFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

# Monday 9 March 2026, 10:00 in Amsterdam: one working day back is Friday 6 March, 10:00.
MONDAY = ams(2026, 3, 9, 10)


def test_it_counts_the_open_tickets_by_priority_and_their_sla_state(
    p_contract: Contract, manager: User, agent: User
) -> None:
    warned = report(p_contract, ams(2026, 3, 5, 9), "p1")
    stored(warned, assignee=agent, sla_warn_at=MONDAY - 10 * MINUTE, sla_due_at=MONDAY + HOUR)
    calm = report(p_contract, ams(2026, 3, 5, 9), "p2")
    stored(calm, assignee=agent, sla_warn_at=MONDAY + HOUR, sla_due_at=MONDAY + 2 * HOUR)
    overdue = report(p_contract, ams(2026, 3, 5, 9), "p2")  # due passed, the sweep not yet
    stored(overdue, assignee=agent, sla_warn_at=MONDAY - 2 * HOUR, sla_due_at=MONDAY - HOUR)
    breached = report(p_contract, ams(2026, 3, 5, 9), "p3")
    stored(breached, assignee=agent, sla_warn_at=None, sla_due_at=None, sla_breached=True)
    friday_early = report(p_contract, ams(2026, 3, 6, 9, 59), "p3")
    friday_late = report(p_contract, ams(2026, 3, 6, 10, 1), "p4")
    saturday = report(p_contract, ams(2026, 3, 7, 12), "p4")
    closed = report(p_contract, ams(2026, 3, 2, 9), "p1")
    stored(closed, status=Status.CLOSED, sla_breached=True, sla_warn_at=MONDAY - MINUTE)
    for ticket in (friday_early, friday_late, saturday):
        stored(ticket, sla_warn_at=None, sla_due_at=None, sla_breached=False)

    figures = figures_of(manager, now=MONDAY)

    assert [(p.priority, p.open) for p in figures.by_priority] == [
        ("p1", 1),
        ("p2", 2),
        ("p3", 2),
        ("p4", 2),
    ]
    assert figures.open == 7
    assert figures.about_to_breach == 1  # warned; not the overdue one, nor the closed one
    assert figures.breached_open == 1
    assert figures.unassigned == 3
    assert figures.unassigned_late == 1  # Friday 09:59; Friday 10:01 and Saturday not yet


def test_it_counts_a_working_day_in_each_contracts_calendar(manager: User) -> None:
    every_day = BusinessCalendarFactory(
        hours={str(day): [["09:00", "17:00"]] for day in range(7)}, country=""
    )
    level = {
        "service_level": "impact-urgency-nl-office-hours",
        "priority_scheme": "impact-urgency-p1-p5",
        "starts_on": datetime.date(2025, 1, 1),
    }
    weekdays = ContractFactory(**level)
    weekends_too = ContractFactory(**level, calendar=every_day)
    report(weekdays, ams(2026, 3, 7, 12), "p3")  # Saturday: not a working day later
    report(weekends_too, ams(2026, 3, 7, 12), "p3")  # one: Sunday 10:00 is a working day
    report(weekends_too, ams(2026, 3, 8, 11), "p3")  # Sunday 11:00: not yet

    figures = figures_of(manager, now=MONDAY)

    assert (figures.unassigned, figures.unassigned_late) == (3, 1)


def test_it_counts_tickets_without_a_contract_in_the_desks_calendar(manager: User) -> None:
    requester = ContactFactory()  # an organisation without a contract
    old = services.ticket_create(
        requester=requester, title="Old question", kind="question", now=ams(2026, 3, 5, 9)
    )
    services.ticket_create(
        requester=requester, title="New question", kind="question", now=ams(2026, 3, 9, 9)
    )
    assert old.contract_id is None

    figures = figures_of(manager, now=MONDAY)

    assert (figures.unassigned, figures.unassigned_late) == (2, 1)


@pytest.fixture
def missed_at_midnight(p_contract: Contract) -> dict[str, Ticket]:
    """Clocks around midnight of Tuesday 10 March 2026 (UTC), i.e. 01:00 Wednesday in
    Amsterdam; "now" is 23:30 UTC, 00:30 Wednesday in Amsterdam."""
    late = report(p_contract, ams(2026, 3, 2, 9), kind="question")
    clock(late, "first_response", state="running", due_at=utc(2026, 3, 10, 23, 10))
    clock(late, "restore", state="breached", due_at=utc(2026, 3, 10, 23, 5))
    evening = report(p_contract, ams(2026, 3, 2, 9), kind="question")
    clock(evening, "first_response", state="breached", due_at=utc(2026, 3, 10, 22, 50))
    met = report(p_contract, ams(2026, 3, 2, 9), kind="question")
    clock(
        met, "first_response", state="met", due_at=utc(2026, 3, 10, 23), met_at=utc(2026, 3, 10, 22)
    )
    coming = report(p_contract, ams(2026, 3, 2, 9), kind="question")
    clock(coming, "first_response", state="running", due_at=utc(2026, 3, 10, 23, 45))
    yesterday = report(p_contract, ams(2026, 3, 2, 9), kind="question")
    clock(yesterday, "first_response", state="breached", due_at=utc(2026, 3, 9, 23, 50))
    return {"late": late, "evening": evening}


@pytest.mark.parametrize(
    ("time_zone", "day", "misses", "tickets"),
    [
        # Amsterdam's Wednesday began at 23:00 UTC: the two misses of `late` only.
        ("Europe/Amsterdam", 11, 2, 1),
        # UTC's Tuesday: `evening` (22:50) too, but not Monday's 23:50.
        ("UTC", 10, 3, 2),
    ],
)
def test_it_counts_the_targets_missed_today_in_the_viewers_time_zone(
    missed_at_midnight: dict[str, Ticket], time_zone: str, day: int, misses: int, tickets: int
) -> None:
    viewer = StaffFactory(role=StaffRole.SERVICE_MANAGER, time_zone=time_zone)
    now = utc(2026, 3, 10, 23, 30)

    figures = figures_of(viewer, now=now)

    assert figures.today.first_day == datetime.date(2026, 3, day)
    assert (figures.missed_today, figures.missed_today_tickets) == (misses, tickets)
    # The same as the "missed" column of today's compliance report, which it links to.
    reader = ReportReader(organisation_id=None, internal=True, time_zone=time_zone)
    day = period_between(figures.today.first_day, figures.today.first_day, time_zone=time_zone)
    full = compliance_report(reader, period=day, scope=Scope(), now=now)
    assert sum(row.missed for row in (*full.customer_facing, *full.internal)) == misses


def test_it_follows_a_ticket_through_its_warning_and_breach(
    p_contract: Contract, manager: User
) -> None:
    # A P1 incident at 09:00 on Tuesday 10 March: reaction due 10:00 (warning 09:45),
    # restore due 13:00 (warning 12:00).
    report(p_contract, ams(2026, 3, 10, 9), "p1")

    before = figures_of(manager, now=ams(2026, 3, 10, 9, 30))
    warned = figures_of(manager, now=ams(2026, 3, 10, 9, 50))
    overdue = figures_of(manager, now=ams(2026, 3, 10, 10, 30))  # the sweep has not run
    sla_sweep(now=ams(2026, 3, 10, 10, 30))
    swept = figures_of(manager, now=ams(2026, 3, 10, 10, 30))
    restore_warned = figures_of(manager, now=ams(2026, 3, 10, 12, 30))

    summary = [
        (f.about_to_breach, f.missed_today, f.breached_open)
        for f in (before, warned, overdue, swept, restore_warned)
    ]
    assert summary == [(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 1, 1), (1, 1, 1)]


def test_it_shows_the_running_months_customer_targets_against_their_objectives(
    p_contract: Contract, saas_contract: Contract, manager: User, agent: User
) -> None:
    late = report(p_contract, ams(2026, 3, 2, 9), "p2")
    reply = "We are looking into it."
    services.ticket_add_message(ticket=late, body=reply, author=agent, now=ams(2026, 3, 2, 15))
    services.ticket_add_message(
        ticket=late, body="Workaround.", author=agent, workaround=True, now=ams(2026, 3, 3, 16)
    )
    quick = report(p_contract, ams(2026, 3, 4, 9), "p2")
    services.ticket_add_message(
        ticket=quick, body="Workaround.", author=agent, workaround=True, now=ams(2026, 3, 4, 9, 30)
    )
    report(saas_contract, ams(2026, 3, 4, 9), "high")  # with internal targets
    report(p_contract, ams(2026, 2, 24, 9), "p2")  # February's: missed in February

    figures = figures_of(manager, now=ams(2026, 3, 4, 11))

    assert figures.month.code == "2026-03"
    rows = {(row.key, row.priority): row for row in figures.compliance}
    assert not any(row.internal for row in figures.compliance)
    reaction, restore = rows["first_response", "p2"], rows["restore", "p2"]
    assert (reaction.met, reaction.missed, reaction.share_percent) == (1, 1, 50.0)
    assert reaction.verdict is Verdict.NOT_MET  # 100%: lost with one miss
    assert (restore.met, restore.missed, restore.objective_percent) == (1, 1, 95.0)
    assert restore.verdict is Verdict.NOT_YET_DECIDABLE  # the month runs


def test_it_counts_this_months_survey_answers_and_their_tnps(
    p_contract: Contract, manager: User
) -> None:
    def answer(score: int, at: datetime.datetime) -> None:
        ticket = report(p_contract, at - 2 * HOUR, "p3")
        survey = Survey.objects.create(
            ticket=ticket, contact=ticket.requester, language="en", sent_at=at - HOUR
        )
        SurveyAnswer.objects.create(survey=survey, score=score, answered_at=at)

    for score in (10, 9, 3):
        answer(score, ams(2026, 3, 12, 14))
    answer(0, ams(2026, 2, 27, 14))  # last month
    answer(10, ams(2026, 4, 1, 0, 30))  # next month in Amsterdam (still March in UTC)

    figures = figures_of(manager, now=ams(2026, 3, 31, 23))

    result = figures.satisfaction
    assert (result.count, result.promoters, result.detractors) == (3, 2, 1)
    assert result.tnps == 33


def test_it_counts_every_teams_tickets_for_a_team_lead_or_one_teams(
    p_contract: Contract, lead: User
) -> None:
    mine, other = TeamFactory(lead=lead), TeamFactory()
    ours = report(p_contract, ams(2026, 3, 5, 9), "p2")
    theirs = report(p_contract, ams(2026, 3, 5, 9), "p3")
    stored(ours, team=mine)
    stored(theirs, team=other)
    clock(theirs, "first_response", state="breached", due_at=MONDAY - HOUR)

    desk = figures_of(lead, now=MONDAY)
    own = figures_of(lead, now=MONDAY, team_id=mine.pk)
    their = figures_of(lead, now=MONDAY, team_id=other.pk)

    assert (desk.open, own.open, their.open) == (2, 1, 1)
    assert [p.priority for p in own.by_priority] == ["p2"]
    assert (desk.missed_today, own.missed_today, their.missed_today) == (1, 0, 1)


def test_it_recounts_the_months_compliance_once_a_minute(
    p_contract: Contract, manager: User, agent: User
) -> None:
    def answered(at: datetime.datetime) -> None:
        ticket = report(p_contract, at, "p2")
        services.ticket_add_message(ticket=ticket, body="Hello.", author=agent, now=at + HOUR)

    answered(ams(2026, 3, 2, 9))
    with time_machine.travel(ams(2026, 3, 4, 11), tick=False) as clock_:
        first = figures_of(manager, now=ams(2026, 3, 4, 11))
        answered(ams(2026, 3, 3, 9))
        cached = figures_of(manager, now=ams(2026, 3, 4, 11))
        clock_.shift(datetime.timedelta(seconds=COMPLIANCE_SECONDS + 1))
        recounted = figures_of(manager, now=ams(2026, 3, 4, 11, 1))

    def met(figures: Dashboard) -> int:
        return {(r.key, r.priority): r.met for r in figures.compliance}["first_response", "p2"]

    assert (met(first), met(cached), met(recounted)) == (1, 1, 2)
    assert (first.open, cached.open) == (1, 2)  # the live counts are counted every time
