"""Create (or find) the demo's reference data: catalogue, staff, teams, suppliers, customers.

Every row is fetched or created on its natural key, so a second run creates nothing. Rows
that already existed are left as they are: the demo never overwrites what someone changed.
"""

import datetime
import secrets
import string
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from servicedesk.accounts.models import Contact, Organisation, StaffRole, Supplier, Team, User
from servicedesk.catalog.models import Product, ProductGroup
from servicedesk.contracts.models import BusinessCalendar, Contract, Reporters
from servicedesk.demo import data
from servicedesk.sla.presets import PRESETS, Preset
from servicedesk.sla.schemes import PriorityScheme
from servicedesk.tickets.priorities import scheme_for

# Letters and digits only: a password that double-click selects whole and no shell mangles.
PASSWORD_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Login:
    """A demo login to print: the password is None when the user already existed."""

    label: str
    username: str
    password: str | None


@dataclass
class Customer:
    """A demo organisation with its contract, contacts and priority scheme."""

    spec: data.OrganisationSpec
    organisation: Organisation
    contract: Contract
    contacts: list[Contact]
    products: list[Product]
    scheme: PriorityScheme
    key_products: dict[int, set[int]] = field(default_factory=dict)  # contact pk -> product pks

    def may_report(self, contact: Contact, product: Product) -> bool:
        """Return whether the contact may report about the product (mirrors the service)."""
        if self.contract.reporters == Reporters.ANY_CONTACT or contact.is_cpc:
            return True
        return product.pk in self.key_products.get(contact.pk, set())


@dataclass
class Desk:
    """Handles on the reference rows the ticket generator needs."""

    products: dict[str, Product]
    staff: dict[str, User]
    teams: dict[str, Team]
    suppliers: list[tuple[data.SupplierSpec, Supplier]]
    customers: list[Customer]
    logins: list[Login]


def preset_for_seed(seed: str) -> Preset:
    """Return the SLA preset modelled on a seed procedure ("000".."004")."""
    for preset in PRESETS.values():
        if preset.seed == seed:
            return preset
    raise LookupError(f"no service-level preset for seed {seed}")


def _user(username: str, *, printed: str | None, logins: list[Login], **defaults: object) -> User:
    """Get or create a user; a new one gets a random password only if it is printed."""
    user, created = User.objects.get_or_create(
        username=username, defaults={**defaults, "password": make_password(None)}
    )
    if printed is not None:
        password = None
        if created:
            password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(16))
            user.set_password(password)
            user.save(update_fields=["password"])
        logins.append(Login(printed, username, password))
    return user


def create_catalog() -> dict[str, Product]:
    """Return the demo products by code, creating groups and products as needed."""
    products: dict[str, Product] = {}
    for group_name, items in data.PRODUCTS.items():
        group, _ = ProductGroup.objects.get_or_create(name=group_name)
        for code, name in items:
            products[code], _ = Product.objects.get_or_create(
                code=code, defaults={"group": group, "name": name}
            )
    return products


def create_staff(logins: list[Login]) -> dict[str, User]:
    """Return the vendor's staff by username: the admin superuser and every role."""
    staff = {
        data.ADMIN_USERNAME: _user(
            data.ADMIN_USERNAME,
            printed="Admin",
            logins=logins,
            email=f"admin@{data.VENDOR_DOMAIN}",
            first_name="Desk",
            last_name="Administrator",
            role=StaffRole.ADMINISTRATOR,
            is_staff=True,
            is_superuser=True,
        )
    }
    for spec in data.STAFF:
        staff[spec.username] = _user(
            spec.username,
            printed="Agent" if spec.username == data.DEMO_AGENT else None,
            logins=logins,
            email=f"{spec.username}@{data.VENDOR_DOMAIN}",
            first_name=spec.first_name,
            last_name=spec.last_name,
            role=spec.role,
            language=spec.language,
            is_staff=spec.role == StaffRole.ADMINISTRATOR,
        )
    return staff


def create_teams(staff: dict[str, User]) -> dict[str, Team]:
    """Return the support-line teams by name, with lead and members."""
    teams: dict[str, Team] = {}
    for spec in data.TEAMS:
        team, created = Team.objects.get_or_create(
            name=spec.name,
            defaults={"support_line": spec.support_line, "lead": staff[spec.lead]},
        )
        if created:
            team.members.add(*(staff[name] for name in spec.members))
        teams[spec.name] = team
    return teams


