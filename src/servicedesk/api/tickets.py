"""Tickets: list, create, read by number, update, status, messages, attachments, history."""

import datetime
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from servicedesk.accounts.models import Contact, Supplier, Team, User
from servicedesk.api.permissions import StaffOnly
from servicedesk.catalog.models import Product
from servicedesk.tickets import selectors, services, workflow
from servicedesk.tickets import sla as ticket_sla
from servicedesk.tickets.downloads import attachment_response
from servicedesk.tickets.models import (
    Attachment,
    Channel,
    Kind,
    Level,
    LinkKind,
    Message,
    Reproducible,
    Status,
    Ticket,
    TicketClock,
    TicketEvent,
    Visibility,
)

# ----------------------------------------------------------------------------- output


class PartySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClockSerializer(serializers.ModelSerializer[TicketClock]):
    remaining_seconds = serializers.SerializerMethodField()

    class Meta:
        model = TicketClock
        fields = [
            "key",
            "metric",
            "state",
            "priority",
            "internal",
            "target_seconds",
            "objective_percent",
            "started_at",
            "due_at",
            "warn_at",
            "met_at",
            "breached_at",
            "remaining_seconds",
            "no_target_reason",
            "computed_at",
        ]
        read_only_fields = fields

    def get_remaining_seconds(self, clock: TicketClock) -> int | None:
        """Return the open time left; for a running clock, as of now."""
        if clock.state == "running" and clock.due_at is not None:
            return ticket_sla.remaining_seconds(clock, now=timezone.now())
        return clock.remaining_seconds

    def to_representation(self, instance: TicketClock) -> dict[str, Any]:
        # Hand-written for speed: it gives the same data as the declared fields (a test
        # compares the two) without building the fields on every request.
        return {
            "key": instance.key,
            "metric": instance.metric,
            "state": instance.state,
            "priority": instance.priority,
            "internal": instance.internal,
            "target_seconds": instance.target_seconds,
            "objective_percent": instance.objective_percent,
            "started_at": _moment(instance.started_at),
            "due_at": _moment(instance.due_at),
            "warn_at": _moment(instance.warn_at),
            "met_at": _moment(instance.met_at),
            "breached_at": _moment(instance.breached_at),
            "remaining_seconds": self.get_remaining_seconds(instance),
            "no_target_reason": instance.no_target_reason,
            "computed_at": _moment(instance.computed_at),
        }


class TicketSerializer(serializers.ModelSerializer[Ticket]):
    requester = serializers.SerializerMethodField()
    organisation = PartySerializer()
    product = PartySerializer(allow_null=True)
    assignee = serializers.SerializerMethodField()
    team = PartySerializer(allow_null=True)
    supplier = PartySerializer(allow_null=True)
    contract = serializers.CharField(source="contract.reference", default=None)
    sla = ClockSerializer(source="clocks", many=True, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "number",
            "kind",
            "title",
            *services.DESCRIPTION_FIELDS,
            "channel",
            "status",
            "priority",
            "requested_priority",
            "priority_justification",
            "impact",
            "urgency",
            "requester",
            "organisation",
            "contract",
            "product",
            "assignee",
            "team",
            "support_line",
            "supplier",
            "supplier_reference",
            "created_at",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "sla_due_at",
            "sla",
        ]
        read_only_fields = fields

    def get_requester(self, ticket: Ticket) -> dict[str, Any]:
        return {
            "id": ticket.requester_id,
            "name": ticket.requester.name,
            "email": ticket.requester.email,
        }

    def get_assignee(self, ticket: Ticket) -> dict[str, Any] | None:
        user = ticket.assignee
        if user is None:
            return None
        return {"id": user.pk, "name": user.get_full_name() or user.username}

    def to_representation(self, instance: Ticket) -> dict[str, Any]:
        # Hand-written for speed (building a model serializer's fields costs about a
        # millisecond a request); a test checks it equals what the declared fields give.
        ticket = instance
        clock = ClockSerializer()
        return {
            "number": ticket.number,
            "kind": ticket.kind,
            "title": ticket.title,
            **{field: getattr(ticket, field) for field in services.DESCRIPTION_FIELDS},
            "channel": ticket.channel,
            "status": ticket.status,
            "priority": ticket.priority,
            "requested_priority": ticket.requested_priority,
            "priority_justification": ticket.priority_justification,
            "impact": ticket.impact,
            "urgency": ticket.urgency,
            "requester": self.get_requester(ticket),
            "organisation": _party(ticket.organisation),
            "contract": ticket.contract.reference if ticket.contract is not None else None,
            "product": _party(ticket.product),
            "assignee": self.get_assignee(ticket),
            "team": _party(ticket.team),
            "support_line": ticket.support_line,
            "supplier": _party(ticket.supplier),
            "supplier_reference": ticket.supplier_reference,
            "created_at": _moment(ticket.created_at),
            "updated_at": _moment(ticket.updated_at),
            "first_response_at": _moment(ticket.first_response_at),
            "resolved_at": _moment(ticket.resolved_at),
            "closed_at": _moment(ticket.closed_at),
            "sla_due_at": _moment(ticket.sla_due_at),
            "sla": [clock.to_representation(c) for c in ticket.clocks.all()],
        }


