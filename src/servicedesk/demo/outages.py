"""Demo outage communication (seed 003): a notice from last week and one happening now.

`seed_outages(now=...)` writes, the same way every run (once any notice exists it does
nothing, so running the demo twice adds nothing):
- last week's notice about the most reported product: published, one update, resolved
  with its cause, closed 4 hours later (the status page's history, the outage report);
- a current notice about the same product, published 40 minutes ago by the team lead with
  an update since; the open incidents about the product (up to five) are linked to it, so
  the desk and the portal show the banner, the notice on each ticket, and the update posted
  on their conversations; its next update is due within the 2 hours promised;
- one contact subscribed to notices of all their products.
Everything goes through the outage services and the worker's fan-out, as in production.
Call it after the demo's tickets are made and before the demo marks what it notified as sent.
"""

import datetime

from django.db.models import Count
from django.utils import timezone

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.catalog.models import Product
from servicedesk.outages import services
from servicedesk.outages.fanout import fanouts_run, outages_run
from servicedesk.outages.models import Outage, OutageState
from servicedesk.tickets.models import OPEN, Kind, Ticket

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


def _product() -> Product | None:
    """Return the product with the most open incidents."""
    row = (
        Ticket.objects.filter(OPEN, kind=Kind.INCIDENT, product__isnull=False)
        .values("product_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "product_id")
        .first()
    )
    return None if row is None else Product.objects.get(pk=row["product_id"])


def seed_outages(*, now: datetime.datetime | None = None) -> int:
    """Write the demo's notices as described above; return how many tickets were linked."""
    now = now or timezone.now()
    if Outage.objects.exists():
        return 0
    lead = User.objects.filter(role=StaffRole.TEAM_LEAD, is_active=True).order_by("pk").first()
    agent = User.objects.filter(role=StaffRole.AGENT, is_active=True).order_by("pk").first()
    product = _product()
    if lead is None or agent is None or product is None:
        return 0

    # Last week: published, updated, resolved, closed.
    start = now - 7 * 24 * HOUR
    past = services.outage_create(
        actor=lead,
        title=f"{product.name}: reports do not load",
        products=[product],
        started_at=start - 10 * MINUTE,
        symptoms="Opening a report shows a spinning wheel; after a minute an error appears.",
        manager=lead,
        now=start,
    )
    services.outage_update_post(
        actor=lead,
        outage=past,
        text="The cause is found in the report server; a fix is being tested.",
        state=OutageState.IDENTIFIED,
        now=start + HOUR,
    )
    services.outage_update_post(
        actor=lead,
        outage=past,
        text="Reports load again. Thank you for your patience.",
        state=OutageState.RESOLVED,
        cause="A routine maintenance job on the report server ran during office hours and "
        "kept it busy; it now runs at night.",
        now=start + 2 * HOUR + 30 * MINUTE,
    )
    fanouts_run(now=start + 2 * HOUR + 31 * MINUTE)
    outages_run(now=start + 7 * HOUR)  # closes it 4 hours after the solution

    # Now: a current notice with the open incidents about the product linked.
    current = services.outage_create(
        actor=lead,
        title=f"{product.name}: saving fails for some users",
        products=[product],
        started_at=now - 50 * MINUTE,
        symptoms="Saving a change ends with the message 'Could not save, try again later'.",
        manager=lead,
        now=now - 40 * MINUTE,
    )
    tickets = list(
        Ticket.objects.filter(OPEN, kind=Kind.INCIDENT, product=product).order_by("-created_at")[:5]
    )
    linked = services.outage_tickets_link(
        actor=agent, outage=current, tickets=tickets, now=now - 30 * MINUTE
    )
    services.outage_update_post(
        actor=lead,
        outage=current,
        text="Development found the cause in last night's update and is preparing a fix.",
        state=OutageState.IDENTIFIED,
        now=now - 10 * MINUTE,
    )
    fanouts_run(now=now - 9 * MINUTE)
    subscriber = (
        Contact.objects.filter(active=True, is_cpc=False, user__isnull=False).order_by("pk").first()
    )
    if subscriber is not None:
        services.outage_subscribe(actor=None, contact=subscriber, now=now)
    return linked
