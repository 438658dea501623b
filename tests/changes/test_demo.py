"""The demo's change proposals: written once, on the parked change requests."""

import pytest

from servicedesk.changes import services
from servicedesk.changes.models import Proposal, ProposalState
from servicedesk.demo.changes import seed_demo
from tests.automation.helpers import at, local
from tests.changes.conftest import MONDAY, World, change_request

pytestmark = pytest.mark.django_db


def test_it_writes_the_demo_proposals_once(world: World) -> None:
    with at(MONDAY):
        for n in range(4):
            services.change_park(
                ticket=change_request(world, title=f"Change {n}"), actor=world.agent
            )
    now = local(2026, 3, 4, 12)
    with at(now):
        assert seed_demo(now=now) == 4
        assert seed_demo(now=now) == 0
    states = sorted(Proposal.objects.values_list("state", flat=True))
    assert states == sorted(
        [
            ProposalState.PENDING,
            ProposalState.PLANNED,
            ProposalState.SUPERSEDED,
            ProposalState.PENDING,
        ]
    )
