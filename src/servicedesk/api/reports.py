"""The compliance report: per target met, missed and running against its objective.

Read by team leads, service managers and administrators (every organisation, internal
targets and who held the missed tickets included) and by a customer's central point of
contact (their own organisation's customer targets only); anyone else gets a 403, and an
organisation, contract, product group or team the caller may not see a 404. JSON by
default, CSV with `?format=csv` or `Accept: text/csv`.
"""

import json
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.reports.access import report_reader
from servicedesk.reports.compliance import (
    ComplianceReport,
    HolderTime,
    ScopeNotFound,
    TargetRow,
    Verdict,
    compliance_report,
)
from servicedesk.reports.export import compliance_csv, compliance_filename
from servicedesk.reports.forms import report_query
from servicedesk.reports.models import HolderKind
from servicedesk.tickets.models import Kind
from servicedesk.ui import display


class ComplianceQuery(serializers.Serializer[Any]):
    """The report's period and scope; all optional (default: the running month, all)."""

    period = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="A month (2026-03), a quarter (2026-Q1) or a year (2026), in the caller's "
        "time zone; default the running month. `from` and `to` replace it.",
    )
    organisation = serializers.IntegerField(required=False, min_value=1)
    contract = serializers.IntegerField(required=False, min_value=1)
    product_group = serializers.IntegerField(required=False, min_value=1)
    team = serializers.IntegerField(required=False, min_value=1, help_text="Staff only.")
    priority = serializers.CharField(required=False, allow_blank=True, max_length=20)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # "from" is a keyword in Python: declared here, by name.
        fields["from"] = serializers.DateField(
            required=False, help_text="First day of a range (with `to`, both included)."
        )
        fields["to"] = serializers.DateField(required=False, help_text="Last day of a range.")
        return fields


QUERY_PARAMETERS: list[OpenApiParameter | type[serializers.Serializer[Any]]] = [
    ComplianceQuery,
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of a range."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of a range (included)."),
    OpenApiParameter(
        "format", OpenApiTypes.STR, enum=["json", "csv"], description="Answer as JSON or CSV."
    ),
]


class SupplierOut(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class HolderTimeOut(serializers.Serializer[Any]):
    holder = serializers.ChoiceField(choices=HolderKind.choices)
    supplier = SupplierOut(allow_null=True, help_text="The supplier, when `holder` is one.")
    over_target_seconds = serializers.IntegerField(
        help_text="Time over target while this holder had the missed tickets."
    )
    counted_seconds = serializers.IntegerField(
        help_text="All counted time while this holder had them."
    )
    paused_seconds = serializers.IntegerField(
        help_text="Time the clock stood still while this holder had them (not counted)."
    )


class TargetOut(serializers.Serializer[Any]):
    key = serializers.CharField(help_text='The target, e.g. "first_response", "restore".')
    name = serializers.CharField(help_text="The target's name in the caller's language.")
    metric = serializers.CharField()
    internal = serializers.BooleanField(help_text="An internal target of the service desk.")
    priority = serializers.CharField()
    target_seconds = serializers.IntegerField(help_text="Open time allowed on its clock.")
    objective_percent = serializers.FloatField(help_text="Share of tickets that must meet it.")
    measured = serializers.IntegerField(help_text="Met plus missed in the period.")
    met = serializers.IntegerField()
    missed = serializers.IntegerField(help_text="Missed at their due time within the period.")
    running = serializers.IntegerField(help_text="Started in the period, not yet met or due.")
    share_percent = serializers.FloatField(allow_null=True, help_text="Met / measured.")
    verdict = serializers.ChoiceField(choices=[v.value for v in Verdict])
    over_target_seconds = serializers.IntegerField(
        allow_null=True, help_text="The missed tickets' time over target; null for customers."
    )
    waiting_on_customer_seconds = serializers.IntegerField(
        allow_null=True, help_text="The missed tickets' time waiting on the customer."
    )
    attribution = HolderTimeOut(
        many=True, allow_null=True, help_text="Who held the missed tickets; null for customers."
    )


class NoTargetOut(serializers.Serializer[Any]):
    key = serializers.CharField(help_text='The target key; "" for tickets without any clock.')
    reason = serializers.CharField()
    tickets = serializers.IntegerField()


class PeriodOut(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="2026-03, 2026-Q1, 2026, or first..last.")
    kind = serializers.ChoiceField(choices=["month", "quarter", "year", "range"])
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="The first instant after the period.")
    over = serializers.BooleanField()


