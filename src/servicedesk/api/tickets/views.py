"""Tickets: list, create, read by number, update, status, messages, attachments, history."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from servicedesk.accounts.models import User
from servicedesk.api.parsers import BoundedJSONParser
from servicedesk.api.permissions import StaffOnly
from servicedesk.api.tickets.filters import TicketFilter
from servicedesk.api.tickets.serializers import (
    ASSIGNMENT_FIELDS,
    AttachmentIn,
    AttachmentSerializer,
    ClockSerializer,
    EventSerializer,
    LinkIn,
    MessageIn,
    MessagePostOut,
    MessageSerializer,
    SlaExplanationSerializer,
    StatusIn,
    TicketCreateIn,
    TicketSerializer,
    TicketUpdateIn,
)
from servicedesk.tickets import selectors, services
from servicedesk.tickets import sla as ticket_sla
from servicedesk.tickets.disclosure import disclosure_for
from servicedesk.tickets.downloads import attachment_response
from servicedesk.tickets.models import (
    Channel,
    Ticket,
    Visibility,
)


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Ticket],
):
    """Tickets the caller may see, addressed by number (e.g. SD-000123)."""

    serializer_class = TicketSerializer
    lookup_field = "number"
    lookup_value_regex = "[A-Za-z0-9_-]+"
    filterset_class = TicketFilter
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Ticket]:
        return (
            selectors.tickets_visible_to(self.request.user)
            .select_related(
                "requester",
                "organisation",
                "product",
                "assignee",
                "team",
                "supplier",
                "contract__calendar",
            )
            .prefetch_related("clocks")
        )

    def get_object(self) -> Ticket:
        number = str(self.kwargs["number"]).upper()
        return get_object_or_404(self.get_queryset(), number=number)

    def _staff(self) -> bool:
        return selectors.is_staff(self.request.user)

    def _user(self) -> User:
        user = self.request.user
        if not isinstance(user, User):
            # The permission classes let no one else in; never act for nobody, even so.
            raise NotAuthenticated
        return user

    @extend_schema(request=TicketCreateIn, responses={201: TicketSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TicketCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        # Who may report for whom is the policy's; a contact reports as themselves by default.
        requester = values.pop("requester", None) or selectors.contact_of(request.user)
        if requester is None:
            raise ValidationError({"requester": [_("Name the reporting contact.")]})
        details = {key: values.pop(key) for key in services.DESCRIPTION_FIELDS if key in values}
        ticket = services.ticket_create(
            requester=requester,
            title=values["title"],
            kind=values["kind"],
            channel=values["channel"],
            product=values.get("product"),
            impact=values.get("impact", ""),
            urgency=values.get("urgency", ""),
            requested_priority=values.get("requested_priority", ""),
            details=details,
            actor=self._user(),
        )
        # Everything the answer shows is in memory already, but for the clocks.
        return Response(self.get_serializer(ticket).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TicketUpdateIn, responses={200: TicketSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_object()
        data = TicketUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unknown = set(request.data) - set(TicketUpdateIn().fields)
        if "status" in unknown:
            raise ValidationError({"status": [_("Change the status with POST .../status.")]})
        if unknown:
            raise ValidationError({sorted(unknown)[0]: [_("This field cannot be changed.")]})
        actor = self._user()
        with transaction.atomic():
            self._apply_update(ticket, actor=actor, values=values)
        return Response(self.get_serializer(self.get_queryset().get(pk=ticket.pk)).data)

    def _apply_update(self, ticket: Ticket, *, actor: User, values: dict[str, Any]) -> None:
        """Hand each part of an update to its service: priority, assignment, fields."""
        if "priority" in values:
            services.ticket_change_priority(
                ticket=ticket,
                actor=actor,
                priority=values.pop("priority"),
                justification=values.pop("priority_justification", ""),
            )
        values.pop("priority_justification", None)
        assignment = {key: values.pop(key) for key in ASSIGNMENT_FIELDS if key in values}
        if assignment:
            services.ticket_assign(
                ticket=ticket,
                actor=actor,
                assignee=assignment.get("assignee", ticket.assignee),
                team=assignment.get("team"),
                support_line=assignment.get("support_line"),
            )
        if values:
            services.ticket_update(ticket=ticket, actor=actor, changes=values)

    @extend_schema(request=StatusIn, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = StatusIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.ticket_transition(
            ticket=ticket,
            actor=self._user(),
            status=data.validated_data["status"],
            note=data.validated_data.get("note", ""),
            supplier=data.validated_data.get("supplier"),
            supplier_reference=data.validated_data.get("supplier_reference", ""),
            outcome=data.validated_data.get("outcome", ""),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=ticket.pk)).data)

    @extend_schema(methods=["GET"], responses={200: MessageSerializer(many=True)})
    @extend_schema(methods=["POST"], request=MessageIn, responses={201: MessagePostOut})
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="messages",
        pagination_class=None,
        filter_backends=[],
    )
    def messages(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        if request.method == "GET":
            messages = selectors.messages_visible_to(request.user, ticket).select_related(
                "author_user", "author_contact"
            )
            return Response(MessageSerializer(messages, many=True).data)
        data = MessageIn(data=request.data)
        data.is_valid(raise_exception=True)
        contact = None if self._staff() else selectors.contact_of(request.user)
        if contact is None or data.validated_data["visibility"] != Visibility.PUBLIC:
            message = services.ticket_add_message(
                ticket=ticket,
                body=data.validated_data["body"],
                author=self._user(),
                visibility=data.validated_data["visibility"],
                channel=Channel.API,
            )
            reply = services.CustomerReply(ticket, message, services.ReplyOutcome.ADDED)
        else:
            # A customer's reply may resume, reopen or (long after closing) open a new ticket.
            reply = services.ticket_customer_reply(
                ticket=ticket,
                contact=contact,
                body=data.validated_data["body"],
                author=self._user(),
                channel=Channel.API,
            )
        return Response(
            {
                "outcome": str(reply.outcome),
                "ticket": reply.ticket.number,
                "message": MessageSerializer(reply.message).data if reply.message else None,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(methods=["GET"], responses={200: AttachmentSerializer(many=True)})
    @extend_schema(methods=["POST"], request=AttachmentIn, responses={201: AttachmentSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="attachments",
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filter_backends=[],
    )
    def attachments(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        if request.method == "GET":
            attachments = selectors.attachments_visible_to(request.user, ticket)
            return Response(AttachmentSerializer(attachments, many=True).data)
        data = AttachmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        message = None
        if data.validated_data.get("message") is not None:
            message = (
                selectors.messages_visible_to(request.user, ticket)
                .filter(pk=data.validated_data["message"])
                .first()
            )
            if message is None:
                raise ValidationError({"message": [_("No such message on this ticket.")]})
        internal = data.validated_data["internal"]
        attachment = services.attachment_add(
            ticket=ticket,
            upload=data.validated_data["file"],
            actor=self._user(),
            message=message,
            internal=internal,
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)/content")
    def attachment_content(self, request: Request, number: str, attachment_id: str) -> Any:
        return attachment_response(request.user, self.get_object(), int(attachment_id))

    @extend_schema(responses={200: SlaExplanationSerializer(many=True)})
    @action(
        detail=True, methods=["get"], url_path="sla", pagination_class=None, filter_backends=[]
    )
    def sla(self, request: Request, number: str) -> Response:
        """Each SLA target of the ticket now, with the explanation of its due time."""
        ticket = self.get_object()
        now = timezone.now()
        explained = ticket_sla.explanations(ticket, now=now)
        clocks = [ticket_sla.clock_row(ticket, result, now) for result, _text in explained.values()]
        shown = disclosure_for(request.user).clocks(clocks)
        rows = [
            {**ClockSerializer(clock).data, "explanation": explained[clock.key][1].lines()}
            for clock in shown
        ]
        return Response(rows)

    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(
        detail=True, methods=["get"], url_path="events", pagination_class=None, filter_backends=[]
    )
    def events(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        events = selectors.events_visible_to(request.user, ticket).select_related("actor")
        context = self.get_serializer_context()
        return Response(EventSerializer(events, many=True, context=context).data)

    @extend_schema(request=LinkIn, responses={201: None})
    @action(detail=True, methods=["post"], url_path="links", permission_classes=[StaffOnly])
    def links(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = LinkIn(data=request.data)
        data.is_valid(raise_exception=True)
        target = self.get_queryset().filter(number=data.validated_data["target"].upper()).first()
        if target is None:
            raise ValidationError({"target": [_("No ticket with this number.")]})
        services.ticket_link(
            ticket=ticket, target=target, kind=data.validated_data["kind"], actor=self._user()
        )
        return Response(
            {"source": ticket.number, "target": target.number, "kind": data.validated_data["kind"]},
            status=status.HTTP_201_CREATED,
        )
