"""The lines the demo prints about review packs."""

import pytest

from servicedesk.reviewpack.demo import demo_review_packs
from tests.reports.conftest import ams
from tests.reviewpack.conftest import Customer

pytestmark = pytest.mark.django_db


def test_it_says_where_each_cpc_finds_the_last_quarters_pack(
    customer: Customer, other_customer: Customer
) -> None:
    lines = demo_review_packs(now=ams(2026, 5, 4), site="http://desk.test")

    assert len(lines) == 2
    assert lines[0].startswith("Review pack 2026-Q1 of Bravo Freight BV: http://desk.test/desk/")
    assert f"organisation={customer.organisation.pk}&quarter=2026-Q1" in lines[1]
    assert customer.cpc.user is not None
    assert f"{customer.cpc.user.username} downloads it at http://desk.test/portal/" in lines[1]