_DATETIME = serializers.DateTimeField()


def _moment(value: datetime.datetime | None) -> str | None:
    """Return the instant as the API writes it: ISO 8601 in the current time zone."""
    return None if value is None else _DATETIME.to_representation(value)


def _party(party: Any) -> dict[str, Any] | None:
    return None if party is None else {"id": party.pk, "name": party.name}


class SlaExplanationSerializer(ClockSerializer):
    explanation = serializers.ListField(child=serializers.CharField())

    class Meta(ClockSerializer.Meta):
        fields = [*ClockSerializer.Meta.fields, "explanation"]


class MessageSerializer(serializers.ModelSerializer[Message]):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "visibility", "channel", "body", "author", "created_at"]
        read_only_fields = fields

    def get_author(self, message: Message) -> str:
        if message.author_contact is not None:
            return message.author_contact.name
        if message.author_user is not None:
            return message.author_user.get_full_name() or message.author_user.username
        return ""


class MessagePostOut(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=[str(o) for o in services.ReplyOutcome],
        help_text="added; resumed (the desk was waiting on you); reopened; new_ticket.",
    )
    ticket = serializers.CharField(help_text="The ticket the reply landed on.")
    message = MessageSerializer(allow_null=True)


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "internal", "message", "created_at"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer[TicketEvent]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = ["at", "actor", "action", "field", "old_value", "new_value", "note"]
        read_only_fields = fields

    def get_actor(self, event: TicketEvent) -> str | None:
        return event.actor.username if event.actor is not None else None


# ----------------------------------------------------------------------------- input


class TicketDetailsIn(serializers.Serializer[Any]):
    """What a ticket is about: its product, impact and urgency and its structured description."""

    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    impact = serializers.ChoiceField(choices=Level.choices, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Level.choices, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    steps_taken = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    expected_result = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    actual_result = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    reproducible = serializers.ChoiceField(choices=Reproducible.choices, required=False)
    administration = serializers.CharField(required=False, allow_blank=True, max_length=200)
    affected_users = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    business_impact = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    recent_changes = serializers.CharField(required=False, allow_blank=True, max_length=20_000)


class TicketCreateIn(TicketDetailsIn):
    requester = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.select_related("organisation"),
        required=False,
        help_text="The reporting contact; staff must give it, contacts report as themselves.",
    )
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.INCIDENT)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    requested_priority = serializers.CharField(max_length=20, required=False, allow_blank=True)


class TicketUpdateIn(TicketDetailsIn):
    title = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    priority = serializers.CharField(max_length=20, required=False)
    priority_justification = serializers.CharField(required=False, allow_blank=True)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    support_line = serializers.ChoiceField(choices=[1, 2, 3], required=False)


STAFF_ONLY_UPDATES = frozenset(
    {"priority", "priority_justification", "assignee", "team", "support_line"}
)
ASSIGNMENT_FIELDS = frozenset({"assignee", "team", "support_line"})


class StatusIn(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    outcome = serializers.ChoiceField(
        choices=workflow.Outcome.choices,
        required=False,
        allow_blank=True,
        help_text="How a closed ticket ended; without a note its standard text is used.",
    )
    supplier = serializers.PrimaryKeyRelatedField(
        queryset=Supplier.objects.all(), required=False, allow_null=True
    )
    supplier_reference = serializers.CharField(required=False, allow_blank=True, max_length=120)


class MessageIn(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=200_000)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)


class AttachmentIn(serializers.Serializer[Any]):
    file = serializers.FileField(allow_empty_file=True)
    message = serializers.IntegerField(required=False, allow_null=True)
    internal = serializers.BooleanField(default=False)


