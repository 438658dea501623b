"""Who wrote a mail: the contact with that address, or the organisation of its domain.

- `sender_identify(address, name)` returns a `Sender`: the contact whose address matches
  (case-insensitively), and the organisation: the contact's, else the one whose
  `email_domains` hold the address's domain (a subdomain counts: mail.klant.nl is klant.nl);
- `contact_create(...)` makes the contact for a new sender (when the policy allows);
- `reporter_names(...)` names who may report under a contract that restricts it (000).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from servicedesk.accounts.models import Contact, Organisation
from servicedesk.catalog.models import Product

MAX_REPORTER_NAMES = 5


@dataclass(frozen=True, slots=True)
class Sender:
    """The author of an inbound mail as the desk knows them."""

    email: str
    name: str
    contact: Contact | None
    organisation: Organisation | None

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()


def usable_address(address: str) -> bool:
    """Return whether the address can be stored on a contact and written to."""
    if not address or len(address) > 254:
        return False
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def domains_of(organisation: Organisation) -> set[str]:
    return {
        part.strip().lower().lstrip("@")
        for part in organisation.email_domains.split(",")
        if part.strip().strip("@")
    }


def _domain_matches(domain: str, known: set[str]) -> bool:
    return any(domain == item or domain.endswith("." + item) for item in known)


def organisation_for_domain(domain: str) -> Organisation | None:
    """Return the active organisation whose e-mail domains include this domain."""
    domain = domain.strip().lower()
    if not domain:
        return None
    # The domain or a parent of it appears in the comma-separated field: narrow in SQL.
    labels = domain.split(".")
    parents = {".".join(labels[i:]) for i in range(len(labels) - 1)} or {domain}
    mentioned = Q()
    for parent in parents:
        mentioned |= Q(email_domains__icontains=parent)
    candidates = Organisation.objects.filter(mentioned, active=True)
    for organisation in candidates.order_by("pk"):
        if _domain_matches(domain, domains_of(organisation)):
            return organisation
    return None


def sender_identify(address: str, name: str) -> Sender:
    """Return the contact and organisation behind a sender address."""
    contact = (
        Contact.objects.select_related("organisation").filter(email__iexact=address).first()
        if address
        else None
    )
    if contact is not None:
        return Sender(address, name, contact, contact.organisation)
    domain = address.rpartition("@")[2]
    return Sender(address, name, None, organisation_for_domain(domain))


def contact_create(*, email: str, name: str, organisation: Organisation) -> Contact:
    """Create and return the contact for a new sender (or the one a concurrent mail made)."""
    display = " ".join(name.split())[:200] or email.partition("@")[0][:200] or email
    try:
        with transaction.atomic():
            return Contact.objects.create(
                organisation=organisation,
                name=display,
                email=email,
                language=organisation.language,
            )
    except IntegrityError:
        existing = Contact.objects.filter(email__iexact=email).first()
        if existing is None:
            raise
        return existing


def reporter_names(*, organisation: Organisation, product: Product | None) -> list[str]:
    """Return who may report for the organisation: its CPCs, then key users (of the product)."""
    contacts = Contact.objects.filter(organisation=organisation, active=True)
    names = [contact.name for contact in contacts.filter(is_cpc=True).order_by("name")]
    key_users = contacts.filter(is_cpc=False, key_user_products__isnull=False)
    if product is not None:
        key_users = key_users.filter(key_user_products=product)
    names += list(key_users.order_by("name").values_list("name", flat=True))
    return list(dict.fromkeys(names))[:MAX_REPORTER_NAMES]
