from django.contrib import admin

from servicedesk.catalog.models import Product, ProductGroup
from servicedesk.core.admin_site import PolicyAdmin


@admin.register(ProductGroup)
class ProductGroupAdmin(PolicyAdmin[ProductGroup]):
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(PolicyAdmin[Product]):
    list_display = ["name", "code", "group", "active"]
    list_filter = ["group", "active"]
    search_fields = ["name", "code"]