class LinkIn(serializers.Serializer[Any]):
    target = serializers.CharField(max_length=20, help_text="The other ticket's number.")
    kind = serializers.ChoiceField(choices=LinkKind.choices)


# ----------------------------------------------------------------------------- filters


class TicketFilter(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    priority = django_filters.CharFilter()
    organisation = django_filters.NumberFilter(field_name="organisation_id")
    product = django_filters.NumberFilter(field_name="product_id")
    assignee = django_filters.NumberFilter(field_name="assignee_id")
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


# ----------------------------------------------------------------------------- views


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
    parser_classes = [JSONParser, FormParser, MultiPartParser]

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
        assert isinstance(user, User)
        return user

    @extend_schema(request=TicketCreateIn, responses={201: TicketSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TicketCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        requester = values.pop("requester", None)
        if self._staff():
            if requester is None:
                raise ValidationError({"requester": [_("Staff must name the reporting contact.")]})
        else:
            me = selectors.contact_of(request.user)
            if me is None:
                raise ValidationError({"requester": [_("Only contacts and staff can report.")]})
            if requester is not None and requester.pk != me.pk:
                raise ValidationError({"requester": [_("You can only report as yourself.")]})
            requester = me
            if values["channel"] == Channel.PHONE:
                # Phone calls are logged by agents; a contact's own report is not one.
                values["channel"] = Channel.API
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
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)

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
        staff = self._staff()
        if not staff:
            forbidden = STAFF_ONLY_UPDATES & set(values)
            if forbidden:
                raise ValidationError({sorted(forbidden)[0]: [_("Only staff may change this.")]})
        actor = self._user()
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
            services.ticket_update(ticket=ticket, actor=actor, changes=values, staff=staff)
        return Response(TicketSerializer(self.get_queryset().get(pk=ticket.pk)).data)

    @extend_schema(request=StatusIn, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        data = StatusIn(data=request.data)
        data.is_valid(raise_exception=True)
        target = data.validated_data["status"]
        if not self._staff() and not workflow.customer_may_move_to(ticket.status, target):
            raise ValidationError(
                {"status": [_("A customer can only close a ticket or reopen a solved one.")]}
            )
        services.ticket_transition(
            ticket=ticket,
            actor=self._user(),
            status=target,
            note=data.validated_data.get("note", ""),
            supplier=data.validated_data.get("supplier"),
            supplier_reference=data.validated_data.get("supplier_reference", ""),
            outcome=data.validated_data.get("outcome", ""),
        )
        return Response(TicketSerializer(self.get_queryset().get(pk=ticket.pk)).data)

    @extend_schema(methods=["GET"], responses={200: MessageSerializer(many=True)})
    @extend_schema(methods=["POST"], request=MessageIn, responses={201: MessagePostOut})
    @action(detail=True, methods=["get", "post"], url_path="messages")
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
        if contact is None:
            message = services.ticket_add_message(
                ticket=ticket,
                body=data.validated_data["body"],
                author=self._user(),
                visibility=data.validated_data["visibility"],
                channel=Channel.API,
            )
            reply = services.CustomerReply(ticket, message, services.ReplyOutcome.ADDED)
        else:
            if data.validated_data["visibility"] != Visibility.PUBLIC:
                raise ValidationError({"visibility": [_("Only staff can write internal notes.")]})
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
    )
    def attachments(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        if request.method == "GET":
            attachments = selectors.attachments_visible_to(request.user, ticket)
            return Response(AttachmentSerializer(attachments, many=True).data)
        data = AttachmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        staff = self._staff()
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
        if internal and not staff:
            raise ValidationError({"internal": [_("Only staff can add internal attachments.")]})
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
    @action(detail=True, methods=["get"], url_path="sla")
    def sla(self, request: Request, number: str) -> Response:
        """Each SLA target of the ticket now, with the explanation of its due time."""
        ticket = self.get_object()
        now = timezone.now()
        rows = [
            {
                **ClockSerializer(ticket_sla.clock_row(ticket, result, now)).data,
                "explanation": text.lines(),
            }
            for result, text in ticket_sla.explanations(ticket, now=now).values()
        ]
        return Response(rows)

    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="events")
    def events(self, request: Request, number: str) -> Response:
        ticket = self.get_object()
        events = selectors.events_visible_to(request.user, ticket).select_related("actor")
        return Response(EventSerializer(events, many=True).data)

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
