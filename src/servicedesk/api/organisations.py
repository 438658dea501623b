"""Organisations: customers of the desk."""

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from servicedesk.accounts.models import Organisation
from servicedesk.api.permissions import ReadOrManage
from servicedesk.tickets.selectors import organisations_visible_to


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["id", "name", "code", "email_domains", "language", "active", "created_at"]
        read_only_fields = ["id", "created_at"]


class OrganisationViewSet(viewsets.ModelViewSet[Organisation]):
    """Customer organisations: contacts see their own; managers create and change them."""

    serializer_class = OrganisationSerializer
    permission_classes = [ReadOrManage]
    filterset_fields = ["active", "code"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return organisations_visible_to(self.request.user).order_by("name")
