"""Operational reports: open tickets, reaction times, stale and breached tickets.

Read by team leads, service managers and administrators (every organisation, or the one
they filter on) and by a customer's central point of contact (their own organisation, and
"outside the SLA" only for targets promised to the customer); anyone else gets a 403.
"""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.api.ids import INT64_MAX
from servicedesk.api.pagination import PagePagination
from servicedesk.opsreports import selectors
from servicedesk.opsreports.scope import ReportScope, report_scope
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import Refusal


class ScopeQuery(serializers.Serializer[Any]):
    """The filters every report takes; all optional."""

    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=INT64_MAX,
        help_text="Only this organisation's tickets (id).",
    )
    product_group = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=INT64_MAX,
        help_text="Only tickets about this product group (id).",
    )
    team = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=INT64_MAX,
        help_text="Only this team's tickets (id; staff only).",
    )


def scope_of(request: Request, query: dict[str, Any]) -> ReportScope:
    """Return the caller's report scope with the filters of the query; a 403 for someone
    who reads no reports, a 400 naming the organisation for one that is not theirs."""
    try:
        return report_scope(
            request.user,
            organisation_id=query.get("organisation"),
            product_group_id=query.get("product_group"),
            team_id=query.get("team"),
        )
    except Refusal as refusal:
        fields = refusal.message_dict
        if "actor" in fields:
            raise PermissionDenied(fields["actor"][0]) from refusal
        raise ValidationError(fields) from refusal


def read_query[S: serializers.Serializer[Any]](request: Request, form: type[S]) -> dict[str, Any]:
    """Return the validated query parameters (a 400 naming the parameter at fault)."""
    query = form(data=request.query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


def seconds(value: datetime.timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


class OpenTicketsRowOut(serializers.Serializer[Any]):
    group_id = serializers.IntegerField(allow_null=True, help_text="Product group; null: none.")
    group = serializers.CharField(help_text='Product group name; "" without one.')
    priority = serializers.CharField()
    priority_rank = serializers.IntegerField(help_text="1 is the most urgent.")
    count = serializers.IntegerField()
    oldest = serializers.DateTimeField(help_text="When the oldest of them was reported.")
    oldest_age_seconds = serializers.IntegerField()
    average_age_seconds = serializers.IntegerField()


class OpenTicketsOut(serializers.Serializer[Any]):
    generated_at = serializers.DateTimeField()
    total = serializers.IntegerField()
    rows = OpenTicketsRowOut(many=True)


class ReactionRowOut(serializers.Serializer[Any]):
    group_id = serializers.IntegerField(allow_null=True)
    group = serializers.CharField()
    open = serializers.IntegerField()
    answered = serializers.IntegerField(help_text="Open tickets that had a first reaction.")
    average_reaction_seconds = serializers.IntegerField(allow_null=True)
    longest_reaction_seconds = serializers.IntegerField(allow_null=True)
    waiting = serializers.IntegerField(help_text="Open tickets still without a reaction.")
    oldest_waiting = serializers.DateTimeField(
        allow_null=True, help_text="When the longest-waiting of them was reported."
    )


class ReactionTimesOut(serializers.Serializer[Any]):
    generated_at = serializers.DateTimeField()
    rows = ReactionRowOut(many=True)


class StaleTicketOut(serializers.ModelSerializer[Ticket]):
    organisation_name = serializers.CharField(source="organisation.name")
    product_group = serializers.SerializerMethodField()
    outside_sla = serializers.BooleanField(source="is_breached")
    no_update = serializers.BooleanField(
        source="is_stale", help_text="No update for the contract's working days."
    )

    class Meta:
        model = Ticket
        fields = [
            "number",
            "title",
            "organisation",
            "organisation_name",
            "product_group",
            "priority",
            "status",
            "created_at",
            "updated_at",
            "outside_sla",
            "no_update",
        ]

    def get_product_group(self, ticket: Ticket) -> str | None:
        return ticket.product.group.name if ticket.product is not None else None


class OpenTicketsReport(APIView):
    """Open tickets per product group and priority, with their ages."""

    @extend_schema(parameters=[ScopeQuery], responses={200: OpenTicketsOut})
    def get(self, request: Request) -> Response:
        scope = scope_of(request, read_query(request, ScopeQuery))
        now = timezone.now()
        rows = selectors.open_tickets(scope, now=now)
        body = {
            "generated_at": now,
            "total": sum(row.count for row in rows),
            "rows": [
                {
                    "group_id": row.group_id,
                    "group": row.group,
                    "priority": row.priority,
                    "priority_rank": row.priority_rank,
                    "count": row.count,
                    "oldest": row.oldest,
                    "oldest_age_seconds": seconds(now - row.oldest),
                    "average_age_seconds": seconds(row.average_age),
                }
                for row in rows
            ],
        }
        return Response(OpenTicketsOut(body).data)


class ReactionTimesReport(APIView):
    """The first reactions of open tickets per product group (calendar time)."""

    @extend_schema(parameters=[ScopeQuery], responses={200: ReactionTimesOut})
    def get(self, request: Request) -> Response:
        scope = scope_of(request, read_query(request, ScopeQuery))
        now = timezone.now()
        rows = selectors.reaction_times(scope, now=now)
        body = {
            "generated_at": now,
            "rows": [
                {
                    "group_id": row.group_id,
                    "group": row.group,
                    "open": row.open,
                    "answered": row.answered,
                    "average_reaction_seconds": seconds(row.average_reaction),
                    "longest_reaction_seconds": seconds(row.longest_reaction),
                    "waiting": row.waiting,
                    "oldest_waiting": row.oldest_waiting,
                }
                for row in rows
            ],
        }
        return Response(ReactionTimesOut(body).data)


class StaleReport(generics.ListAPIView[Ticket]):
    """Open tickets outside their SLA or without an update for the contract's working days
    (5 by default), longest without an update first; paged."""

    serializer_class = StaleTicketOut
    pagination_class = PagePagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Ticket]:
        scope = scope_of(self.request, read_query(self.request, ScopeQuery))
        return selectors.stale_and_breached(scope)

    @extend_schema(parameters=[ScopeQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
