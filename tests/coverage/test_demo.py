"""The demo's coverage decisions: made once, as the module says."""

import pytest

from servicedesk.coverage.models import Agreement, CoverageDecision, Decision
from servicedesk.demo import run_demo
from servicedesk.demo.coverage import seed_demo


@pytest.mark.django_db
def test_it_decides_the_demo_tickets_once() -> None:
    run_demo(tickets=120)  # which calls seed_demo
    decided = CoverageDecision.objects.count()
    assert decided >= 3
    at_precimeca = CoverageDecision.objects.filter(ticket__contract__reference="KS-2024-0005")
    assert at_precimeca.filter(agreement=Agreement.AWAITING).exists()
    assert at_precimeca.filter(agreement=Agreement.AGREED).exists()
    billable = at_precimeca.filter(decision=Decision.BILLABLE).first()
    assert billable is not None and billable.notice is not None
    assert seed_demo() == 0
    run_demo(tickets=120)
    assert CoverageDecision.objects.count() == decided
