"""Template tags of the outage pages: the desk ticket page's panel, the portal's banner and
the report page's hint. Each asks the outage selectors for what its reader may see."""

from typing import Any

from django import template
from django.forms import Form

from servicedesk.outages.forms import SubscriptionForm, TicketOutageForm
from servicedesk.outages.models import Outage, OutageState
from servicedesk.outages.selectors import (
    covered_products,
    outages_current_for,
    outages_of_ticket,
    subscriptions_of,
)
from servicedesk.outages.views import chosen_product, intake_hint_context
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import contact_of, is_staff

register = template.Library()

STATUS_VIEWS = frozenset({"outages:status", "outages:status-notice"})

BADGES = {
    OutageState.INVESTIGATING: "sla-breached",
    OutageState.IDENTIFIED: "sla-warning",
    OutageState.MONITORING: "sla-running",
    OutageState.RESOLVED: "sla-met",
    OutageState.CLOSED: "sla-none",
}


@register.filter
def outage_badge(outage: Outage) -> str:
    """{{ outage|outage_badge }}: the badge class of the notice's state."""
    return BADGES.get(OutageState(outage.state), "sla-none")


def _request_user(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("outages/ticket_panel.html", takes_context=True)
def outage_panel(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """{% outage_panel ticket %}: the notices the ticket is linked to, and a form to link it
    to a current one (the desk's ticket page)."""
    user = _request_user(context)
    if user is None or not is_staff(user):
        return {"show": False}
    linked = list(outages_of_ticket(user=user, ticket=ticket))
    linked_ids = {outage.pk for outage in linked}
    current = [o for o in outages_current_for(user=user) if o.pk not in linked_ids]
    # The notices about the ticket's product first: the likeliest choice.
    current.sort(key=lambda o: ticket.product_id not in {p.pk for p in o.products.all()})
    return {
        "show": True,
        "ticket": ticket,
        "linked": linked,
        "form": TicketOutageForm(outages=current) if current else None,
        "csrf_token": context.get("csrf_token"),
    }


def _on_status_pages(request: Any) -> bool:
    """The status pages list the notices themselves: no banner above them."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in STATUS_VIEWS


@register.inclusion_tag("outages/banner.html", takes_context=True)
def outages_banner(context: template.Context) -> dict[str, Any]:
    """{% outages_banner %}: the current notices about the signed-in contact's products,
    at the top of every portal page, with the e-mail subscription control."""
    request = context.get("request")
    user = _request_user(context)
    contact = contact_of(user) if user is not None else None
    if contact is None or is_staff(user) or _on_status_pages(request):
        return {"notices": []}
    notices = outages_current_for(user=user)
    if not notices:
        return {"notices": []}
    products = list(covered_products(organisation_id=contact.organisation_id))
    own = {product.pk for product in products}
    subscribed = {sub.product_id for sub in subscriptions_of(contact=contact)}
    return {
        "notices": [
            (notice, [p for p in notice.products.all() if p.pk in own]) for notice in notices
        ],
        "subscribed_all": None in subscribed,
        "form": SubscriptionForm(products=products),
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("outages/intake_hint.html", takes_context=True)
def outage_intake_hint(context: template.Context, form: Form) -> dict[str, Any]:
    """{% outage_intake_hint form %}: on the portal's report page, the unresolved notices
    about the chosen product, each with "my report is about this disruption"."""
    request = context.get("request")
    if request is None or contact_of(request.user) is None:
        return {"notices": [], "hidden": True}
    value = form["product"].value() if "product" in form.fields else None
    product = chosen_product(request, str(value or ""))
    return intake_hint_context(request, product)
