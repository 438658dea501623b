"""The ticket list's filters and ordering."""


import django_filters
from django.db.models import Q, QuerySet

from servicedesk.api.ids import IdFilter
from servicedesk.tickets.models import (
    Kind,
    Status,
    Ticket,
)


class TicketFilter(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    priority = django_filters.CharFilter()
    organisation = IdFilter(field_name="organisation_id")
    product = IdFilter(field_name="product_id")
    assignee = IdFilter(field_name="assignee_id")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    q = django_filters.CharFilter(method="search", max_length=200)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="lt")
    ordering = django_filters.OrderingFilter(
        fields=("created_at", "updated_at", "priority_rank", "number")
    )

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
