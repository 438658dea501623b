"""Forms of the agent desk: queue filters, bulk actions, and the ticket page's actions."""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact, Supplier, SupportLine, Team, User
from servicedesk.catalog.models import Product, ProductGroup
from servicedesk.tickets import priorities, workflow
from servicedesk.tickets.models import Kind, LinkKind, Status, Ticket, Visibility
from servicedesk.ui import display
from servicedesk.ui.forms import REPORT_KINDS, MultipleFileField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def agents() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role="").order_by("first_name", "username")


class AgentChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


PRIORITY_CODES = tuple(display.PRIORITY_LABELS)


class QueueFilterForm(forms.Form):
    """Filters on top of a queue, read from the query string."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("Any")
    )
    group = forms.ModelChoiceField(
        label=_("Product group"),
        queryset=ProductGroup.objects.all(),
        required=False,
        empty_label=_("Any"),
    )
    assignee = AgentChoiceField(
        label=_("Assignee"), queryset=agents(), required=False, empty_label=_("Any")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        self.choice("status").choices = any_ + list(Status.choices)
        self.choice("kind").choices = any_ + list(Kind.choices)
        self.choice("priority").choices = any_ + [
            (code, display.priority_short(code)) for code in PRIORITY_CODES
        ]
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Number, title or text"), "data-shortcut": "/"}
        )

    def choice(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def apply(self, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        """Return the tickets narrowed by the valid filters."""
        if not self.is_valid():
            return tickets
        data = self.cleaned_data
        if data["q"].strip():
            text = data["q"].strip()
            tickets = tickets.filter(
                Q(number__iexact=text) | Q(title__icontains=text) | Q(description__icontains=text)
            )
        for field in ("status", "kind", "priority"):
            if data[field]:
                tickets = tickets.filter(**{field: data[field]})
        if data["team"]:
            tickets = tickets.filter(team=data["team"])
        if data["group"]:
            tickets = tickets.filter(product__group=data["group"])
        if data["assignee"]:
            tickets = tickets.filter(assignee=data["assignee"])
        return tickets


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name of this view"), max_length=80)
    queue = forms.CharField(widget=forms.HiddenInput, max_length=40)
    query = forms.CharField(widget=forms.HiddenInput, max_length=1000, required=False)


BULK_ACTIONS = [
    ("assign", _("Assign to")),
    ("status", _("Change status to")),
    ("note", _("Add internal note")),
]

OUTCOME_CHOICES = [("", "-"), *workflow.Outcome.choices]


def reachable_statuses(tickets: Iterable[Ticket]) -> list[Status]:
    """Return, in the usual order, the statuses the workflow lets at least one of the
    tickets move to."""
    reachable: set[Status] = set()
    for status, kind in {(ticket.status, ticket.kind) for ticket in tickets}:
        reachable.update(workflow.allowed_targets(status, kind))
    return [status for status in Status if status in reachable]


def needed_for(need: str) -> str:
    """Return the statuses whose move needs this ("note", "supplier"), for the template's
    `data-needed-for` (the field shows only when such a status is chosen)."""
    return " ".join(s.value for s in Status if getattr(workflow.requirement(s), need))


class BulkForm(forms.Form):
    """One action on the selected queue rows.

    A status is offered when the workflow allows it from at least one selected ticket (on
    the queue page: a ticket of the page); each ticket that cannot make the move is
    refused with the reason. What a move needs is asked once for all: the resolution or an
    outcome for a close, the supplier for waiting on one.
    """

    tickets = forms.MultipleChoiceField(label=_("Tickets"))
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    assignee = AgentChoiceField(
        label=_("Agent"), queryset=agents(), required=False, empty_label=_("Choose")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=OUTCOME_CHOICES,
        required=False,
        help_text=_("Closes with the outcome's standard text when no note is given."),
    )
    note = forms.CharField(
        label=_("Note, resolution or reason"), required=False, widget=_textarea(2)
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.all(),
        required=False,
        empty_label=_("Choose"),
    )
    supplier_reference = forms.CharField(
        label=_("Supplier's reference"), required=False, max_length=120
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, tickets: Iterable[Ticket] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tickets = list(tickets)
        numbers = self.fields["tickets"]
        assert isinstance(numbers, forms.MultipleChoiceField)
        numbers.choices = [(ticket.number, ticket.number) for ticket in tickets]
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [
            ("", _("Choose")),
            *[(target.value, target.label) for target in reachable_statuses(tickets)],
        ]
        status.widget.attrs.update({"data-requirements": "1"})
        self.outcome_for = Status.CLOSED.value
        self.supplier_for = needed_for("supplier")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action == "assign" and not cleaned.get("assignee"):
            self.add_error("assignee", _("Choose the agent."))
        if action == "note" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Write the note."))
        if action != "status":
            return cleaned
        status = cleaned.get("status")
        if not status:
            if "status" not in self.errors:
                self.add_error("status", _("Choose the status."))
            return cleaned
        if status != Status.CLOSED:
            cleaned["outcome"] = ""
        need = workflow.requirement(status)
        if need.note and not (cleaned.get("note") or "").strip() and not cleaned.get("outcome"):
            if status == Status.CLOSED:
                self.add_error("note", _("Give the resolution, or choose an outcome."))
            else:
                self.add_error("note", _("Give the resolution or reason for this status."))
        if need.supplier:
            if not cleaned.get("supplier"):
                self.add_error("supplier", _("Name the supplier the tickets wait on."))
            if not (cleaned.get("supplier_reference") or "").strip():
                self.add_error("supplier_reference", _("Give the supplier's reference."))
        return cleaned


class MessageForm(forms.Form):
    """A public reply or an internal note (a phone call is logged with `CallForm`)."""

    visibility = forms.ChoiceField(
        label=_("Type"),
        choices=[
            (Visibility.PUBLIC, _("Reply to the customer")),
            (Visibility.INTERNAL, _("Internal note")),
        ],
        initial=Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(label=_("Message"), widget=_textarea(6), max_length=200_000)
    workaround = forms.BooleanField(label=_("This reply offers a workaround"), required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs.update({"data-shortcut": "r"})


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(
        label=_("Resolution or reason"),
        required=False,
        widget=_textarea(3),
        help_text=_("Needed to offer a solution or to close; the customer sees it."),
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"),
        queryset=Supplier.objects.all(),
        required=False,
        empty_label=_("Choose"),
    )
    supplier_reference = forms.CharField(
        label=_("Supplier's reference"), required=False, max_length=120
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=OUTCOME_CHOICES,
        required=False,
        help_text=_("Closes with the outcome's standard text when no note is given."),
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = workflow.allowed_targets(ticket.status, ticket.kind)
        self.outcome_for = Status.CLOSED.value if Status.CLOSED in targets else ""
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", _("Choose")), *[(target.value, target.label) for target in targets]]
        status.widget.attrs.update({"data-shortcut": "s", "data-requirements": "1"})
        # For the template: the statuses that need a supplier (its fields show only then).
        self.supplier_for = " ".join(t.value for t in targets if workflow.requirement(t).supplier)


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"))
    justification = forms.CharField(
        label=_("Why this priority?"),
        required=False,
        widget=_textarea(2),
        help_text=_("Needed when it differs from the customer's request."),
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scheme = priorities.scheme_for(ticket.contract)
        field = self.fields["priority"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, display.priority_label(code)) for code in scheme.codes()]
        field.initial = ticket.priority
        field.widget.attrs.update({"data-shortcut": "p"})


class AssignForm(forms.Form):
    assignee = AgentChoiceField(
        label=_("Agent"), queryset=agents(), required=False, empty_label=_("Nobody")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("Keep")
    )
    support_line = forms.TypedChoiceField(
        label=_("Support line"),
        choices=[("", _("Keep")), *SupportLine.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].widget.attrs.update({"data-shortcut": "a"})


class LinkForm(forms.Form):
    target = forms.CharField(label=_("Other ticket's number"), max_length=20)
    kind = forms.ChoiceField(
        label=_("Link"),
        choices=[
            (LinkKind.DUPLICATE_OF.value, LinkKind.DUPLICATE_OF.label),
            (LinkKind.RELATED.value, LinkKind.RELATED.label),
        ],
    )


class SplitForm(forms.Form):
    title = forms.CharField(label=_("Title of the new ticket"), max_length=200)
    description = forms.CharField(label=_("The new question"), widget=_textarea(3))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k.value, k.label) for k in REPORT_KINDS], initial=Kind.QUESTION
    )


VISIBILITY_CHOICES = [
    (Visibility.INTERNAL, _("Internal note: only the service desk reads it")),
    (Visibility.PUBLIC, _("Shared with the customer")),
]


def _visibility(help_text: "StrOrPromise" = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Who reads the summary"),
        choices=VISIBILITY_CHOICES,
        initial=Visibility.INTERNAL,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


def callers() -> QuerySet[Contact]:
    return Contact.objects.filter(active=True).select_related("organisation").order_by("name")


class CallerChoiceField(forms.ModelChoiceField[Contact]):
    def label_from_instance(self, obj: Contact) -> str:
        return f"{obj.name} ({obj.organisation.name})"


class PhoneTicketForm(forms.Form):
    """A phone call recorded as a new ticket, or on an existing one."""

    caller = CallerChoiceField(label=_("Caller"), queryset=callers(), empty_label=_("Choose"))
    ticket = forms.CharField(
        label=_("Existing ticket number"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to create a new ticket."),
    )
    summary = forms.CharField(label=_("What the caller said"), widget=_textarea(6))
    visibility = _visibility(
        _("On a new ticket what the caller said is its description, which the customer sees.")
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in REPORT_KINDS],
        initial=Kind.INCIDENT,
        required=False,
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(active=True).select_related("group"),
        required=False,
        empty_label=_("Choose"),
    )
    title = forms.CharField(label=_("Summary"), max_length=200, required=False)
    impact = forms.ChoiceField(
        label=_("Impact"), choices=[("", "-"), *display.IMPACT_CHOICES], required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", "-"), *display.URGENCY_CHOICES], required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("ticket") or "").strip() and not (cleaned.get("title") or "").strip():
            self.add_error("title", _("Give a one-line summary."))
        return cleaned


class CallForm(forms.Form):
    """A phone call about this ticket, from a contact of its organisation."""

    prefix = "call"

    caller = CallerChoiceField(label=_("Caller"), queryset=callers(), empty_label=_("Choose"))
    summary = forms.CharField(label=_("What was said"), widget=_textarea(3), max_length=200_000)
    visibility = _visibility()

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        caller = self.fields["caller"]
        assert isinstance(caller, forms.ModelChoiceField)
        # Offered: the organisation's contacts (the service refuses anyone else).
        caller.queryset = callers().filter(organisation_id=ticket.organisation_id)
        caller.initial = ticket.requester_id


def products_covered(organisation_id: int, *, on: datetime.date) -> QuerySet[Product]:
    """Return the active products the organisation's contracts in force cover."""
    return Product.objects.filter(
        active=True,
        contracts__organisation_id=organisation_id,
        contracts__active=True,
        contracts__starts_on__lte=on,
    ).filter(Q(contracts__ends_on__isnull=True) | Q(contracts__ends_on__gte=on))


