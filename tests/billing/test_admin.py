"""Bundles in the admin (a list of their own); saving one settles the
contract's credit again, and only service managers and administrators change them."""

import datetime

import pytest

from servicedesk.billing import services
from servicedesk.billing.models import CreditBundle
from tests.billing.conftest import Desk
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 14, tzinfo=datetime.UTC)


def test_a_bundle_added_in_the_admin_takes_the_work_beyond_the_credit(desk: Desk) -> None:
    entry = services.time_entry_create(
        actor=desk.agent,
        ticket=desk.ticket,
        minutes=90,
        worked_on=datetime.date(2026, 3, 10),
        activity="consulting",
        billable=True,
        now=NOW,
    )
    assert entry.overuse_minutes == 90  # no bundle yet
    manager = login(desk.manager)
    assert manager.get("/admin/billing/creditbundle/add/").status_code == 200
    form = {
        "contract": desk.contract.pk,
        "kind": "credit",
        "name": "Credit 2026",
        "hours": "1",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
    }
    assert login(desk.agent).post("/admin/billing/creditbundle/add/", form).status_code == 403
    answer = manager.post("/admin/billing/creditbundle/add/", form)
    assert answer.status_code == 302, answer.content
    entry.refresh_from_db()
    assert entry.overuse_minutes == 30
    assert CreditBundle.objects.get().consumptions.get().minutes == 60
