"""Plan the demo's tickets: how many of each kind, how each one ends, and when it began."""

import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from servicedesk.demo.reference import Customer, Desk
from servicedesk.tickets.models import Kind, Status

LOCAL = ZoneInfo("Europe/Amsterdam")
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)

# How long ago (in days) a ticket that ends in a status was created: open work is recent.
AGE_DAYS: dict[str, tuple[float, float]] = {
    Status.NEW: (0.05, 2.5),
    Status.IN_PROGRESS: (1, 20),
    Status.WAITING_ON_CUSTOMER: (2, 18),
    Status.WAITING_ON_SUPPLIER: (4, 45),
    Status.PARKED: (10, 100),
    Status.SOLUTION_OFFERED: (1, 12),
    Status.REOPENED: (6, 70),
    Status.CLOSED: (3, 118),
}
STATUS_WEIGHTS: dict[str, int] = {
    Status.CLOSED: 62,
    Status.NEW: 6,
    Status.IN_PROGRESS: 9,
    Status.WAITING_ON_CUSTOMER: 7,
    Status.WAITING_ON_SUPPLIER: 5,
    Status.SOLUTION_OFFERED: 5,
    Status.REOPENED: 3,
}
KIND_WEIGHTS: dict[str, int] = {
    Kind.INCIDENT: 45,
    Kind.QUESTION: 25,
    Kind.CHANGE_REQUEST: 12,
    Kind.APPLICATION_SERVICE: 12,
    Kind.COMPLAINT: 6,
}
PARKED_SHARE = 0.2  # of change requests: awaiting a decision (seed 001)


@dataclass
class Plan:
    """What a ticket's story will be: whose, what kind, how it ends, when it began."""

    customer: Customer
    kind: str
    status: str
    created_at: datetime.datetime
    special: str = ""  # "duplicate", "split" or "outage"
    outage: int = 0  # the outage group; its main ticket is the first of the group
    outage_main: bool = False
    forced: bool = False  # planned to show this kind in this status


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    """Return one of the keys, drawn in proportion to its weight."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def working_time(moment: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """Return the moment, or a time early next working day if it falls outside office hours."""
    local = moment.astimezone(LOCAL)
    if local.weekday() < 5 and 8 <= local.hour < 18:
        return moment
    day = local.date() if local.hour < 8 else local.date() + DAY
    while day.weekday() >= 5:
        day += DAY
    start = datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=LOCAL)
    return (start + rng.uniform(0, 150) * MINUTE).astimezone(datetime.UTC)


def created_at(status: str, rng: random.Random, now: datetime.datetime) -> datetime.datetime:
    """Return when a ticket that ends in `status` was created: a working day, office hours."""
    low, high = AGE_DAYS[status]
    day = (now - rng.uniform(low, high) * DAY).astimezone(LOCAL).date()
    while day.weekday() >= 5 and rng.random() < 0.9:  # a few arrive in the weekend
        day -= DAY
    start = datetime.datetime.combine(day, datetime.time(8), tzinfo=LOCAL)
    moment = (start + rng.uniform(0, 600) * MINUTE).astimezone(datetime.UTC)
    return min(moment, now - rng.uniform(20, 240) * MINUTE)


def plan_tickets(
    desk: Desk, *, count: int, rng: random.Random, now: datetime.datetime
) -> list[Plan]:
    """Return `count` plans in order of creation: every kind in every status it can reach."""
    customers = desk.customers
    weights = [c.spec.weight for c in customers]

    def customer() -> Customer:
        return rng.choices(customers, weights=weights)[0]

    plans = [
        Plan(customer(), kind, status, created_at(status, rng, now), forced=True)
        for kind in Kind
        for status in Status
        if status != Status.PARKED or kind == Kind.CHANGE_REQUEST
    ]
    # Two outages hit every hosted customer (DOMAIN §9): an old one, solved, and a fresh one.
    hosted = [c for c in customers if any(p.code == "hosting" for p in c.products)]
    outages = [(rng.uniform(35, 80), Status.CLOSED), (rng.uniform(0.3, 1.5), Status.IN_PROGRESS)]
    for group, (days_ago, ending) in enumerate(outages, start=1):
        start = min(working_time(now - days_ago * DAY, rng), now - 90 * MINUTE)
        for index, hit in enumerate(hosted):
            main = index == 0
            final = Status.WAITING_ON_SUPPLIER if main and ending != Status.CLOSED else ending
            moment = start + index * rng.uniform(4, 15) * MINUTE
            plans.append(Plan(hit, Kind.INCIDENT, final, moment, "outage", group, main))
    while len(plans) < count:
        kind = weighted(rng, KIND_WEIGHTS)
        status = weighted(rng, STATUS_WEIGHTS)
        if kind == Kind.CHANGE_REQUEST and rng.random() < PARKED_SHARE:
            status = Status.PARKED
        plans.append(Plan(customer(), kind, status, created_at(status, rng, now)))
    plans = plans[:count]
    plans.sort(key=lambda p: p.created_at)
    _pick_duplicates_and_splits(plans, count=count, rng=rng, now=now)
    return plans


def _pick_duplicates_and_splits(
    plans: list[Plan], *, count: int, rng: random.Random, now: datetime.datetime
) -> None:
    """Make a few ordinary plans duplicates or split-off questions of an earlier ticket."""
    seen: set[str] = set()
    candidates = []
    for plan in plans:
        code = plan.customer.organisation.code
        if code in seen and not plan.special:
            candidates.append(plan)
        seen.add(code)
    closed = [p for p in candidates if p.status == Status.CLOSED and p.created_at < now - 5 * DAY]
    for plan in rng.sample(closed, min(len(closed), max(1, count // 40))):
        plan.special = "duplicate"
    # A split-off question changes the plan's kind, so it never takes a plan that shows
    # a kind in a status.
    others = [
        p
        for p in candidates
        if not p.special and not p.forced and p.status not in (Status.NEW, Status.PARKED)
    ]
    for plan in rng.sample(others, min(len(others), max(1, count // 50))):
        plan.special, plan.kind = "split", Kind.QUESTION
