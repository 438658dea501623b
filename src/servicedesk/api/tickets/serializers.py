"""How the API writes a ticket and its parts, and reads what callers send."""

import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from servicedesk.accounts.models import Contact, Supplier, Team, User
from servicedesk.api.ids import IdRelatedField
from servicedesk.catalog.models import Product
from servicedesk.tickets import services, workflow
from servicedesk.tickets import sla as ticket_sla
from servicedesk.tickets.disclosure import INTERNAL_FIELDS, Disclosure, disclosure_for
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
    support_line = serializers.IntegerField(
        allow_null=True, help_text="1, 2 or 3; null for customers (internal)."
    )
    supplier = PartySerializer(allow_null=True)
    supplier_reference = serializers.CharField(
        allow_null=True, help_text="The supplier's ticket; null for customers (internal)."
    )
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
        # What the caller may read is `disclosure`'s: internal fields come out empty.
        ticket = instance
        clock = ClockSerializer()
        shown = _disclosure(self)
        clocks = list(ticket.clocks.all())
        data = {
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
            "sla": [clock.to_representation(c) for c in shown.clocks(clocks)],
        }
        if not shown.staff:
            data.update(dict.fromkeys(INTERNAL_FIELDS, None))
            data["sla_due_at"] = _moment(shown.due_at(clocks))
        return data


_DATETIME = serializers.DateTimeField()


def _disclosure(serializer: serializers.BaseSerializer[Any]) -> Disclosure:
    """Return what the request's caller may read; without a request, what staff read (the
    API always passes its request)."""
    request = serializer.context.get("request")
    if request is None:
        return Disclosure(reader=None, staff=True)
    return disclosure_for(request.user)


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
        return _disclosure(self).person(event.actor)


# Input


class TicketDetailsIn(serializers.Serializer[Any]):
    """What a ticket is about: its product, impact and urgency and its structured description."""

    product = IdRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
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
    requester = IdRelatedField(
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
    assignee = IdRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    team = IdRelatedField(queryset=Team.objects.all(), required=False)
    support_line = serializers.ChoiceField(choices=[1, 2, 3], required=False)


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
    supplier = IdRelatedField(queryset=Supplier.objects.all(), required=False, allow_null=True)
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
