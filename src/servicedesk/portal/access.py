"""Who may use the portal: signed-in contacts. Staff and strangers get a 403."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import contact_of, tickets_visible_to


def portal_contact(request: HttpRequest) -> Contact:
    """Return the contact behind the request's user; PermissionDenied for anyone else."""
    contact = contact_of(request.user)
    if contact is None:
        raise PermissionDenied
    return contact


def portal_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def visible_ticket(request: HttpRequest, number: str) -> Ticket:
    """Return the ticket if the user may see it; 404 otherwise (never reveal it exists)."""
    return get_object_or_404(
        tickets_visible_to(request.user).select_related(
            "product", "requester", "organisation", "contract", "assignee"
        ),
        number=number.upper(),
    )
