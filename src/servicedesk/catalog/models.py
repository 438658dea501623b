"""Products (the category a ticket is about) grouped in product groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductGroup(models.Model):
    """A family of products, used for queues and reports."""

    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product or product area a customer can report about."""

    group = models.ForeignKey(
        ProductGroup, on_delete=models.PROTECT, related_name="products", verbose_name=_("group")
    )
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group__name", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return self.name
