"""The demo's outages: a closed notice from last week and a current one with tickets."""

import pytest
from django.utils import timezone

from servicedesk.demo.outages import seed_outages
from servicedesk.outages.models import Outage, OutageDelivery, OutageState
from tests.factories import make_ticket
from tests.outages.factories import world

pytestmark = pytest.mark.django_db


def test_it_seeds_a_past_and_a_current_notice_once() -> None:
    w = world()
    tickets = [make_ticket(requester=w.user_a, product=w.payroll) for _ in range(3)]
    make_ticket(requester=w.user_b, product=w.other)
    now = timezone.now()
    assert seed_outages(now=now) == 3
    past, current = Outage.objects.order_by("started_at")
    assert past.state == OutageState.CLOSED and past.cause
    assert current.state == OutageState.IDENTIFIED
    assert current.next_update_due_at is not None and current.next_update_due_at > now
    latest = current.updates.filter(public=True).order_by("-at").first()
    assert latest is not None
    assert sorted(
        OutageDelivery.objects.filter(update=latest).values_list("ticket_id", flat=True)
    ) == sorted(t.pk for t in tickets)
    assert seed_outages(now=now) == 0  # a second run adds nothing
    assert Outage.objects.count() == 2