def create_suppliers() -> list[tuple[data.SupplierSpec, Supplier]]:
    """Return the external (line 3) suppliers with their specs."""
    return [
        (
            spec,
            Supplier.objects.get_or_create(
                name=spec.name,
                defaults={"email": spec.email, "ticket_url_template": spec.ticket_url_template},
            )[0],
        )
        for spec in data.SUPPLIERS
    ]


def _calendar(preset: Preset, subdivision: str) -> BusinessCalendar:
    """Return the business calendar of the preset, narrowed to a subdivision's holidays."""
    spec = preset.calendar
    fields = spec.as_dict()  # named like the BusinessCalendar model's fields
    subdivision = subdivision or spec.subdivision or ""
    fields["subdivision"] = subdivision
    country = spec.country or ""
    region = f"{country} ({subdivision})" if subdivision else country
    intervals = ", ".join(f"{start}-{end}" for start, end in spec.hours.get(0, ()))
    name = f"{region} office hours {intervals}".strip()
    calendar, _ = BusinessCalendar.objects.get_or_create(name=name, defaults=fields)
    return calendar


def _contact(
    spec: data.ContactSpec,
    org_spec: data.OrganisationSpec,
    organisation: Organisation,
    products: dict[str, Product],
    logins: list[Login],
) -> Contact:
    email = f"{spec.local_part}@{org_spec.domain}"
    first, _, last = spec.name.partition(" ")
    demo = org_spec.code == data.DEMO_CONTACT_ORGANISATION and spec.cpc
    user = _user(
        email,
        printed="Contact" if demo else None,
        logins=logins,
        email=email,
        first_name=first,
        last_name=last,
        language=spec.language,
    )
    contact, created = Contact.objects.get_or_create(
        email=email,
        defaults={
            "organisation": organisation,
            "user": user,
            "name": spec.name,
            "phone": spec.phone,
            "language": spec.language,
            "is_cpc": spec.cpc,
        },
    )
    if created and spec.key_user_for:
        contact.key_user_products.add(*(products[code] for code in spec.key_user_for))
    return contact


def create_customer(
    spec: data.OrganisationSpec,
    *,
    products: dict[str, Product],
    logins: list[Login],
    today: datetime.date,
) -> Customer:
    """Return one demo customer with contract and contacts, created as needed."""
    organisation, _ = Organisation.objects.get_or_create(
        code=spec.code,
        defaults={"name": spec.name, "email_domains": spec.domain, "language": spec.language},
    )
    preset = preset_for_seed(spec.seed)
    terms = spec.contract
    contract, created = Contract.objects.get_or_create(
        reference=terms.reference,
        defaults={
            "organisation": organisation,
            "name": terms.name,
            "starts_on": datetime.date(today.year - 1, 1, 1),
            "service_level_id": preset.key,
            "priority_scheme": preset.scheme.key,
            "calendar": _calendar(preset, terms.holiday_subdivision),
            "coverage": terms.coverage,
            "reporters": terms.reporters,
            "accepts_email": terms.accepts_email,
            "warranty_ends_on": (
                today + datetime.timedelta(days=terms.warranty_days)
                if terms.warranty_days is not None
                else None
            ),
        },
    )
    if created:
        contract.products.add(*(products[code] for code in terms.products))
    contacts = [_contact(c, spec, organisation, products, logins) for c in spec.contacts]
    covered = list(contract.products.all())
    key_products: dict[int, set[int]] = {}
    for through in Contact.key_user_products.through.objects.filter(contact__in=contacts):
        key_products.setdefault(through.contact_id, set()).add(through.product_id)
    return Customer(
        spec=spec,
        organisation=organisation,
        contract=contract,
        contacts=[c for c in contacts if c.active and c.organisation_id == organisation.pk],
        products=[p for p in covered if p.active] or list(products.values()),
        scheme=scheme_for(contract),
        key_products=key_products,
    )


def build_desk(*, today: datetime.date) -> Desk:
    """Create or find all reference data and return handles on it."""
    logins: list[Login] = []
    products = create_catalog()
    staff = create_staff(logins)
    teams = create_teams(staff)
    suppliers = create_suppliers()
    customers = [
        create_customer(spec, products=products, logins=logins, today=today)
        for spec in data.ORGANISATIONS
    ]
    return Desk(
        products=products,
        staff=staff,
        teams=teams,
        suppliers=suppliers,
        customers=customers,
        logins=logins,
    )
