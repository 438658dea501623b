"""Contacts: people at customer organisations."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets

from servicedesk.accounts.models import Contact
from servicedesk.api.ids import IdRelatedField
from servicedesk.api.permissions import ReadOrManage
from servicedesk.tickets.selectors import contacts_visible_to


class ContactSerializer(serializers.ModelSerializer[Contact]):
    serializer_related_field = IdRelatedField
    class Meta:
        model = Contact
        fields = [
            "id",
            "organisation",
            "name",
            "email",
            "phone",
            "language",
            "is_cpc",
            "key_user_products",
            "active",
        ]
        read_only_fields = ["id"]

    def validate_email(self, value: str) -> str:
        existing = Contact.objects.filter(email__iexact=value)
        if self.instance is not None:
            existing = existing.exclude(pk=self.instance.pk)
        if existing.exists():
            raise serializers.ValidationError(_("A contact with this e-mail address exists."))
        return value.lower()


class ContactViewSet(viewsets.ModelViewSet[Contact]):
    """Contacts: a CPC sees colleagues, others themselves; managers create and change them."""

    serializer_class = ContactSerializer
    permission_classes = [ReadOrManage]
    filterset_fields = ["organisation", "is_cpc", "active", "email"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Contact]:
        return (
            contacts_visible_to(self.request.user)
            .prefetch_related("key_user_products")
            .order_by("name", "pk")
        )
