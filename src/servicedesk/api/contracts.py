"""Contracts: what a customer is entitled to."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from servicedesk.api.ids import IdRelatedField
from servicedesk.api.permissions import ReadOrManage
from servicedesk.api.servicelevels import ServiceLevelKeyField
from servicedesk.contracts.models import Contract, scheme_mismatch, scheme_of
from servicedesk.tickets.selectors import contracts_visible_to


class ContractSerializer(serializers.ModelSerializer[Contract]):
    serializer_related_field = IdRelatedField
    service_level = ServiceLevelKeyField(help_text="The key of the service level.")

    class Meta:
        model = Contract
        fields = [
            "id",
            "organisation",
            "name",
            "reference",
            "products",
            "starts_on",
            "ends_on",
            "service_level",
            "priority_scheme",
            "calendar",
            "coverage",
            "warranty_ends_on",
            "reporters",
            "active",
        ]
        read_only_fields = ["id"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        level = attrs.get("service_level", getattr(self.instance, "service_level", None))
        key = getattr(level, "key", None)
        scheme = attrs.get("priority_scheme", getattr(self.instance, "priority_scheme", ""))
        if not scheme:
            attrs["priority_scheme"] = scheme = scheme_of(key) or ""
        problem = scheme_mismatch(key, scheme)
        if problem:
            raise serializers.ValidationError({"priority_scheme": [problem]})
        return attrs


class ContractViewSet(viewsets.ModelViewSet[Contract]):
    """Contracts: contacts see their organisation's; managers create and change them."""

    serializer_class = ContractSerializer
    permission_classes = [ReadOrManage]
    filterset_fields = ["organisation", "active", "service_level"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Contract]:
        return (
            contracts_visible_to(self.request.user)
            .prefetch_related("products")
            .order_by("organisation_id", "name")
        )
