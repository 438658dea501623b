"""Who may make or download a service review pack, and of which organisation.

The rule, with the policy's notions of who is who (`servicedesk.tickets.policy`):

- service managers and administrators (and superusers) make the pack of any organisation,
  in the customer's edition or in the internal one (with the desk's own targets and which
  line or supplier held the tickets);
- a customer organisation's central point of contact (CPC) downloads its own
  organisation's pack, in the customer's edition; another organisation's is answered as
  if it did not exist;
- nobody else: agents and team leads keep their queues and reports, other contacts their
  tickets.

The desk asks `pack_maker` / `pack_reader`, the portal `pack_recipient` /
`customer_pack_reader`; a refusal is a `PermissionDenied` (403), an organisation the reader
may not see a `PackNotFound` (404). Menus ask `makes_packs` / `downloads_packs`.
"""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, Organisation, StaffRole, User
from servicedesk.tickets import policy

MAKING_ROLES = frozenset({StaffRole.SERVICE_MANAGER, StaffRole.ADMINISTRATOR})


class PackNotFound(ObjectDoesNotExist):
    """An organisation that does not exist, or whose pack the reader may not have."""


@dataclass(frozen=True, slots=True)
class PackReader:
    """Who reads a pack, of which organisation, in which edition (`internal`: the desk's)."""

    user: User
    organisation: Organisation
    internal: bool


def makes_packs(user: policy.AnyUser | None) -> bool:
    """Return whether the user makes review packs in the desk: service managers and
    administrators (and superusers)."""
    return policy.is_staff(user) and bool(
        user is not None and (user.is_superuser or getattr(user, "role", "") in MAKING_ROLES)
    )


def downloads_packs(user: policy.AnyUser | None) -> bool:
    """Return whether the user downloads their own organisation's pack in the portal: the
    organisation's central point of contact."""
    if policy.is_staff(user):
        return False
    contact = policy.contact_of(user)
    return contact is not None and contact.is_cpc


def pack_maker(user: policy.AnyUser | None) -> User:
    """Return the user if they make review packs in the desk; PermissionDenied otherwise."""
    if user is None or not user.is_authenticated or not isinstance(user, User):
        raise PermissionDenied(_("Sign in first."))
    if not makes_packs(user):
        raise PermissionDenied(
            _("Service review packs are made by service managers and administrators.")
        )
    return user


def pack_reader(
    user: policy.AnyUser | None, *, organisation_id: int, internal: bool = False
) -> PackReader:
    """Return the desk's reader of the organisation's pack, in the chosen edition;
    PermissionDenied unless the user makes packs, PackNotFound for no such organisation."""
    maker = pack_maker(user)
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise PackNotFound
    return PackReader(maker, organisation, internal)


def pack_recipient(user: policy.AnyUser | None) -> Contact:
    """Return the contact behind the user if they download their organisation's pack (its
    central point of contact); PermissionDenied for anyone else, staff included (the desk
    is their door)."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    if not downloads_packs(user):
        raise PermissionDenied(
            _("The service review pack is for the organisation's central point of contact.")
        )
    contact = policy.contact_of(user)
    assert contact is not None  # downloads_packs said so
    return contact


def customer_pack_reader(user: policy.AnyUser | None, *, organisation_code: str) -> PackReader:
    """Return the portal's reader of the organisation's pack: its central point of contact,
    in the customer's edition; PackNotFound for any other organisation."""
    contact = pack_recipient(user)
    if organisation_code != contact.organisation.code or not isinstance(user, User):
        raise PackNotFound
    return PackReader(user, contact.organisation, internal=False)
