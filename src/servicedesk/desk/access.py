"""Who may use the desk: signed-in staff. Contacts and strangers get a 403."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from servicedesk.accounts.models import User
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.selectors import is_staff, tickets_visible_to


def desk_agent(request: HttpRequest) -> User:
    """Return the staff member behind the request; PermissionDenied for anyone else."""
    user = request.user
    if not isinstance(user, User) or not is_staff(user):
        raise PermissionDenied
    return user


def desk_ticket(request: HttpRequest, number: str) -> Ticket:
    """Return the ticket by number, with what its page shows; 404 if there is none."""
    return get_object_or_404(
        tickets_visible_to(request.user).select_related(
            "requester",
            "organisation",
            "product__group",
            "contract",
            "assignee",
            "team",
            "supplier",
        ),
        number=number.upper(),
    )
