"""Every change to an outage notice goes through one of these functions.

Each takes the acting person, asks `outages.policy`, validates, writes the change and its
history entry (`OutageUpdate`) in one transaction, and raises `tickets.policy.Refusal` (a
`ValidationError` keyed by the field at fault) when it may not. A public update records its
fan-out as due (`OutageFanout`); the worker (`outages.fanout`, from the tick) posts it on
the linked tickets and mails it, in batches, exactly once per ticket and contact.

The cadence (seed 003): the next update is promised at the latest `cadence` after the
last one (2 hours by default, at most a day) while the notice is unresolved; the worker
warns the responsible team manager WARN_BEFORE that and escalates when it passes. A
resolution needs the cause in non-technical words; the notice closes itself CLOSE_AFTER
(4 hours) later.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.outages import policy
from servicedesk.outages.models import (
    CLOSE_AFTER,
    DEFAULT_CADENCE,
    MAX_CADENCE,
    UNRESOLVED_STATES,
    WARN_BEFORE,
    Outage,
    OutageFanout,
    OutageState,
    OutageSubscription,
    OutageTicket,
    OutageUpdate,
)
from servicedesk.outages.policy import OutageAction
from servicedesk.outages.selectors import covered_products, outages_visible
from servicedesk.tickets.models import EventAction, Level, Ticket, TicketEvent
from servicedesk.tickets.policy import AnyUser, Refusal, is_staff


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


def _required(field: str, value: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


def _check_cadence(cadence: datetime.timedelta) -> datetime.timedelta:
    if cadence <= datetime.timedelta(0) or cadence > MAX_CADENCE:
        raise ValidationError(
            {"cadence": [_("Promise an update at least daily: at most 24 hours.")]}
        )
    return cadence


def _check_manager(manager: User) -> User:
    if not is_staff(manager):
        raise ValidationError({"manager": [_("The responsible manager must be active staff.")]})
    return manager


def _schedule(outage: Outage, *, due: datetime.datetime | None) -> None:
    """Set the promise and the worker's next looks of an unresolved notice (unsaved)."""
    outage.next_update_due_at = due
    outage.warn_at = due - WARN_BEFORE if due is not None else None
    outage.escalate_at = due


SCHEDULE_FIELDS = ("next_update_due_at", "warn_at", "escalate_at", "close_at")


def _promise(
    *, at: datetime.datetime, cadence: datetime.timedelta, due: datetime.datetime | None
) -> datetime.datetime:
    """Return when the next update is due: `due` if given (after `at`, within a day), else
    `cadence` after `at`."""
    if due is None:
        return at + cadence
    if due <= at:
        raise ValidationError({"next_update_due_at": [_("Promise the next update later.")]})
    if due - at > MAX_CADENCE:
        raise ValidationError(
            {"next_update_due_at": [_("Promise the next update within 24 hours.")]}
        )
    return due


def _record(
    outage: Outage,
    *,
    actor: AnyUser | None,
    at: datetime.datetime,
    text: str,
    public: bool,
    cause: str = "",
    late: bool = False,
) -> OutageUpdate:
    """Write a history entry; a public one also gets its fan-out, due at once."""
    update = OutageUpdate.objects.create(
        outage=outage,
        at=at,
        author=actor if isinstance(actor, User) else None,
        state=outage.state,
        text=text,
        cause=cause,
        next_update_due_at=outage.next_update_due_at,
        public=public,
        late=late,
    )
    if public:
        OutageFanout.objects.create(update=update, due_at=at)
    return update


# A start before this is a typing error (a year 194 is not a disruption to tell of).
EARLIEST_START = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


@transaction.atomic
def outage_create(
    *,
    actor: AnyUser | None,
    title: str,
    products: Iterable[Product],
    started_at: datetime.datetime,
    symptoms: str,
    impact: str = Level.HIGH,
    manager: User,
    cadence: datetime.timedelta | None = None,
    now: datetime.datetime | None = None,
) -> Outage:
    """Publish a notice and return it: shown at once (status page, banner), and mailed to
    the CPCs and subscribers of the affected products by the fan-out its first update
    records. The next update is promised `cadence` (2 hours by default) from now."""
    policy.require(actor, OutageAction.PUBLISH)
    at = _now(now)
    title = _required("title", title, _("A title is required."))[:200]
    symptoms = _required("symptoms", symptoms, _("Say how users notice the disruption."))
    product_list = list(products)
    if not product_list:
        raise ValidationError({"products": [_("Name at least one affected product.")]})
    if impact not in Level.values:
        raise ValidationError({"impact": [_("Choose high, medium or low.")]})
    if started_at > at + datetime.timedelta(minutes=5):
        raise ValidationError({"started_at": [_("An outage cannot start in the future.")]})
    if started_at < EARLIEST_START:
        raise ValidationError({"started_at": [_("Give a start time after the year 2000.")]})
    cadence = _check_cadence(cadence or DEFAULT_CADENCE)
    outage = Outage(
        title=title,
        started_at=started_at,
        symptoms=symptoms,
        impact=impact,
        state=OutageState.INVESTIGATING,
        manager=_check_manager(manager),
        cadence=cadence,
        created_by=actor if isinstance(actor, User) else None,
        created_at=at,
        updated_at=at,
    )
    _schedule(outage, due=at + cadence)
    outage.save()
    outage.products.set(product_list)
    _record(outage, actor=actor, at=at, text=symptoms, public=True)
    return outage


