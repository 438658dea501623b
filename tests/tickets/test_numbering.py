"""Ticket numbers: SD-000123, one more each time, never handed out twice."""

import re

from django.db import connection

from servicedesk.accounts.models import Contact
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.numbering import next_ticket_number
from tests.factories import make_ticket


def value(number: str) -> int:
    return int(number.removeprefix("SD-"))


def test_it_formats_numbers_with_the_prefix_and_six_digits(contact: Contact) -> None:
    ticket = make_ticket(contact)
    assert re.fullmatch(r"SD-\d{6}", ticket.number)


def test_it_starts_at_one_on_sqlite(contact: Contact) -> None:
    # PostgreSQL's sequence is not rolled back between tests, so only SQLite starts afresh.
    if connection.vendor == "sqlite":
        assert make_ticket(contact).number == "SD-000001"


def test_it_counts_up_by_one(contact: Contact) -> None:
    numbers = [make_ticket(contact).number for _ in range(3)]
    first = value(numbers[0])
    assert numbers == [f"SD-{n:06d}" for n in (first, first + 1, first + 2)]


def test_it_never_reuses_the_number_of_a_deleted_ticket(contact: Contact) -> None:
    make_ticket(contact)
    newest = make_ticket(contact)
    Ticket.objects.filter(pk=newest.pk).delete()

    after = make_ticket(contact)

    assert value(after.number) == value(newest.number) + 1


def test_it_hands_out_numbers_without_a_ticket(db: None) -> None:
    first = next_ticket_number()
    assert value(next_ticket_number()) == value(first) + 1


def test_it_uses_the_configured_prefix(contact: Contact, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TICKET_NUMBER_PREFIX = "HD"
    assert re.fullmatch(r"HD-\d{6}", make_ticket(contact).number)
