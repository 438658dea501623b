"""Outage notices (seed 003): the notices, their updates and the tickets linked to them.

- `GET /outages/` (paged), `POST /outages/` (publish: the roles the RACI matrix makes
  responsible, administrators), `GET /outages/{id}/`.
- `GET|POST /outages/{id}/updates/`: the history (customers: the public updates) / post one.
- `GET|POST /outages/{id}/tickets/`: the linked tickets the caller may see anyway / link
  tickets (staff); `POST /outages/{id}/attach/`: a customer attaches their report.
- `GET /reports/outages/`: outages per product in a period, with promises kept.

Customers see the notices about products their organisation's contracts cover; another
notice is a 404. Internal fields (the manager, the cadence, lateness) are null for them.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.accounts.models import User
from servicedesk.api.ids import IdRelatedField
from servicedesk.api.pagination import PagePagination
from servicedesk.catalog.models import Product
from servicedesk.opsreports.periods import period_of
from servicedesk.outages import reports, selectors, services
from servicedesk.outages.models import MAX_CADENCE, Outage, OutageState, OutageUpdate
from servicedesk.tickets.models import Level, Ticket
from servicedesk.tickets.policy import Refusal, is_staff
from servicedesk.tickets.selectors import tickets_visible_to

_DATETIME = serializers.DateTimeField()


def _moment(value: datetime.datetime | None) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


class PartyOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OutageOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    products = PartyOut(many=True)
    started_at = serializers.DateTimeField()
    symptoms = serializers.CharField(help_text="How users notice the disruption.")
    impact = serializers.ChoiceField(choices=Level.choices)
    state = serializers.ChoiceField(choices=OutageState.choices)
    next_update_due_at = serializers.DateTimeField(
        allow_null=True, help_text="When the next update is promised; null once resolved."
    )
    resolved_at = serializers.DateTimeField(allow_null=True)
    cause = serializers.CharField(help_text="The cause in non-technical words, once resolved.")
    closed_at = serializers.DateTimeField(allow_null=True)
    manager = PartyOut(
        allow_null=True, help_text="The responsible team manager; null for customers."
    )
    cadence_seconds = serializers.IntegerField(
        allow_null=True, help_text="Update cadence while unresolved; null for customers."
    )
    created_at = serializers.DateTimeField()

    def to_representation(self, instance: Outage) -> dict[str, Any]:
        request = self.context.get("request")
        staff = request is None or is_staff(request.user)
        manager = instance.manager
        return {
            "id": instance.pk,
            "title": instance.title,
            "products": [{"id": p.pk, "name": p.name} for p in instance.products.all()],
            "started_at": _moment(instance.started_at),
            "symptoms": instance.symptoms,
            "impact": instance.impact,
            "state": instance.state,
            "next_update_due_at": _moment(instance.next_update_due_at),
            "resolved_at": _moment(instance.resolved_at),
            "cause": instance.cause,
            "closed_at": _moment(instance.closed_at),
            "manager": (
                {"id": manager.pk, "name": manager.get_full_name() or manager.username}
                if staff
                else None
            ),
            "cadence_seconds": int(instance.cadence.total_seconds()) if staff else None,
            "created_at": _moment(instance.created_at),
        }


class OutageIn(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    products = serializers.ListField(
        child=IdRelatedField(queryset=Product.objects.all()), min_length=1, max_length=100
    )
    started_at = serializers.DateTimeField()
    symptoms = serializers.CharField(max_length=20_000)
    impact = serializers.ChoiceField(choices=Level.choices, default=Level.HIGH)
    manager = IdRelatedField(queryset=User.objects.all())
    cadence_seconds = serializers.IntegerField(
        required=False,
        min_value=60,
        max_value=int(MAX_CADENCE.total_seconds()),
        help_text="How often an update follows while unresolved (default 2 hours, at most 24).",
    )


class UpdateOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=OutageState.choices)
    text = serializers.CharField()
    cause = serializers.CharField()
    next_update_due_at = serializers.DateTimeField(allow_null=True)
    public = serializers.BooleanField(help_text="False: an internal record of a change.")
    late = serializers.BooleanField(
        allow_null=True, help_text="Came after the promised time; null for customers."
    )

    def to_representation(self, instance: OutageUpdate) -> dict[str, Any]:
        request = self.context.get("request")
        staff = request is None or is_staff(request.user)
        return {
            "id": instance.pk,
            "at": _moment(instance.at),
            "state": instance.state,
            "text": instance.text,
            "cause": instance.cause,
            "next_update_due_at": _moment(instance.next_update_due_at),
            "public": instance.public,
            "late": instance.late if staff else None,
        }


class UpdateIn(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=20_000)
    state = serializers.ChoiceField(choices=OutageState.choices)
    next_update_due_at = serializers.DateTimeField(required=False, allow_null=True)
    cause = serializers.CharField(
        required=False, allow_blank=True, max_length=20_000, help_text="Required to resolve."
    )


class LinkedTicketOut(serializers.Serializer[Any]):
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    organisation = PartyOut()
    product = PartyOut(allow_null=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, instance: Ticket) -> dict[str, Any]:
        product = instance.product
        return {
            "number": instance.number,
            "title": instance.title,
            "status": instance.status,
            "organisation": {"id": instance.organisation_id, "name": instance.organisation.name},
            "product": None if product is None else {"id": product.pk, "name": product.name},
            "created_at": _moment(instance.created_at),
        }


class OutageLinkIn(serializers.Serializer[Any]):
    tickets = serializers.ListField(
        child=serializers.CharField(max_length=20),
        min_length=1,
        max_length=1000,
        help_text="Ticket numbers.",
    )


class OutageLinkOut(serializers.Serializer[Any]):
    linked = serializers.IntegerField(help_text="How many were newly linked.")


class AttachIn(serializers.Serializer[Any]):
    ticket = serializers.CharField(max_length=20, help_text="Your ticket's number.")


class AttachOut(serializers.Serializer[Any]):
    linked = serializers.BooleanField(help_text="False: it was linked before.")


def _refused(error: Refusal) -> Exception:
    fields = error.message_dict
    if "actor" in fields:
        return PermissionDenied(fields["actor"][0])
    return ValidationError(fields)


def _tickets(user: Any, numbers: list[str], *, field: str) -> list[Ticket]:
    """Return the tickets by number that the user may see; a 400 naming the field for any
    other (so another organisation's ticket is indistinguishable from none)."""
    wanted = {number.strip().upper() for number in numbers}
    found = list(tickets_visible_to(user).filter(number__in=wanted))
    missing = sorted(wanted - {t.number for t in found})
    if missing:
        raise ValidationError({field: [f"No such ticket: {', '.join(missing)}."]})
    return found


class OutageViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Outage]
):
    """Outage notices the caller may see, newest first."""

    serializer_class = OutageOut
    pagination_class = PagePagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Outage]:
        return (
            selectors.outages_visible(user=self.request.user)
            .select_related("manager")
            .prefetch_related("products")
            .order_by("-started_at", "-pk")
        )

    @extend_schema(request=OutageIn, responses={201: OutageOut})
    def create(self, request: Request) -> Response:
        data = OutageIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        cadence = values.get("cadence_seconds")
        try:
            outage = services.outage_create(
                actor=request.user,
                title=values["title"],
                products=values["products"],
                started_at=values["started_at"],
                symptoms=values["symptoms"],
                impact=values["impact"],
                manager=values["manager"],
                cadence=datetime.timedelta(seconds=cadence) if cadence else None,
            )
        except Refusal as error:
            raise _refused(error) from error
        body = OutageOut(self.get_queryset().get(pk=outage.pk), context={"request": request})
        return Response(body.data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: UpdateOut(many=True)})
    @extend_schema(methods=["POST"], request=UpdateIn, responses={201: UpdateOut})
    @action(detail=True, methods=["get", "post"], url_path="updates", pagination_class=None)
    def updates(self, request: Request, pk: str) -> Response:
        outage = self.get_object()
        context = {"request": request}
        if request.method == "GET":
            updates = selectors.outage_updates(user=request.user, outage=outage)
            return Response(UpdateOut(updates, many=True, context=context).data)
        data = UpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            update = services.outage_update_post(
                actor=request.user,
                outage=outage,
                text=values["text"],
                state=values["state"],
                next_update_due_at=values.get("next_update_due_at"),
                cause=values.get("cause", ""),
            )
        except Refusal as error:
            raise _refused(error) from error
        return Response(UpdateOut(update, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: LinkedTicketOut(many=True)})
    @extend_schema(methods=["POST"], request=OutageLinkIn, responses={200: OutageLinkOut})
    @action(detail=True, methods=["get", "post"], url_path="tickets", pagination_class=None)
    def tickets(self, request: Request, pk: str) -> Response:
        outage = self.get_object()
        if request.method == "GET":
            linked = selectors.outage_linked_tickets(user=request.user, outage=outage)
            return Response(LinkedTicketOut(linked, many=True).data)
        data = OutageLinkIn(data=request.data)
        data.is_valid(raise_exception=True)
        tickets = _tickets(request.user, data.validated_data["tickets"], field="tickets")
        try:
            linked_count = services.outage_tickets_link(
                actor=request.user,
                outage=outage,
                tickets=tickets,
            )
        except Refusal as error:
            raise _refused(error) from error
        return Response({"linked": linked_count})

    @extend_schema(request=AttachIn, responses={200: AttachOut})
    @action(detail=True, methods=["post"], url_path="attach")
    def attach(self, request: Request, pk: str) -> Response:
        outage = self.get_object()
        data = AttachIn(data=request.data)
        data.is_valid(raise_exception=True)
        (ticket,) = _tickets(request.user, [data.validated_data["ticket"]], field="ticket")
        try:
            linked = services.outage_ticket_attach_by_customer(
                actor=request.user,
                outage=outage,
                ticket=ticket,
            )
        except Refusal as error:
            raise _refused(error) from error
        return Response({"linked": linked})