def _locked(outage: Outage) -> Outage:
    """Return the notice's row locked for this transaction, as stored."""
    return Outage.objects.select_for_update().get(pk=outage.pk)


@transaction.atomic
def outage_update_post(
    *,
    actor: AnyUser | None,
    outage: Outage,
    text: str,
    state: str,
    next_update_due_at: datetime.datetime | None = None,
    cause: str = "",
    now: datetime.datetime | None = None,
) -> OutageUpdate:
    """Post a public update of the notice and return it; the fan-out posts it on every
    linked ticket and mails it once per contact.

    Unresolved: the next update is promised at `next_update_due_at` (within a day), or the
    notice's cadence from now. Resolved: `cause` (non-technical) is required; the linked
    tickets get the solution and cause and move to "solution offered"; the notice closes
    itself 4 hours later. A resolved notice may go back to an unresolved state. The notice
    closes by itself: no update closes it.
    """
    policy.require(actor, OutageAction.UPDATE, outage=outage)
    at = _now(now)
    text = _required("text", text, _("The update is empty."))
    if state not in OutageState.values:
        raise ValidationError({"state": [_("Choose a valid state.")]})
    current = _locked(outage)
    if current.state == OutageState.CLOSED:
        raise Refusal({"state": [_("This notice is closed.")]})
    if state == OutageState.CLOSED:
        raise ValidationError(
            {"state": [_("A notice closes by itself 4 hours after its resolution.")]}
        )
    late = current.next_update_due_at is not None and at > current.next_update_due_at
    cause = cause.strip()
    if state == OutageState.RESOLVED:
        if not cause:
            raise ValidationError(
                {"cause": [_("Give the cause in non-technical words with the resolution.")]}
            )
        if next_update_due_at is not None:
            raise ValidationError(
                {"next_update_due_at": [_("A resolved notice promises no further update.")]}
            )
        current.resolved_at = current.resolved_at or at
        current.cause = cause
        current.close_at = at + CLOSE_AFTER
        _schedule(current, due=None)
    else:
        current.resolved_at = None
        current.close_at = None
        _schedule(current, due=_promise(at=at, cadence=current.cadence, due=next_update_due_at))
    current.state = state
    current.updated_at = at
    current.save(update_fields=["state", "resolved_at", "cause", "updated_at", *SCHEDULE_FIELDS])
    _refresh(outage, current)
    return _record(current, actor=actor, at=at, text=text, public=True, cause=cause, late=late)


def _refresh(outage: Outage, current: Outage) -> None:
    """Copy the stored state onto the caller's instance."""
    for field in ("state", "resolved_at", "cause", "updated_at", "cadence", *SCHEDULE_FIELDS):
        setattr(outage, field, getattr(current, field))


@transaction.atomic
def outage_edit(
    *,
    actor: AnyUser | None,
    outage: Outage,
    title: str | None = None,
    symptoms: str | None = None,
    impact: str | None = None,
    manager: User | None = None,
    cadence: datetime.timedelta | None = None,
    products: Sequence[Product] | None = None,
    now: datetime.datetime | None = None,
) -> Outage:
    """Change the notice's description, manager, products or cadence; return it.

    Recorded in its history (not public). A new cadence applies from the last update: the
    promise moves to the last update + cadence (not earlier than now).
    """
    policy.require(actor, OutageAction.UPDATE, outage=outage)
    at = _now(now)
    current = _locked(outage)
    if current.state == OutageState.CLOSED:
        raise Refusal({"state": [_("This notice is closed.")]})
    changed: list[str] = []
    if title is not None and title.strip() != current.title:
        current.title = _required("title", title, _("A title is required."))[:200]
        changed.append(str(_("title")))
    if symptoms is not None and symptoms.strip() != current.symptoms:
        current.symptoms = _required("symptoms", symptoms, _("Say how users notice it."))
        changed.append(str(_("symptoms")))
    if impact is not None and impact != current.impact:
        if impact not in Level.values:
            raise ValidationError({"impact": [_("Choose high, medium or low.")]})
        current.impact = impact
        changed.append(str(_("impact")))
    if manager is not None and manager.pk != current.manager_id:
        current.manager = _check_manager(manager)
        changed.append(str(_("manager")))
    if cadence is not None and cadence != current.cadence:
        current.cadence = _check_cadence(cadence)
        changed.append(str(_("cadence")))
        if current.state in UNRESOLVED_STATES:
            last = (
                OutageUpdate.objects.filter(outage=current, public=True)
                .order_by("-at", "-pk")
                .values_list("at", flat=True)
                .first()
            ) or at
            _schedule(current, due=max(last + cadence, at))
    if products is not None:
        product_list = list(products)
        if not product_list:
            raise ValidationError({"products": [_("Name at least one affected product.")]})
        if {p.pk for p in product_list} != set(current.products.values_list("pk", flat=True)):
            current.products.set(product_list)
            changed.append(str(_("products")))
    if not changed:
        return current
    current.updated_at = at
    current.save()
    _record(
        current,
        actor=actor,
        at=at,
        text=_("Changed: %(fields)s.") % {"fields": ", ".join(changed)},
        public=False,
    )
    return current


