"""Products and product groups: what tickets are about."""

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from servicedesk.api.ids import IdRelatedField
from servicedesk.api.permissions import ReadOrManage
from servicedesk.catalog.models import Product
from servicedesk.tickets.selectors import products_visible_to


class ProductSerializer(serializers.ModelSerializer[Product]):
    serializer_related_field = IdRelatedField
    group_name = serializers.CharField(source="group.name", read_only=True)

    class Meta:
        model = Product
        fields = ["id", "name", "code", "group", "group_name", "active"]
        read_only_fields = ["id"]


class ProductViewSet(viewsets.ModelViewSet[Product]):
    """Products: readable by anyone signed in; managers create and change them."""

    serializer_class = ProductSerializer
    permission_classes = [ReadOrManage]
    filterset_fields = ["group", "active", "code"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Product]:
        return products_visible_to(self.request.user)
