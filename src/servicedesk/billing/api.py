"""The REST API of billing: a ticket's time entries, and the billable report.

- `GET/POST /api/v1/tickets/{number}/time-entries/`: staff list and log time. A ticket the
  caller may not see is a 404; a customer who sees the ticket gets a 403: time entries and
  their notes are the desk's.
- `GET /api/v1/reports/billable`: billable time by ticket and activity, credit consumed
  and left, over-use, per customer and period; JSON, or CSV with `?format=csv`. Read as
  the other reports: staff who read reports (any customer, `organisation` required) and a
  customer's central point of contact (their own organisation); anyone else a 403.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.accounts.models import User
from servicedesk.api.reports import CsvRenderer
from servicedesk.billing import services
from servicedesk.billing.models import MAX_ENTRY_MINUTES, Activity, TimeEntry
from servicedesk.billing.panel import local_today
from servicedesk.billing.report import (
    BillingReport,
    OrganisationNotFound,
    billing_csv,
    billing_report,
    report_organisation,
)
from servicedesk.billing.selectors import time_entries_visible_to, time_totals
from servicedesk.reports.access import report_reader
from servicedesk.reports.periods import PeriodError, month_of, parse_period
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import is_staff
from servicedesk.tickets.selectors import tickets_visible_to


class TimeEntryOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    worked_on = serializers.DateField()
    minutes = serializers.IntegerField()
    activity = serializers.ChoiceField(choices=Activity.choices)
    billable = serializers.BooleanField()
    note = serializers.CharField(help_text="Internal: only staff read it.")
    credit_minutes = serializers.IntegerField(help_text="Billable minutes the credit covered.")
    overuse_minutes = serializers.IntegerField(help_text="Billable minutes beyond the credit.")
    user = serializers.CharField(help_text="Who logged it (username).")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TotalsOut(serializers.Serializer[Any]):
    minutes = serializers.IntegerField()
    billable = serializers.IntegerField()
    covered = serializers.IntegerField()
    credit = serializers.IntegerField()
    overuse = serializers.IntegerField()


class TimeEntriesOut(serializers.Serializer[Any]):
    totals = TotalsOut()
    entries = TimeEntryOut(many=True)


class TimeEntryIn(serializers.Serializer[Any]):
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_ENTRY_MINUTES)
    worked_on = serializers.DateField(
        required=False, help_text="The day worked; default today (the caller's time zone)."
    )
    activity = serializers.ChoiceField(choices=Activity.choices)
    billable = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: as the ticket's coverage decision says (billable or covered).",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=4000, default="", help_text="Internal."
    )


def entry_body(entry: TimeEntry) -> dict[str, Any]:
    """Return an entry as the API answers it (for staff)."""
    credit = entry.minutes - entry.overuse_minutes if entry.billable else 0
    return {
        "id": entry.pk,
        "worked_on": entry.worked_on,
        "minutes": entry.minutes,
        "activity": entry.activity,
        "billable": entry.billable,
        "note": entry.note,
        "credit_minutes": credit,
        "overuse_minutes": entry.overuse_minutes,
        "user": entry.user.username,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }


def _staff_ticket(request: Request, number: str) -> tuple[User, Ticket]:
    """Return the caller and the ticket: a 404 when the caller may not see it, a 403 for
    a customer who may (time entries are for staff)."""
    ticket = get_object_or_404(
        tickets_visible_to(request.user).select_related("contract"), number=number.upper()
    )
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    if not is_staff(user):
        raise PermissionDenied("Only staff read and log time.")
    return user, ticket


class TimeEntriesView(APIView):
    """A ticket's time entries with their totals (staff), and logging time on it."""

    @extend_schema(
        operation_id="tickets_time_entries_list",
        responses={200: TimeEntriesOut, 403: OpenApiResponse(description="Not staff.")},
    )
    def get(self, request: Request, number: str) -> Response:
        user, ticket = _staff_ticket(request, number)
        entries = time_entries_visible_to(user, ticket)
        totals = time_totals(entries)
        body = {
            "totals": {
                "minutes": totals.minutes,
                "billable": totals.billable,
                "covered": totals.covered,
                "credit": totals.credit,
                "overuse": totals.overuse,
            },
            "entries": [entry_body(entry) for entry in entries.select_related("user")],
        }
        return Response(TimeEntriesOut(body).data)

    @extend_schema(
        operation_id="tickets_time_entries_create",
        request=TimeEntryIn,
        responses={201: TimeEntryOut, 403: OpenApiResponse(description="Not staff.")},
    )
    def post(self, request: Request, number: str) -> Response:
        user, ticket = _staff_ticket(request, number)
        data = TimeEntryIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        entry = services.time_entry_create(
            actor=user,
            ticket=ticket,
            minutes=values["minutes"],
            worked_on=values.get("worked_on") or local_today(user, timezone.now()),
            activity=values["activity"],
            billable=values.get("billable"),
            note=values.get("note", ""),
        )
        return Response(TimeEntryOut(entry_body(entry)).data, status=status.HTTP_201_CREATED)


