"""Demo data: a software vendor's service desk with staff, five customers and their tickets.

`run_demo()` creates it all (the `servicedesk demo` command calls it). Reference data is
fetched or created on natural keys and tickets are only generated while the demo customers
have none, so running it again creates nothing. The output is deterministic for a seed,
relative to `now`.

- `data`: the vendor, staff, teams, suppliers and customers (one per seed procedure);
- `templates`, `conversation`: what customers report and what is said, in nl, en and fr;
- `reference`: creates the reference rows;
- `plans`, `stories`: plan each ticket, then tell its story through the ticket services;
- `changes`, `coverage`, `billing`, `outages`: change proposals at several stages, coverage
  decisions, time logged against credit bundles, and a current and a past outage notice.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from servicedesk.automation.models import Notification
from servicedesk.automation.tick import tick
from servicedesk.demo import billing as billing_demo
from servicedesk.demo import changes as changes_demo
from servicedesk.demo import coverage as coverage_demo
from servicedesk.demo import outages as outages_demo
from servicedesk.demo.reference import Login, build_desk
from servicedesk.demo.stories import generate_tickets
from servicedesk.mail.models import OutboundMail
from servicedesk.reports import demo as reports_demo
from servicedesk.servicelevels import demo as servicelevels_demo
from servicedesk.surveys import demo as surveys_demo
from servicedesk.tickets.models import Ticket

DEFAULT_SEED = 2024
DEFAULT_TICKETS = 300


@dataclass(frozen=True)
class DemoResult:
    """What a demo run made: the logins to print and how many tickets it created."""

    logins: list[Login]
    organisations: int
    contacts: int
    staff: int
    tickets_created: int
    tickets_existing: int


def run_demo(
    *,
    tickets: int = DEFAULT_TICKETS,
    seed: int = DEFAULT_SEED,
    now: datetime.datetime | None = None,
) -> DemoResult:
    """Create the demo desk (or find it) and return what was made, in one transaction."""
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 -- reproducible demo data, not security
    with transaction.atomic():
        desk = build_desk(today=timezone.localdate(now))
        organisations = [c.organisation for c in desk.customers]
        existing = Ticket.objects.filter(organisation__in=organisations).count()
        # A service level edited once: its two versions side by side in the admin.
        servicelevels_demo.seed_demo(now=now)
        created = 0
        if existing == 0 and tickets > 0:
            created = len(generate_tickets(desk, count=tickets, rng=rng, now=now))
            # Bring the desk to now: clocks, reminders and closes that came due in the
            # invented history. What it notified lies in the past: count it as sent.
            for _ in range(100):  # a bound, in case something keeps asking to be looked at
                report = tick(now=now)
                if not (report.actions or report.sla):
                    break
            # The service-level examples of the seeds (a quarter at the 003 customer, a
            # month at the 001 customer) and answers to the surveys the closes sent.
            reports_demo.seed_demo(now=now)
            surveys_demo.seed_demo(now=now)
            # Change proposals, who pays, the time logged against credit, and outages.
            changes_demo.seed_demo(now=now)
            coverage_demo.seed_demo(now=now)
            billing_demo.seed_billing(now=now)
            outages_demo.seed_outages(now=now)
            tick(now=now)  # the outage's update reaches its linked tickets
            Notification.objects.filter(sent_at__isnull=True).update(
                sent_at=F("created_at"), next_attempt_at=None
            )
            OutboundMail.objects.filter(sent_at__isnull=True).update(
                sent_at=F("created_at"), next_attempt_at=None
            )
    return DemoResult(
        logins=desk.logins,
        organisations=len(organisations),
        contacts=sum(len(c.contacts) for c in desk.customers),
        staff=len(desk.staff),
        tickets_created=created,
        tickets_existing=existing,
    )


__all__ = ["DEFAULT_SEED", "DEFAULT_TICKETS", "DemoResult", "Login", "run_demo"]
