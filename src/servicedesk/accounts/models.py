"""People and parties: users, staff roles, teams, suppliers, organisations, contacts."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from servicedesk.catalog.models import Product


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    DUTCH = "nl", _("Dutch")
    FRENCH = "fr", _("French")


class StaffRole(models.TextChoices):
    """The vendor's roles; a user without one is a customer contact."""

    AGENT = "agent", _("Agent")
    TEAM_LEAD = "team_lead", _("Team lead")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class SupportLine(models.IntegerChoices):
    """Line 1 is the customer's key user, 2 the vendor's support, 3 development or a supplier."""

    FIRST = 1, _("Line 1")
    SECOND = 2, _("Line 2")
    THIRD = 3, _("Line 3")


class User(AbstractUser):
    """A person who signs in: vendor staff (with a role) or a customer contact (without)."""

    role = models.CharField(_("staff role"), max_length=20, choices=StaffRole.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_agent(self) -> bool:
        """Return whether this user works for the vendor (any staff role)."""
        return bool(self.role) and self.is_active


class Team(models.Model):
    """A group of agents working one support line, led by a team lead."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    support_line = models.PositiveSmallIntegerField(
        _("support line"), choices=SupportLine.choices, default=SupportLine.SECOND
    )
    lead = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("team lead"),
    )
    members = models.ManyToManyField(
        User, blank=True, related_name="teams", verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Supplier(models.Model):
    """An outside supplier (line 3) whose own ticket system we follow."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    ticket_url_template = models.CharField(
        _("ticket URL template"),
        max_length=300,
        blank=True,
        help_text=_("Address of a ticket at the supplier, with {reference} for its number."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A customer organisation."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    email_domains = models.CharField(
        _("e-mail domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated domains whose senders belong to this organisation."),
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer organisation: a reporter, a key user or the CPC."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("organisation"),
    )
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    is_cpc = models.BooleanField(
        _("central point of contact"),
        default=False,
        help_text=_("The organisation's central point of contact sees all its tickets."),
    )
    key_user_products = models.ManyToManyField(
        Product,
        blank=True,
        related_name="key_users",
        verbose_name=_("key user for"),
        help_text=_("A key user sees the organisation's tickets about these products."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="contact_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