class WorkOut(serializers.Serializer[Any]):
    ticket = serializers.CharField(help_text="The ticket's number.")
    title = serializers.CharField()
    activity = serializers.ChoiceField(choices=Activity.choices)
    billable_minutes = serializers.IntegerField()
    credit_minutes = serializers.IntegerField()
    overuse_minutes = serializers.IntegerField(help_text="Beyond the credit: to invoice.")


class CreditOut(serializers.Serializer[Any]):
    bundle = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    contract = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    minutes = serializers.IntegerField(help_text="The bundle's size.")
    consumed_minutes = serializers.IntegerField(help_text="Used by work in the period.")
    remaining_minutes = serializers.IntegerField(help_text="Left at the period's end.")


class BillableOut(serializers.Serializer[Any]):
    organisation = serializers.IntegerField()
    period = serializers.CharField(help_text="2026-03, 2026-Q1 or 2026.")
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    billable_minutes = serializers.IntegerField()
    consumed_minutes = serializers.IntegerField()
    overuse_minutes = serializers.IntegerField()
    remaining_minutes = serializers.IntegerField()
    work = WorkOut(many=True)
    credit = CreditOut(many=True)


class BillableQuery(serializers.Serializer[Any]):
    organisation = serializers.IntegerField(
        required=False, min_value=1, help_text="Required for staff; a CPC reads their own."
    )
    period = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=10,
        help_text="A month (2026-03), quarter (2026-Q1) or year (2026); default this month.",
    )


def billable_body(report: BillingReport) -> dict[str, Any]:
    """Return the report as the JSON body the API answers."""
    return {
        "organisation": report.organisation.pk,
        "period": report.period.code,
        "first_day": report.period.first_day,
        "last_day": report.period.last_day,
        "billable_minutes": report.billable,
        "consumed_minutes": report.consumed,
        "overuse_minutes": report.overuse,
        "remaining_minutes": report.remaining,
        "work": [
            {
                "ticket": row.ticket_number,
                "title": row.ticket_title,
                "activity": row.activity,
                "billable_minutes": row.minutes,
                "credit_minutes": row.credit,
                "overuse_minutes": row.overuse,
            }
            for row in report.work
        ],
        "credit": [
            {
                "bundle": row.bundle_id,
                "name": row.name,
                "kind": row.kind,
                "contract": row.contract,
                "valid_from": row.valid_from,
                "valid_to": row.valid_to,
                "minutes": row.size,
                "consumed_minutes": row.consumed,
                "remaining_minutes": row.remaining,
            }
            for row in report.credit
        ],
    }


class BillableReportView(APIView):
    """Billable time of a customer in a period, the credit it consumed and the over-use."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        """Answer errors in JSON whatever format was asked for."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        operation_id="reports_billable",
        parameters=[
            BillableQuery,
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=["json", "csv"], description="JSON or CSV."
            ),
        ],
        responses={
            (200, "application/json"): BillableOut,
            (200, "text/csv"): OpenApiTypes.STR,
            404: OpenApiResponse(description="An organisation the caller may not read."),
        },
    )
    def get(self, request: Request) -> Response:
        reader = report_reader(request.user)
        query = BillableQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if reader.organisation_id is None and data.get("organisation") is None:
            raise ApiValidationError({"organisation": ["Name the customer organisation."]})
        try:
            organisation = report_organisation(reader, data.get("organisation"))
        except OrganisationNotFound:
            raise NotFound({"organisation": ["No such object."]}) from None
        text = data.get("period") or month_of(timezone.now(), time_zone=reader.time_zone).code
        try:
            period = parse_period(text, time_zone=reader.time_zone)
        except PeriodError as error:
            raise ApiValidationError({"period": [str(error)]}) from None
        report = billing_report(organisation=organisation, period=period)
        if request.accepted_renderer.format == "csv":
            return Response(
                billing_csv(report),
                headers={"Content-Disposition": f'attachment; filename="{report.filename}"'},
            )
        return Response(BillableOut(billable_body(report)).data)
