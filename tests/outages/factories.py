"""A small world for the outage tests: products, organisations, their CPCs and the desk."""

import datetime
from dataclasses import dataclass
from typing import Any

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.mail.models import OutboundMail
from servicedesk.outages import services
from servicedesk.outages.models import Outage
from tests.factories import ContactFactory, ContractFactory, ProductFactory, StaffFactory

OUTAGE_KINDS = ("outage", "outage_alert")


@dataclass
class World:
    """Two organisations use the payroll product, a third only another product."""

    payroll: Product
    other: Product
    lead: User  # the team manager of the product (team lead: R and A for outages)
    service_manager: User
    agent: User
    cpc_a: Contact
    user_a: Contact
    cpc_b: Contact
    user_b: Contact
    cpc_c: Contact  # organisation C: only the other product
    contract_a: Contract
    contract_b: Contract


def contract(contact: Contact, *products: Product, **fields: Any) -> Contract:
    fields.setdefault("satisfaction_survey", False)
    made = ContractFactory(
        organisation=contact.organisation, starts_on=datetime.date(2026, 1, 1), **fields
    )
    made.products.set(products)
    return made


def world() -> World:
    payroll = ProductFactory(name="Payroll")
    other = ProductFactory(name="Time registration")
    cpc_a = ContactFactory(is_cpc=True, language="nl")
    user_a = ContactFactory(organisation=cpc_a.organisation, language="en")
    cpc_b = ContactFactory(is_cpc=True, language="fr")
    user_b = ContactFactory(organisation=cpc_b.organisation, language="nl")
    cpc_c = ContactFactory(is_cpc=True)
    contract_a = contract(cpc_a, payroll)
    contract_b = contract(cpc_b, payroll, other)
    contract(cpc_c, other)
    return World(
        payroll=payroll,
        other=other,
        lead=StaffFactory(role=StaffRole.TEAM_LEAD, first_name="Tessa", last_name="Lead"),
        service_manager=StaffFactory(role=StaffRole.SERVICE_MANAGER),
        agent=StaffFactory(),
        cpc_a=cpc_a,
        user_a=user_a,
        cpc_b=cpc_b,
        user_b=user_b,
        cpc_c=cpc_c,
        contract_a=contract_a,
        contract_b=contract_b,
    )


def publish(w: World, **kwargs: Any) -> Outage:
    kwargs.setdefault("title", "Payslips cannot be generated")
    kwargs.setdefault("products", [w.payroll])
    kwargs.setdefault("symptoms", "Generating payslips ends with an error.")
    kwargs.setdefault("manager", w.lead)
    kwargs.setdefault("started_at", kwargs.pop("now", None) or _now())
    return services.outage_create(actor=w.lead, **kwargs)


def _now() -> datetime.datetime:
    from django.utils import timezone

    return timezone.now()


def outage_mails(**filters: Any) -> list[OutboundMail]:
    """Return the outage mails stored, oldest first."""
    return list(
        OutboundMail.objects.filter(kind__in=OUTAGE_KINDS, **filters).order_by("created_at", "pk")
    )


def addresses(mails: list[OutboundMail]) -> list[str]:
    return sorted(mail.to for mail in mails)
