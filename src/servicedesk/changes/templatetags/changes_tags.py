"""The Change panel of the desk's ticket page and the proposal block of the portal's."""

from typing import Any

from django import template

from servicedesk.changes import forms, selectors
from servicedesk.changes.models import AGREED_STATES, Proposal, ProposalState
from servicedesk.changes.policy import may_decide, may_see_change
from servicedesk.tickets.models import Kind, Status, Ticket
from servicedesk.tickets.policy import AnyUser, is_staff

register = template.Library()


def _revision_initial(latest: Proposal | None) -> dict[str, Any]:
    if latest is None:
        return {}
    return {
        "scope": latest.scope,
        "approach": latest.approach,
        "impact": latest.impact,
        "estimate_hours": latest.estimate_hours,
        "pricing": latest.pricing,
        "fixed_price": latest.price if latest.pricing == "fixed" else None,
        "window_start": latest.window_start,
        "window_end": latest.window_end,
    }


@register.inclusion_tag("changes/desk_panel.html", takes_context=True)
def change_panel(context: template.Context, ticket: Ticket, user: AnyUser) -> dict[str, Any]:
    """The desk's Change panel: decide, propose or revise, plan, release (staff only)."""
    if not is_staff(user):
        return {"show": False}
    proposals = selectors.ticket_proposals(user, ticket)
    latest = proposals[0] if proposals else None
    agreed = next((p for p in proposals if p.state in AGREED_STATES), None)
    is_open = ticket.status != Status.CLOSED
    is_change = ticket.kind == Kind.CHANGE_REQUEST
    return {
        "show": True,
        "ticket": ticket,
        "proposals": proposals,
        "latest": latest,
        "agreed": agreed,
        "may_park": is_open and ticket.status != Status.PARKED and agreed is None,
        "may_decide": is_open and is_change and agreed is None,
        "may_propose": is_open and agreed is None,
        "may_plan": is_open and agreed is not None and agreed.state != ProposalState.RELEASED,
        "may_release": is_open and is_change and ticket.status != Status.PARKED,
        "park_form": forms.ParkForm(),
        "decide_form": forms.DecideForm(),
        "proposal_form": forms.ProposalForm(initial=_revision_initial(latest)),
        "plan_form": forms.PlanForm(
            initial={
                "planned_start": agreed.planned_start or agreed.window_start,
                "planned_end": agreed.planned_end or agreed.window_end,
                "consultant": agreed.consultant_id,
            }
            if agreed
            else None
        ),
        "release_form": forms.ReleaseForm(),
    }


@register.inclusion_tag("changes/portal_block.html", takes_context=True)
def proposal_block(context: template.Context, ticket: Ticket, user: AnyUser) -> dict[str, Any]:
    """The portal's proposal block: the latest proposal, its answer form for those who may
    answer, the planning once planned, and the earlier versions."""
    if is_staff(user) or not may_see_change(user, ticket):
        return {"show": False}
    proposals = selectors.ticket_proposals(user, ticket)
    if not proposals:
        return {"show": False}
    latest = proposals[0]
    request = context.get("request")
    return {
        "show": True,
        "ticket": ticket,
        "proposal": latest,
        "earlier": proposals[1:],
        "may_decide": latest.is_pending and may_decide(user, ticket),
        "form": forms.AnswerForm(),
        "next": request.get_full_path() if request is not None else "",
    }
