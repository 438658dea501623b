"""Customer satisfaction (tNPS) of a period: counts, bands, the score and the latest comments.

Read as the other reports are (`api.opsreports`): staff who read reports see every
organisation's, a customer's central point of contact only its own organisation's.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.api.opsreports import ScopeQuery, read_query, scope_of
from servicedesk.opsreports.periods import period_of
from servicedesk.surveys.selectors import satisfaction


class PeriodQuery(ScopeQuery):
    """The filters, and the period's first and last day (both included; by default the
    current quarter up to today), in the caller's time zone."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # "from" is a Python keyword: these two are added by name.
        fields["from"] = serializers.DateField(
            required=False, help_text="First day, e.g. 2026-01-01 (default: start of quarter)."
        )
        fields["to"] = serializers.DateField(
            required=False, help_text="Last day, included (default: today)."
        )
        return fields


class CommentOut(serializers.Serializer[Any]):
    ticket = serializers.CharField(help_text="The ticket's number.")
    score = serializers.IntegerField(min_value=0, max_value=10)
    comment = serializers.CharField()
    answered_at = serializers.DateTimeField()


class SatisfactionOut(serializers.Serializer[Any]):
    period_from = serializers.DateField(help_text="First day of the period.")
    period_to = serializers.DateField(help_text="Last day of the period (included).")
    sent = serializers.IntegerField(help_text="Surveys sent in the period.")
    count = serializers.IntegerField(help_text="Answers given in the period.")
    promoters = serializers.IntegerField(help_text="Scores 9-10.")
    passives = serializers.IntegerField(help_text="Scores 7-8.")
    detractors = serializers.IntegerField(help_text="Scores 0-6.")
    tnps = serializers.IntegerField(
        allow_null=True, help_text="% promoters minus % detractors; null without answers."
    )
    response_rate = serializers.IntegerField(
        allow_null=True, help_text="Answers per survey sent, in percent."
    )
    comments = CommentOut(many=True, help_text="The latest comments, newest first.")


class SatisfactionReport(APIView):
    """Customer satisfaction (tNPS) of a period."""

    @extend_schema(parameters=[PeriodQuery], responses={200: SatisfactionOut})
    def get(self, request: Request) -> Response:
        query = read_query(request, PeriodQuery)
        scope = scope_of(request, query)
        try:
            period = period_of(query.get("from"), query.get("to"))
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        result = satisfaction(period.start, period.end, scope)
        body = {
            "period_from": period.first,
            "period_to": period.last,
            "sent": result.sent,
            "count": result.count,
            "promoters": result.promoters,
            "passives": result.passives,
            "detractors": result.detractors,
            "tnps": result.tnps,
            "response_rate": result.response_rate,
            "comments": [
                {
                    "ticket": c.ticket_number,
                    "score": c.score,
                    "comment": c.comment,
                    "answered_at": c.answered_at,
                }
                for c in result.comments
            ],
        }
        return Response(SatisfactionOut(body).data)
