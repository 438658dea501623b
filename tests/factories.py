"""factory_boy factories for the desk's models; tickets are made through the services."""

from typing import Any

import factory
from django.utils import timezone

from servicedesk.accounts.models import Contact, Organisation, StaffRole, Supplier, Team, User
from servicedesk.catalog.models import Product, ProductGroup
from servicedesk.contracts.models import BusinessCalendar, Contract
from servicedesk.servicelevels.presets import ensure_preset_level
from servicedesk.tickets import completeness, services
from servicedesk.tickets.models import Ticket


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")


class StaffFactory(UserFactory):
    username = factory.Sequence(lambda n: f"agent{n}")
    role = StaffRole.AGENT


class ProductGroupFactory(factory.django.DjangoModelFactory[ProductGroup]):
    class Meta:
        model = ProductGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    group = factory.SubFactory(ProductGroupFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    code = factory.Sequence(lambda n: f"product-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Customer {n}")
    code = factory.Sequence(lambda n: f"customer-{n}")
    email_domains = factory.LazyAttribute(lambda o: f"{o.code}.example")


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    """A contact with a portal login."""

    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    user = factory.SubFactory(
        UserFactory,
        username=factory.SelfAttribute("..email"),
        email=factory.SelfAttribute("..email"),
    )


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class SupplierFactory(factory.django.DjangoModelFactory[Supplier]):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")


class BusinessCalendarFactory(factory.django.DjangoModelFactory[BusinessCalendar]):
    class Meta:
        model = BusinessCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    country = "NL"


class ContractFactory(factory.django.DjangoModelFactory[Contract]):
    class Meta:
        model = Contract

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Contract {n}")
    reference = factory.Sequence(lambda n: f"C-{n:05d}")
    service_level = "severity-nl-office-hours"
    priority_scheme = "severity-1-4"
    starts_on = factory.LazyFunction(lambda: timezone.now().date())

    @classmethod
    def _create(cls, model_class: type[Contract], *args: Any, **kwargs: Any) -> Contract:
        # A transactional test empties the database, and the seeded service levels with it.
        if isinstance(kwargs.get("service_level"), str):
            ensure_preset_level(kwargs["service_level"])
        return super()._create(model_class, *args, **kwargs)


COMPLETE_REPORT = {
    "description": "Printing an invoice shows an error.",
    "steps_taken": "Opened invoice 2024-001 and pressed Print.",
    "expected_result": "The invoice is printed.",
    "actual_result": "Error 'printer not found'.",
    "reproducible": "yes",
    "administration": "Main company",
    "affected_users": "Everyone in accounting",
    "business_impact": "Invoices cannot be sent.",
}


def complete_details(kind: str = "incident", **details: str) -> dict[str, str]:
    """Return description fields that pass the completeness check for the kind."""
    required = completeness.REQUIRED_BY_KIND.get(kind, ())
    return {**{f: COMPLETE_REPORT[f] for f in required}, **details}


def make_ticket(requester: Contact | None = None, **kwargs: Any) -> Ticket:
    """Create a ticket through the service, as every channel does; its report is complete
    unless the test says otherwise (`details`)."""
    kwargs.setdefault("title", "Invoices do not print")
    kwargs["details"] = complete_details(
        kwargs.get("kind", "incident"), **kwargs.get("details", {})
    )
    return services.ticket_create(requester=requester or ContactFactory(), **kwargs)
