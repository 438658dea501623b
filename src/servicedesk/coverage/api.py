"""REST API v1: a ticket's coverage (who pays) and the customer's agreement to billable work.

GET  /api/v1/tickets/{number}/coverage            staff: everything; customers: whether
                                                  the work is billable and the agreement
POST /api/v1/tickets/{number}/coverage            staff record a decision
POST /api/v1/tickets/{number}/coverage/agreement  the requester or CPC agrees or declines

Rules are the services' (`coverage.policy`); these views only translate a refusal: a
ticket the caller may not see is a 404, an action they may not take a 403 naming the field.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicedesk.accounts.models import User
from servicedesk.api.parsers import BoundedJSONParser
from servicedesk.contracts.models import RequestType
from servicedesk.coverage import policy
from servicedesk.coverage.models import Agreement, CoverageDecision, Decision
from servicedesk.coverage.selectors import (
    HISTORY_SHOWN,
    customer_coverage,
    decisions_visible_to,
)
from servicedesk.coverage.services import coverage_answer, coverage_decide
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import Refusal
from servicedesk.tickets.selectors import tickets_visible_to

STAFF_ONLY = "Staff only; absent for customers."


class CoverageDecisionOut(serializers.Serializer[CoverageDecision]):
    decision = serializers.ChoiceField(choices=Decision.choices)
    suggested = serializers.CharField(help_text="The desk's suggestion at the time.")
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    against_specification = serializers.BooleanField()
    not_as_is = serializers.BooleanField()
    reason = serializers.CharField(help_text="Internal: never shown to the customer.")
    decided_by = serializers.CharField(source="decided_by.username")
    decided_at = serializers.DateTimeField()
    agreement = serializers.ChoiceField(choices=Agreement.choices)


class CoverageOut(serializers.Serializer[Any]):
    decided = serializers.BooleanField(help_text="Whether the desk has decided who pays.")
    billable = serializers.BooleanField(help_text="The work is billable to the customer.")
    agreement = serializers.ChoiceField(
        choices=Agreement.choices, help_text="Where the customer's agreement stands."
    )
    answered_at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField(
        allow_blank=True, help_text="The customer's comment with their answer."
    )
    may_answer = serializers.BooleanField(help_text="The caller may agree or decline now.")
    decision = serializers.ChoiceField(
        choices=Decision.choices,
        allow_blank=True,
        required=False,
        help_text=f'The current decision; "" when undecided. {STAFF_ONLY}',
    )
    history = CoverageDecisionOut(
        many=True, required=False, help_text=f"Latest first. {STAFF_ONLY}"
    )


class CoverageDecisionIn(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=Decision.choices)
    request_type = serializers.ChoiceField(choices=RequestType.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Internal. Empty: the suggestion's; needed to decide otherwise.",
    )
    against_specification = serializers.BooleanField(required=False, default=False)
    not_as_is = serializers.BooleanField(required=False, default=False)


class CoverageAgreementIn(serializers.Serializer[Any]):
    agree = serializers.BooleanField(help_text="true: agree to the billable work; false: decline.")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def _ticket(request: Request, number: str) -> Ticket:
    return get_object_or_404(
        tickets_visible_to(request.user).select_related("contract", "requester"),
        number=number.upper(),
    )


def _user(request: Request) -> User:
    if not isinstance(request.user, User):
        raise NotAuthenticated
    return request.user


def _refused(refusal: Refusal) -> Exception:
    fields = refusal.message_dict
    if "ticket" in fields:
        return NotFound()
    return PermissionDenied(fields)


def _coverage(request: Request, ticket: Ticket) -> dict[str, Any]:
    """Return what the caller reads of the ticket's coverage."""
    user = request.user
    part = customer_coverage(user, ticket=ticket)
    body: dict[str, Any] = {
        "decided": part.decided,
        "billable": part.billable,
        "agreement": part.agreement,
        "answered_at": part.answered_at,
        "comment": part.comment,
        "may_answer": part.may_answer,
    }
    if policy.allows(user, policy.Action.READ_INTERNAL, ticket=ticket):
        history = list(decisions_visible_to(user, ticket=ticket)[:HISTORY_SHOWN])
        body["decision"] = history[0].decision if history else ""
        body["history"] = history
    return body


class CoverageView(APIView):
    """A ticket's coverage: who pays for its work."""

    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    @extend_schema(responses={200: CoverageOut}, operation_id="tickets_coverage_retrieve")
    def get(self, request: Request, number: str) -> Response:
        ticket = _ticket(request, number)
        try:
            body = _coverage(request, ticket)
        except Refusal as refusal:
            raise _refused(refusal) from refusal
        return Response(CoverageOut(body).data)

    @extend_schema(
        request=CoverageDecisionIn,
        responses={201: CoverageOut},
        operation_id="tickets_coverage_create",
    )
    def post(self, request: Request, number: str) -> Response:
        ticket = _ticket(request, number)
        data = CoverageDecisionIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            coverage_decide(ticket=ticket, actor=_user(request), **data.validated_data)
        except Refusal as refusal:
            raise _refused(refusal) from refusal
        body = _coverage(request, ticket)
        return Response(CoverageOut(body).data, status=status.HTTP_201_CREATED)


class AgreementView(APIView):
    """The customer's answer to billable work: agree or decline, once."""

    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=CoverageAgreementIn,
        responses={200: CoverageOut},
        operation_id="tickets_coverage_agreement_create",
    )
    def post(self, request: Request, number: str) -> Response:
        ticket = _ticket(request, number)
        data = CoverageAgreementIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            coverage_answer(
                ticket=ticket,
                actor=_user(request),
                agree=data.validated_data["agree"],
                comment=data.validated_data.get("comment", ""),
            )
        except Refusal as refusal:
            raise _refused(refusal) from refusal
        return Response(CoverageOut(_coverage(request, ticket)).data)