class ReportQuery(serializers.Serializer[Any]):
    """The period's first and last day (both included; by default the current quarter up
    to today), in the caller's time zone."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="First day.")
        fields["to"] = serializers.DateField(required=False, help_text="Last day, included.")
        return fields


class ReportRowOut(serializers.Serializer[Any]):
    product = PartyOut()
    outages = serializers.IntegerField(help_text="Outages that started in the period.")
    duration_seconds = serializers.IntegerField(
        help_text="Their total duration (until resolved, or until now)."
    )
    linked_tickets = serializers.IntegerField()
    on_time = serializers.IntegerField(
        help_text="Outages whose every promised update came on time."
    )


class ReportOutageOut(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    title = serializers.CharField()
    started_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.IntegerField()
    linked_tickets = serializers.IntegerField(help_text="Those the caller may see.")
    updates = serializers.IntegerField(help_text="Public updates.")
    late_updates = serializers.IntegerField()
    on_time = serializers.BooleanField(help_text="Every promised update came on time.")


class ReportOut(serializers.Serializer[Any]):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    rows = ReportRowOut(many=True)
    outages = ReportOutageOut(many=True)


class OutageReportView(APIView):
    """Outages per product in a period: duration, linked tickets, promises kept."""

    @extend_schema(parameters=[ReportQuery], responses={200: ReportOut})
    def get(self, request: Request) -> Response:
        query = ReportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            period = period_of(query.validated_data.get("from"), query.validated_data.get("to"))
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        report = reports.outage_report(user=request.user, start=period.start, end=period.end)
        body = {
            "period_from": period.first,
            "period_to": period.last,
            "rows": [
                {
                    "product": {"id": row.product_id, "name": row.product},
                    "outages": row.outages,
                    "duration_seconds": round(row.duration.total_seconds()),
                    "linked_tickets": row.linked_tickets,
                    "on_time": row.on_time,
                }
                for row in report.rows
            ],
            "outages": [
                {
                    "id": line.id,
                    "title": line.title,
                    "started_at": line.started_at,
                    "resolved_at": line.resolved_at,
                    "duration_seconds": round(line.duration.total_seconds()),
                    "linked_tickets": line.linked_tickets,
                    "updates": line.updates,
                    "late_updates": line.late_updates,
                    "on_time": line.on_time,
                }
                for line in report.outages
            ],
        }
        return Response(ReportOut(body).data)