def _link(
    outage: Outage, tickets: Sequence[Ticket], *, actor: AnyUser | None, at: datetime.datetime
) -> int:
    """Link the tickets not linked yet; record an event on each; return how many."""
    if outage.state == OutageState.CLOSED:
        raise Refusal({"outage": [_("This notice is closed.")]})
    ids = {ticket.pk for ticket in tickets}
    known = set(
        OutageTicket.objects.filter(outage=outage, ticket_id__in=ids).values_list(
            "ticket_id", flat=True
        )
    )
    fresh = sorted(ids - known)
    if not fresh:
        return 0
    user = actor if isinstance(actor, User) else None
    OutageTicket.objects.bulk_create(
        OutageTicket(outage=outage, ticket_id=pk, linked_at=at, linked_by=user) for pk in fresh
    )
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=pk,
            at=at,
            actor=user,
            action=EventAction.OUTAGE_LINKED,
            field="outage",
            new_value=str(outage.pk),
            note=outage.title,
        )
        for pk in fresh
    )
    Ticket.objects.filter(pk__in=fresh).update(updated_at=at)
    # The newly linked tickets get the notice's latest public update (the others have it).
    latest = OutageUpdate.objects.filter(outage=outage, public=True).order_by("-at", "-pk").first()
    if latest is not None:
        OutageFanout.objects.filter(update=latest).update(due_at=at, done_at=None, tickets_after=0)
    return len(fresh)


@transaction.atomic
def outage_tickets_link(
    *,
    actor: AnyUser | None,
    outage: Outage,
    tickets: Iterable[Ticket],
    now: datetime.datetime | None = None,
) -> int:
    """Link tickets to the notice (an agent, also many at once); return how many were new.

    Each new link is an `outage_linked` event on the ticket; the notice's latest update is
    posted on the new tickets by the fan-out, and every later one too.
    """
    policy.require(actor, OutageAction.LINK)
    return _link(_locked(outage), list(tickets), actor=actor, at=_now(now))


@transaction.atomic
def outage_ticket_attach_by_customer(
    *,
    actor: AnyUser | None,
    outage: Outage,
    ticket: Ticket,
    now: datetime.datetime | None = None,
) -> bool:
    """Attach a customer's report to a current notice about its product (at intake);
    return whether it was newly linked.

    The customer must see the ticket and the notice; the notice must be unresolved and
    name the ticket's product.
    """
    policy.require(actor, OutageAction.ATTACH, ticket=ticket)
    if actor is not None and not outages_visible(user=actor).filter(pk=outage.pk).exists():
        raise Refusal({"outage": [_("No such notice.")]})
    current = _locked(outage)
    if current.state not in UNRESOLVED_STATES:
        raise Refusal({"outage": [_("This notice is no longer current.")]})
    if ticket.product_id is None or not current.products.filter(pk=ticket.product_id).exists():
        raise Refusal({"outage": [_("This notice is not about the ticket's product.")]})
    return _link(current, [ticket], actor=actor, at=_now(now)) == 1


@transaction.atomic
def outage_subscribe(
    *,
    actor: AnyUser | None,
    contact: Contact,
    product: Product | None = None,
    now: datetime.datetime | None = None,
) -> OutageSubscription:
    """Subscribe the contact to outage notices of a product (None: all their products);
    return the subscription (the existing one if subscribed before)."""
    policy.require(actor, OutageAction.SUBSCRIBE, contact=contact)
    if not contact.active:
        raise ValidationError({"contact": [_("This contact is not active.")]})
    if (
        product is not None
        and not covered_products(organisation_id=contact.organisation_id)
        .filter(pk=product.pk)
        .exists()
    ):
        raise ValidationError({"product": [_("Your organisation has no contract for it.")]})
    subscription, _created = OutageSubscription.objects.get_or_create(
        contact=contact, product=product, defaults={"created_at": _now(now)}
    )
    return subscription


@transaction.atomic
def outage_unsubscribe(
    *, actor: AnyUser | None, contact: Contact, product: Product | None = None
) -> int:
    """End the contact's subscription to a product (None: to all products); return how many
    subscriptions ended."""
    policy.require(actor, OutageAction.SUBSCRIBE, contact=contact)
    deleted, _by_model = OutageSubscription.objects.filter(
        contact=contact, product=product
    ).delete()
    return deleted
