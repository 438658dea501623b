from tests.factories import make_ticket


def test_it_numbers_tickets(db: None) -> None:
    first = make_ticket()
    second = make_ticket()
    # Relative, not absolute: PostgreSQL's sequence is not rolled back between tests.
    assert first.number.startswith("SD-")
    assert int(second.number[3:]) == int(first.number[3:]) + 1
