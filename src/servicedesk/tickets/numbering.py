"""Human-friendly ticket numbers (`SD-000123`) that are unique and never reused."""

from django.conf import settings
from django.db import connection

from servicedesk.tickets.models import TicketNumber

SEQUENCE = "servicedesk_ticket_number"


def next_ticket_number() -> str:
    """Return the next ticket number; call inside the creating transaction."""
    if connection.vendor == "postgresql":
        # A sequence never hands out a number twice and holds no row lock,
        # so concurrent creations do not queue behind one another.
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [SEQUENCE])
            value = cursor.fetchone()[0]
    else:
        # SQLite has one writer at a time; an atomic increment of one row is enough.
        TicketNumber.objects.get_or_create(pk=1)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TicketNumber._meta.db_table} SET last = last + 1 WHERE id = 1 "  # noqa: S608
                "RETURNING last"
            )
            value = cursor.fetchone()[0]
    return f"{settings.TICKET_NUMBER_PREFIX}-{value:06d}"
