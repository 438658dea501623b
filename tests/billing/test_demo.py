"""The demo's time and credit: bundles on the contracts, time on worked tickets, once."""

import datetime

import pytest
from django.utils import timezone

from servicedesk.billing.models import CreditBundle, TimeEntry
from servicedesk.demo.billing import seed_billing
from servicedesk.tickets import services as ticket_services
from tests.billing.conftest import Desk

pytestmark = pytest.mark.django_db


def test_it_adds_bundles_and_time_once_however_often_it_runs(desk: Desk) -> None:
    ticket_services.ticket_assign(ticket=desk.ticket, actor=desk.lead, assignee=desk.agent)
    now = timezone.now() + datetime.timedelta(days=1)
    first = seed_billing(now=now)
    again = seed_billing(now=now)
    assert 1 <= first == TimeEntry.objects.count() <= 3
    assert again == 0
    assert CreditBundle.objects.filter(contract=desk.contract).count() == 2
    assert all(entry.user == desk.agent for entry in TimeEntry.objects.all())
