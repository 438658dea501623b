"""The demo's worked examples: a quarter of High incidents and a month of P2 incidents."""

import pytest

from servicedesk.accounts.models import Supplier
from servicedesk.contracts.models import Contract
from servicedesk.reports.compliance import Scope, Verdict, compliance_report
from servicedesk.reports.demo import seed_demo
from servicedesk.reports.models import ClockShare
from servicedesk.reports.periods import parse_period
from tests.factories import ContactFactory, StaffFactory
from tests.reports.conftest import MANAGER_READER, ams

pytestmark = pytest.mark.django_db


def test_it_tells_the_worked_examples_once(
    saas_contract: Contract, p_contract: Contract, supplier: Supplier
) -> None:
    StaffFactory()
    for contract in (saas_contract, p_contract):
        ContactFactory(organisation=contract.organisation, is_cpc=True)
    now = ams(2026, 4, 20, 12)

    assert seed_demo(now=now) == 40
    assert seed_demo(now=now) == 0

    def rows(period: str) -> dict[tuple[str, str], object]:
        report = compliance_report(
            MANAGER_READER,
            period=parse_period(period, time_zone="Europe/Amsterdam"),
            scope=Scope(),
            now=now,
        )
        return {(r.key, r.priority): r for r in report.customer_facing}

    quarter = rows("2026-Q1")
    within_24, within_48 = quarter["workaround", "high"], quarter["workaround_max", "high"]
    assert (within_24.share_percent, within_24.verdict) == (90.0, Verdict.MET)
    assert (within_48.share_percent, within_48.verdict) == (95.0, Verdict.NOT_MET)
    assert {h.holder: h.over_seconds for h in within_24.holders} == {
        "line2": 2 * 3600 + 26 * 3600,  # the 30-hour ticket's last 2, the 50-hour one's 26
        "supplier": 4 * 3600,
    }
    month = rows("2026-03")
    assert month["first_response", "p2"].verdict is Verdict.MET
    restore = month["restore", "p2"]
    assert (restore.met, restore.missed, restore.verdict) == (19, 1, Verdict.MET)
    assert ClockShare.objects.filter(holder="supplier").exists()