class ScopeOut(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(allow_null=True)
    contract = serializers.IntegerField(allow_null=True)
    product_group = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    priority = serializers.CharField()
    kind = serializers.CharField()


class ComplianceOut(serializers.Serializer[Any]):
    period = PeriodOut()
    scope = ScopeOut()
    as_of = serializers.DateTimeField()
    rules = serializers.ListField(child=serializers.CharField())
    customer_facing = TargetOut(many=True)
    internal = TargetOut(many=True, help_text="Empty for customers.")
    no_target = NoTargetOut(many=True)


class CsvRenderer(BaseRenderer):
    """CSV for a report the view has already written as text; errors as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        text = data if isinstance(data, str) else json.dumps(data)
        return text.encode(self.charset)


def _holder(time: HolderTime) -> dict[str, Any]:
    supplier = None
    if time.holder == HolderKind.SUPPLIER:
        supplier = {"id": time.supplier_id, "name": time.supplier_name}
    return {
        "holder": time.holder,
        "supplier": supplier,
        "over_target_seconds": time.over_seconds,
        "counted_seconds": time.counted_seconds,
        "paused_seconds": time.paused_seconds,
    }


def _target(row: TargetRow, *, holders: bool) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": display.clock_label(row.key),
        "metric": row.metric,
        "internal": row.internal,
        "priority": row.priority,
        "target_seconds": row.target_seconds,
        "objective_percent": row.objective_percent,
        "measured": row.measured,
        "met": row.met,
        "missed": row.missed,
        "running": row.running,
        "share_percent": row.share_percent,
        "verdict": row.verdict.value,
        "over_target_seconds": row.over_seconds if holders else None,
        "waiting_on_customer_seconds": row.customer_seconds if holders else None,
        "attribution": [_holder(time) for time in row.holders] if holders else None,
    }


def compliance_body(report: ComplianceReport) -> dict[str, Any]:
    """Return the report as the JSON body the API answers."""
    period, scope, holders = report.period, report.scope, report.shows_holders
    return {
        "period": {
            "code": period.code,
            "kind": period.kind,
            "first_day": period.first_day,
            "last_day": period.last_day,
            "start": period.start,
            "end": period.end,
            "over": report.period_over,
        },
        "scope": {
            "organisation": scope.organisation_id,
            "contract": scope.contract_id,
            "product_group": scope.product_group_id,
            "team": scope.team_id,
            "priority": scope.priority,
            "kind": scope.kind,
        },
        "as_of": report.now,
        "rules": [str(rule) for rule in report.rules],
        "customer_facing": [_target(row, holders=holders) for row in report.customer_facing],
        "internal": [_target(row, holders=holders) for row in report.internal],
        "no_target": [
            {"key": row.key, "reason": row.reason, "tickets": row.tickets}
            for row in report.no_target
        ],
    }


class ComplianceReportView(APIView):
    """Compliance per target in a period: tickets met, missed and running, the share met
    against the objective and the verdict; for staff also who held the missed tickets."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        """Answer errors in JSON whatever format was asked for, as the schema documents."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        operation_id="reports_compliance",
        parameters=QUERY_PARAMETERS,
        responses={
            (200, "application/json"): ComplianceOut,
            (200, "text/csv"): OpenApiTypes.STR,
            404: OpenApiResponse(
                description="An organisation, contract, product group or team the caller "
                "may not see."
            ),
        },
    )
    def get(self, request: Request) -> Response:
        reader = report_reader(request.user)
        query = ComplianceQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        now = timezone.now()
        try:
            asked = report_query(
                reader,
                now=now,
                period=data.get("period") or "",
                first_day=data.get("from"),
                last_day=data.get("to"),
                organisation_id=data.get("organisation"),
                contract_id=data.get("contract"),
                product_group_id=data.get("product_group"),
                team_id=data.get("team"),
                priority=data.get("priority") or "",
                kind=data.get("kind") or "",
            )
        except ScopeNotFound as missing:
            raise NotFound({missing.name: ["No such object."]}) from None
        report = compliance_report(reader, period=asked.period, scope=asked.scope, now=now)
        if request.accepted_renderer.format == "csv":
            filename = compliance_filename(report)
            return Response(
                compliance_csv(report),
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        return Response(ComplianceOut(compliance_body(report)).data)
