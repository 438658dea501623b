"""Forms of the agent desk: queue filters, bulk actions, and the ticket page's actions."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact, Supplier, SupportLine, Team, User
from servicedesk.catalog.models import Product, ProductGroup
from servicedesk.portal import display
from servicedesk.portal.forms import PORTAL_KINDS, MultipleFileField
from servicedesk.tickets import priorities, workflow
from servicedesk.tickets.models import Kind, LinkKind, Status, Ticket, Visibility


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


class BulkForm(forms.Form):
    """One action on the selected queue rows."""

    tickets = forms.MultipleChoiceField(label=_("Tickets"))
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    assignee = AgentChoiceField(
        label=_("Agent"), queryset=agents(), required=False, empty_label=_("Choose")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Choose")), *Status.choices], required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=_textarea(2))
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, numbers: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tickets = self.fields["tickets"]
        assert isinstance(tickets, forms.MultipleChoiceField)
        tickets.choices = [(number, number) for number in numbers or []]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        action = cleaned.get("action")
        if action == "assign" and not cleaned.get("assignee"):
            self.add_error("assignee", _("Choose the agent."))
        if action == "status" and not cleaned.get("status"):
            self.add_error("status", _("Choose the status."))
        if action == "note" and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Write the note."))
        return cleaned


class MessageForm(forms.Form):
    """A public reply or an internal note; optionally the record of a phone call."""

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
    phone_call = forms.BooleanField(label=_("This was a phone call"), required=False)
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

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = workflow.allowed_targets(ticket.status, ticket.kind)
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
        label=_("Kind"), choices=[(k.value, k.label) for k in PORTAL_KINDS], initial=Kind.QUESTION
    )


class PhoneTicketForm(forms.Form):
    """A phone call recorded as a new ticket, or as a message on an existing one."""

    contact = forms.ModelChoiceField(
        label=_("Caller"),
        queryset=Contact.objects.filter(active=True).select_related("organisation"),
        required=False,
        empty_label=_("Choose"),
    )
    ticket = forms.CharField(
        label=_("Existing ticket number"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to create a new ticket."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in PORTAL_KINDS],
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
    body = forms.CharField(label=_("What the caller said"), widget=_textarea(6))
    impact = forms.ChoiceField(
        label=_("Impact"), choices=[("", "-"), *display.IMPACT_CHOICES], required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", "-"), *display.URGENCY_CHOICES], required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("ticket") or "").strip():
            if not cleaned.get("contact"):
                self.add_error("contact", _("Choose the caller."))
            if not (cleaned.get("title") or "").strip():
                self.add_error("title", _("Give a one-line summary."))
        return cleaned
