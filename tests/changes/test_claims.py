"""Exactly once: two ticks at the same moment remind once; a claim lost is left alone."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from servicedesk.automation.models import Notification, Rule
from servicedesk.changes import services
from servicedesk.changes.models import Proposal
from tests.automation.helpers import at, local
from tests.changes.conftest import MONDAY, World, change_request

THURSDAY = local(2026, 3, 5, 10, 30)


def pending(world: World) -> Proposal:
    with at(MONDAY):
        ticket = change_request(world)
        return services.proposal_create(
            ticket=ticket, actor=world.agent, scope="Export.", estimate_hours=Decimal("2")
        )


@pytest.mark.django_db
def test_it_reminds_once_when_two_ticks_look_at_the_same_moment(world: World) -> None:
    proposal = pending(world)
    first = services.proposals_due_run(now=THURSDAY)
    second = services.proposals_due_run(now=THURSDAY)
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(rule=Rule.PROPOSAL_REMINDER).count() == 3
    proposal.refresh_from_db()
    assert proposal.reminded_at == THURSDAY


@pytest.mark.django_db
def test_it_leaves_a_step_another_worker_claimed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal = pending(world)
    real = services._look

    def claimed_meanwhile(pk: int, **kwargs: object) -> int:
        # Another worker reminded between our read of the due rows and our claim.
        Proposal.objects.filter(pk=pk).update(
            reminded_at=THURSDAY, next_look_at=proposal.answer_due_at
        )
        return real(pk, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "_look", claimed_meanwhile)
    assert services.proposals_due_run(now=THURSDAY) == 0
    assert not Notification.objects.filter(rule=Rule.PROPOSAL_REMINDER).exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_it_reminds_once_from_two_threads(world: World) -> None:
    pending(world)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            results.append(services.proposals_due_run(now=THURSDAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(rule=Rule.PROPOSAL_REMINDER).count() == 3
