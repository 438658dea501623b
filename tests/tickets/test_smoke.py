from tests.factories import make_ticket


def test_it_numbers_tickets(db: None) -> None:
    first = make_ticket()
    second = make_ticket()
    assert first.number == "SD-000001"
    assert second.number == "SD-000002"
