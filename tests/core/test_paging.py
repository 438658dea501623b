"""`ui.paging.window`: pages of a list without counting it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.accounts.models import Contact, Organisation
from servicedesk.ui.paging import MAX_PAGE, window

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts() -> list[Contact]:
    organisation = Organisation.objects.create(name="Paging", code="paging")
    return [
        Contact.objects.create(organisation=organisation, name=f"C{i:02d}", email=f"c{i}@p.example")
        for i in range(7)
    ]


def names(rows: object) -> list[str]:
    return [contact.name for contact in rows]  # type: ignore[attr-defined]


def test_it_reads_one_row_more_than_it_shows_and_never_counts(contacts: list[Contact]) -> None:
    rows = Contact.objects.order_by("name")
    with CaptureQueriesContext(connection) as queries:
        first = window(rows, 3, None)
    assert len(queries) == 1
    assert "COUNT(" not in queries[0]["sql"].upper()
    assert names(first.object_list) == ["C00", "C01", "C02"]
    assert (first.number, first.has_next, first.has_previous()) == (1, True, False)
    assert first.next_page_number() == 2


def test_the_last_page_has_no_next(contacts: list[Contact]) -> None:
    last = window(Contact.objects.order_by("name"), 3, "3")
    assert names(last.object_list) == ["C06"]
    assert (last.has_next, last.has_previous(), last.previous_page_number()) == (False, True, 2)
    assert last.has_other_pages()


def test_a_list_that_fits_on_one_page_has_no_other_pages(contacts: list[Contact]) -> None:
    only = window(Contact.objects.order_by("name"), 10, 1)
    assert len(only.object_list) == 7
    assert not only.has_other_pages()


@pytest.mark.parametrize("page", ["", "0", "-4", "two", None])
def test_anything_but_a_positive_number_is_the_first_page(
    contacts: list[Contact], page: str | None
) -> None:
    assert window(Contact.objects.order_by("name"), 3, page).number == 1


def test_a_page_past_the_end_shows_the_first(contacts: list[Contact]) -> None:
    past = window(Contact.objects.order_by("name"), 3, "9")
    assert (past.number, names(past.object_list)) == (1, ["C00", "C01", "C02"])


def test_it_offers_no_page_deeper_than_the_limit(contacts: list[Contact]) -> None:
    with CaptureQueriesContext(connection) as queries:
        window(Contact.objects.order_by("name"), 3, str(MAX_PAGE * 10))
    assert f"OFFSET {(MAX_PAGE - 1) * 3}" in queries[0]["sql"]
