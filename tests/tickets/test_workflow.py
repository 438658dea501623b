"""The state machine is pure: no database, no Django models saved."""

import pytest

from servicedesk.tickets import workflow
from servicedesk.tickets.models import Kind, Status
from servicedesk.tickets.workflow import Requirement, allowed_targets, refusal, requirement


def test_it_lists_the_targets_of_a_new_ticket_in_status_order() -> None:
    assert allowed_targets(Status.NEW, Kind.INCIDENT) == [
        Status.IN_PROGRESS,
        Status.WAITING_ON_CUSTOMER,
        Status.SOLUTION_OFFERED,
        Status.CLOSED,
    ]


def test_it_offers_parking_only_to_change_requests() -> None:
    assert Status.PARKED in allowed_targets(Status.IN_PROGRESS, Kind.CHANGE_REQUEST)
    for kind in Kind:
        if kind != Kind.CHANGE_REQUEST:
            assert Status.PARKED not in allowed_targets(Status.IN_PROGRESS, kind)


def test_it_lets_a_closed_ticket_only_reopen() -> None:
    assert allowed_targets(Status.CLOSED, Kind.INCIDENT) == [Status.REOPENED]


def test_it_never_offers_the_current_status() -> None:
    for status in Status:
        for kind in Kind:
            assert status not in allowed_targets(status, kind)


def test_it_accepts_plain_strings() -> None:
    assert allowed_targets("waiting_on_supplier", "incident") == [
        Status.IN_PROGRESS,
        Status.SOLUTION_OFFERED,
        Status.CLOSED,
    ]


def test_it_raises_for_an_unknown_current_status() -> None:
    with pytest.raises(ValueError, match="nonsense"):
        allowed_targets("nonsense", Kind.INCIDENT)


def test_it_allows_every_listed_move() -> None:
    for status in Status:
        for target in allowed_targets(status, Kind.CHANGE_REQUEST):
            assert refusal(status, target, Kind.CHANGE_REQUEST) is None


def test_it_refuses_the_same_status() -> None:
    assert refusal(Status.IN_PROGRESS, Status.IN_PROGRESS, Kind.INCIDENT) == (
        "the ticket is already In progress"
    )


def test_it_refuses_a_forbidden_move() -> None:
    assert refusal(Status.CLOSED, Status.IN_PROGRESS, Kind.INCIDENT) == (
        "a ticket cannot go from Closed to In progress"
    )


def test_it_refuses_parking_an_incident() -> None:
    assert refusal(Status.IN_PROGRESS, Status.PARKED, Kind.INCIDENT) == (
        "a ticket cannot go from In progress to Parked"
    )


def test_it_refuses_an_unknown_target() -> None:
    assert refusal(Status.NEW, "escalated", Kind.INCIDENT) == "unknown status 'escalated'"


def test_it_needs_a_note_to_close_or_offer_a_solution() -> None:
    assert requirement(Status.CLOSED) == Requirement(note=True)
    assert requirement(Status.SOLUTION_OFFERED) == Requirement(note=True)


def test_it_needs_the_supplier_to_wait_on_one() -> None:
    assert requirement(Status.WAITING_ON_SUPPLIER) == Requirement(supplier=True)


def test_it_needs_nothing_else_for_other_moves() -> None:
    for status in (Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER, Status.PARKED, Status.REOPENED):
        assert requirement(status) == Requirement()


def test_it_gives_every_status_a_row_in_the_table() -> None:
    assert set(workflow.TRANSITIONS) == set(Status)
