"""Pages of a long list without counting it.

Django's `Paginator` counts the whole list to number its pages, and on a desk with
100,000 tickets that count costs more than the page itself (a search would scan the
table twice). A `Window` reads one row more than it shows, which is enough to offer
"next"; the lists that need a total show it from their own counts.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Model, QuerySet

# The deepest page offered: an offset costs what it skips, and nobody reads page 1,001.
MAX_PAGE = 1000


@dataclass(frozen=True)
class Window[M: Model]:
    """One page of a list: its rows, its number and whether more follow."""

    object_list: Sequence[M]
    number: int
    has_next: bool

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def window[M: Model](rows: QuerySet[M], size: int, page: str | int | None) -> Window[M]:
    """Return page `page` (1 for anything that is not a positive number) of `rows`."""
    try:
        number = min(max(1, int(page or 1)), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * size
    found = list(rows[start : start + size + 1])
    if not found and number > 1:
        return window(rows, size, 1)  # past the end (the list shrank): the first page
    return Window(object_list=found[:size], number=number, has_next=len(found) > size)