class EditForm(forms.Form):
    """What the ticket is: its title, kind and product. The organisation's contract products
    come first in the product list."""

    prefix = "edit"

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    product = forms.TypedChoiceField(
        label=_("Product"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"title": ticket.title, "kind": ticket.kind, "product": ticket.product_id},
        )
        super().__init__(*args, **kwargs)
        covered = list(
            products_covered(ticket.organisation_id, on=timezone.localdate())
            .select_related("group")
            .distinct()
            .order_by("group__name", "name")
        )
        others = Product.objects.filter(Q(active=True) | Q(pk=ticket.product_id))
        others = others.exclude(pk__in=[p.pk for p in covered]).select_related("group")
        self.products = {p.pk: p for p in [*covered, *others.order_by("group__name", "name")]}

        def options(products: Iterable[Product]) -> list[tuple[int, str]]:
            return [(p.pk, f"{p.group.name} · {p.name}") for p in products]

        groups: list[Any] = [("", _("No product"))]
        if covered:
            groups.append((_("Covered by the contract"), options(covered)))
        rest = [p for p in self.products.values() if p not in covered]
        if rest:
            groups.append((_("Other products") if covered else _("Products"), options(rest)))
        product = self.fields["product"]
        assert isinstance(product, forms.TypedChoiceField)
        product.choices = groups

    def changes(self) -> dict[str, Any]:
        """Return the fields for `ticket_update` (after validation)."""
        data = self.cleaned_data
        product_id = data.get("product")
        return {
            "title": data["title"],
            "kind": data["kind"],
            "product": self.products.get(product_id) if product_id else None,
        }
