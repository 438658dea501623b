"""The ticket list's filters and ordering."""


import datetime
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField

from servicedesk.api.ids import IdFilter
from servicedesk.tickets.models import (
    Kind,
    Status,
    Ticket,
)


class InstantField(IsoDateTimeField):  # type: ignore[misc]
    """An ISO 8601 date and time, read as the instant in UTC it names.

    PostgreSQL refuses offsets beyond 15:59 that Python accepts, and SQLite's conversion to
    UTC fails past the calendar's ends (0001-01-01T00:00+05:00): both would answer 500.
    """

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment: datetime.datetime | None = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class InstantFilter(django_filters.IsoDateTimeFilter):  # type: ignore[misc]
    field_class = InstantField


class TicketOrdering(django_filters.OrderingFilter):  # type: ignore[misc]
    """Order as asked, then by id, so that pages neither overlap nor skip tickets.

    An empty choice (`?ordering=,`) keeps the default order instead of none at all.
    """

    def filter(self, qs: QuerySet[Ticket], value: list[str] | None) -> QuerySet[Ticket]:
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        if not ordering:
            return qs
        return qs.order_by(*ordering, "pk")


class TicketFilter(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    priority = django_filters.CharFilter()
    organisation = IdFilter(field_name="organisation_id")
    product = IdFilter(field_name="product_id")
    assignee = IdFilter(field_name="assignee_id")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    q = django_filters.CharFilter(method="search", max_length=200)
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt")
    updated_after = InstantFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = InstantFilter(field_name="updated_at", lookup_expr="lt")
    ordering = TicketOrdering(fields=("created_at", "updated_at", "priority_rank", "number"))

    class Meta:
        model = Ticket
        fields: list[str] = []

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__iexact=value) | Q(title__icontains=value) | Q(description__icontains=value)
        )
