"""Change proposals in the REST API: list and read (scoped like tickets), create (staff),
decide (the customer), plan and release (staff); and the desk's decision on a change
request. Registered in `servicedesk.api.urls`; refusals come from the change services."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.accounts.models import User
from servicedesk.changes import selectors, services
from servicedesk.changes.models import Pricing, Proposal
from servicedesk.changes.policy import NotFound as PolicyNotFound
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import is_staff
from servicedesk.tickets.selectors import tickets_visible_to

# What only the desk reads of a proposal.
INTERNAL_FIELDS = ("author", "consultant", "internal_note", "reminded_at", "next_look_at")


class ProposalSerializer(serializers.ModelSerializer[Proposal]):
    """A proposal as the customer reads it."""

    ticket = serializers.CharField(source="ticket.number", read_only=True)
    answered_by = serializers.CharField(
        source="answered_by.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "ticket",
            "version",
            "state",
            "scope",
            "approach",
            "impact",
            "estimate_hours",
            "pricing",
            "hourly_rate",
            "price",
            "window_start",
            "window_end",
            "created_at",
            "answer_due_at",
            "answered_at",
            "answered_by",
            "answer_comment",
            "lapsed_at",
            "planned_start",
            "planned_end",
            "planned_at",
            "released_at",
        ]
        read_only_fields = fields


class StaffProposalSerializer(ProposalSerializer):
    """A proposal as the desk reads it: with its author, consultant and internal note."""

    author = serializers.CharField(source="author.username", read_only=True)
    consultant = serializers.CharField(
        source="consultant.username", read_only=True, allow_null=True, default=None
    )

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, *INTERNAL_FIELDS]
        read_only_fields = fields


class ProposalCreateIn(serializers.Serializer[Any]):
    ticket = serializers.CharField(help_text="The change request's number, e.g. SD-000123.")
    scope = serializers.CharField(max_length=10_000)
    approach = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )
    impact = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    estimate_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    pricing = serializers.ChoiceField(choices=Pricing.choices, default=Pricing.HOURLY)
    fixed_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    window_start = serializers.DateField(required=False, allow_null=True, default=None)
    window_end = serializers.DateField(required=False, allow_null=True, default=None)
    internal_note = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, default=""
    )


class DecideIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=[("accept", "accept"), ("reject", "reject")])
    comment = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class PlanIn(serializers.Serializer[Any]):
    planned_start = serializers.DateField()
    planned_end = serializers.DateField()
    consultant = serializers.IntegerField(help_text="The staff user's id.")


class ReleaseIn(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class ChangeDecisionIn(serializers.Serializer[Any]):
    ticket = serializers.CharField(help_text="The ticket's number.")
    decision = serializers.ChoiceField(
        choices=[("park", "park"), ("rejected", "rejected"), ("roadmap", "roadmap")],
        help_text="park: a change request awaiting a decision (an incident or question "
        "becomes a change request); rejected: closes it; roadmap: into development.",
    )
    note = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")


class ChangeDecisionOut(serializers.Serializer[Any]):
    ticket = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def _call[T](run: Callable[[], T]) -> T:
    """Run a service; a "does not exist for you" refusal is a 404, others a 400."""
    try:
        return run()
    except PolicyNotFound:
        raise NotFound from None


def _ticket(request: Request, number: str) -> Ticket:
    """Return the ticket named in the request's body: a number the caller cannot see is a
    field error (400), as a number that does not exist, so neither tells them apart."""
    ticket = (
        tickets_visible_to(request.user)
        .select_related("contract", "organisation", "requester")
        .filter(number=number.strip().upper())
        .first()
    )
    if ticket is None:
        raise serializers.ValidationError({"ticket": [_("No ticket with this number.")]})
    return ticket


class ProposalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Proposal]
):
    """Change proposals the caller may see, newest first."""

    serializer_class = ProposalSerializer
    filterset_fields = ["state"]

    def get_queryset(self) -> QuerySet[Proposal]:
        return selectors.proposals_visible_to(self.request.user)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if is_staff(self.request.user):
            return StaffProposalSerializer
        return ProposalSerializer

    def _reply(self, proposal: Proposal, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=proposal.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=ProposalCreateIn, responses={201: StaffProposalSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        data = ProposalCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ticket = _ticket(request, values.pop("ticket"))
        proposal = _call(lambda: services.proposal_create(ticket=ticket, actor=user, **values))
        return self._reply(proposal, status.HTTP_201_CREATED)

    @extend_schema(request=DecideIn, responses={200: ProposalSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Accept or reject the proposal (a customer the contract allows)."""
        proposal = self.get_object()
        data = DecideIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = _user(request)
        _call(
            lambda: services.proposal_answer(
                proposal=proposal,
                actor=user,
                accept=data.validated_data["decision"] == "accept",
                comment=data.validated_data["comment"],
            )
        )
        return self._reply(proposal)

    @extend_schema(request=PlanIn, responses={200: StaffProposalSerializer})
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, pk: str | None = None) -> Response:
        """Plan an accepted proposal (staff)."""
        proposal = self.get_object()
        data = PlanIn(data=request.data)
        data.is_valid(raise_exception=True)
        consultant = User.objects.filter(pk=data.validated_data["consultant"]).first()
        if consultant is None:
            raise serializers.ValidationError({"consultant": ["No such user."]})
        user = _user(request)
        _call(
            lambda: services.proposal_plan(
                proposal=proposal,
                actor=user,
                planned_start=data.validated_data["planned_start"],
                planned_end=data.validated_data["planned_end"],
                consultant=consultant,
            )
        )
        return self._reply(proposal)

    @extend_schema(request=ReleaseIn, responses={200: StaffProposalSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        """Release the accepted change: the customer is told and the ticket closes (staff)."""
        proposal = self.get_object()
        data = ReleaseIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = _user(request)
        _call(
            lambda: services.change_release(
                ticket=proposal.ticket, actor=user, note=data.validated_data["note"]
            )
        )
        return self._reply(proposal)


class ChangeDecisionView(APIView):
    """The desk's decision on a change request: park it, reject it or take it into the
    roadmap (a proposal is made with POST /proposals/)."""

    @extend_schema(request=ChangeDecisionIn, responses={200: ChangeDecisionOut})
    def post(self, request: Request) -> Response:
        data = ChangeDecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        user = _user(request)
        ticket = _ticket(request, data.validated_data["ticket"])
        decision, note = data.validated_data["decision"], data.validated_data["note"]
        if decision == "park":
            _call(lambda: services.change_park(ticket=ticket, actor=user, note=note))
        else:
            _call(
                lambda: services.change_decide(
                    ticket=ticket, actor=user, decision=decision, note=note
                )
            )
        body = {"ticket": ticket.number, "kind": ticket.kind, "status": ticket.status}
        return Response(ChangeDecisionOut(body).data)
