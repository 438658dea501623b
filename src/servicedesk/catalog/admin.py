from django.contrib import admin

from servicedesk.catalog.models import Product, ProductGroup


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin[ProductGroup]):
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["name", "code", "group", "active"]
    list_filter = ["group", "active"]
    search_fields = ["name", "code"]
