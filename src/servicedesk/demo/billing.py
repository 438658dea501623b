"""Demo time tracking and credit: bundles on the customers' contracts, time on tickets.

`seed_billing(now=...)` gives each active contract that has none a basic service bundle
for the year and a credit bundle bought three months ago, then logs one to three entries
on each ticket the desk has worked on (one with an assignee), as its assignee, through the
billing services (so consumption, over-use and the 80% and exhaustion alerts happen as in
real life). Billable as the ticket's coverage decision says, else one ticket in three.
Running it twice adds nothing: contracts with bundles and tickets with time are left
alone. Call it after the demo's tickets are made and before the demo marks what it
notified as sent.
"""

import datetime
import random
import zlib
from decimal import Decimal

from django.utils import timezone

from servicedesk.billing.models import Activity, BundleKind, CreditBundle
from servicedesk.billing.services import credit_bundles_changed, time_entry_create
from servicedesk.contracts.models import Contract
from servicedesk.coverage.selectors import ticket_billable
from servicedesk.tickets.models import Ticket

NOTES = (
    "Reproduced with the customer's data.",
    "Walked the key user through the settings.",
    "Checked the logs of the night run.",
    "",
)
ACTIVITIES = (Activity.ANALYSIS, Activity.CONSULTING, Activity.COMMUNICATION, Activity.TESTING)


def _bundles(contract: Contract, today: datetime.date) -> None:
    year = datetime.date(today.year, 1, 1)
    bought = today - datetime.timedelta(days=90)
    CreditBundle.objects.bulk_create(
        [
            CreditBundle(
                contract=contract,
                kind=BundleKind.BASIC,
                name=f"Basic service bundle {today.year}",
                hours=Decimal(8),
                valid_from=year,
                valid_to=datetime.date(today.year, 12, 31),
            ),
            CreditBundle(
                contract=contract,
                kind=BundleKind.CREDIT,
                name=f"Credit bundle {bought:%Y-%m}",
                hours=Decimal(6),
                valid_from=bought,
                valid_to=bought + datetime.timedelta(days=365),
            ),
        ]
    )


def seed_billing(*, now: datetime.datetime | None = None, seed: int = 2026) -> int:
    """Add the demo's bundles and time as described above; return the entries logged."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    for contract in Contract.objects.filter(active=True, credit_bundles__isnull=True):
        _bundles(contract, today)
        credit_bundles_changed(contract=contract, now=now)
    logged = 0
    tickets = (
        Ticket.objects.filter(
            assignee__isnull=False, created_at__lte=now, time_entries__isnull=True
        )
        .select_related("assignee", "contract")
        .order_by("created_at", "pk")
    )
    for ticket in tickets:
        assert ticket.assignee is not None
        rng = random.Random(zlib.crc32(f"{seed}:{ticket.number}".encode()))  # noqa: S311
        billable = ticket_billable(ticket) or rng.random() < 1 / 3
        for _ in range(rng.randint(1, 3)):
            day = timezone.localdate(ticket.created_at) + datetime.timedelta(days=rng.randint(0, 3))
            time_entry_create(
                actor=ticket.assignee,
                ticket=ticket,
                minutes=rng.choice((15, 30, 45, 60, 90, 120)),
                worked_on=min(day, today),
                activity=rng.choice(ACTIVITIES),
                billable=billable,
                note=rng.choice(NOTES),
                now=now,
            )
            logged += 1
    return logged
