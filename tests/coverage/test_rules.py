"""The desk's suggestion of who pays (seeds 000 and 004), from the facts alone."""

import datetime

import pytest

from servicedesk.contracts.models import Contract, Coverage, RequestType
from servicedesk.coverage.models import Decision
from servicedesk.coverage.rules import Facts, coverage_suggest

WARRANTY_ENDS = datetime.date(2026, 6, 30)


def contract(**fields: object) -> Contract:
    values: dict[str, object] = {
        "coverage": Coverage.STANDARD,
        "warranty_ends_on": WARRANTY_ENDS,
        **fields,
    }
    return Contract(**values)


def facts(request_type: str, **changes: object) -> Facts:
    values: dict[str, object] = {
        "request_type": request_type,
        "reproducible": True,
        "against_specification": True,
        "not_as_is": True,
        "reported_on": WARRANTY_ENDS,
        **changes,
    }
    return Facts(**values)  # type: ignore[arg-type]


def test_it_puts_a_customisation_defect_within_warranty_at_the_vendors_cost() -> None:
    suggestion = coverage_suggest(
        contract=contract(), facts=facts(RequestType.CUSTOMISATION_DEFECT)
    )
    assert suggestion.decision == Decision.WARRANTY
    assert "2026-06-30" in suggestion.reason


def test_it_bills_a_customisation_defect_reported_after_the_warranty() -> None:
    late = facts(RequestType.CUSTOMISATION_DEFECT, reported_on=datetime.date(2026, 7, 1))
    suggestion = coverage_suggest(contract=contract(), facts=late)
    assert suggestion.decision == Decision.BILLABLE
    assert "after the warranty" in suggestion.reason


@pytest.mark.parametrize(
    ("fact", "named"),
    [
        ("reproducible", "reproducible"),
        ("against_specification", "specification"),
        ("not_as_is", "'as is'"),
    ],
)
def test_it_gives_no_warranty_without_each_of_the_three_facts(fact: str, named: str) -> None:
    suggestion = coverage_suggest(
        contract=contract(), facts=facts(RequestType.CUSTOMISATION_DEFECT, **{fact: False})
    )
    assert suggestion.decision == Decision.BILLABLE
    assert named in suggestion.reason


def test_it_gives_no_warranty_under_a_contract_without_a_warranty_period() -> None:
    no_warranty = Contract(coverage=Coverage.FULL, warranty_ends_on=None)
    suggestion = coverage_suggest(
        contract=no_warranty, facts=facts(RequestType.CUSTOMISATION_DEFECT)
    )
    assert suggestion.decision == Decision.BILLABLE


@pytest.mark.parametrize(
    "request_type",
    [
        RequestType.TRAINING,
        RequestType.CUSTOMISATION_WORK,
        RequestType.DATA_MODIFICATION,
        RequestType.LICENCE_INSTALLATION,
        RequestType.COMPANY_COPY,
        RequestType.CONSULTING,
    ],
)
def test_it_bills_what_seed_004_puts_outside_maintenance(request_type: str) -> None:
    suggestion = coverage_suggest(contract=contract(), facts=facts(request_type))
    assert suggestion.decision == Decision.BILLABLE


def test_it_covers_what_the_contract_takes_off_its_billable_list() -> None:
    generous = contract(billable_request_types=[RequestType.CONSULTING])
    suggestion = coverage_suggest(contract=generous, facts=facts(RequestType.TRAINING))
    assert suggestion.decision == Decision.COVERED


def test_it_covers_a_user_error_unless_the_contract_lists_it() -> None:
    assert (
        coverage_suggest(contract=contract(), facts=facts(RequestType.USER_ERROR)).decision
        == Decision.COVERED
    )
    strict = contract(billable_request_types=[RequestType.USER_ERROR])
    assert (
        coverage_suggest(contract=strict, facts=facts(RequestType.USER_ERROR)).decision
        == Decision.BILLABLE
    )


def test_it_covers_a_defect_in_the_standard_software() -> None:
    suggestion = coverage_suggest(contract=contract(), facts=facts(RequestType.DEFECT))
    assert suggestion.decision == Decision.COVERED


def test_it_bills_everything_under_a_contract_without_maintenance() -> None:
    none = contract(coverage=Coverage.NONE)
    suggestion = coverage_suggest(contract=none, facts=facts(RequestType.DEFECT))
    assert suggestion.decision == Decision.BILLABLE
    assert "no maintenance" in suggestion.reason


def test_it_bills_a_ticket_without_a_contract() -> None:
    suggestion = coverage_suggest(contract=None, facts=facts(RequestType.QUESTION))
    assert suggestion.decision == Decision.BILLABLE
