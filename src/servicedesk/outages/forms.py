"""Forms of the outage pages: a new notice, an update, linking tickets, the portal's
subscription, and the intake hint's "my report is about this disruption".

Times are entered and shown in the user's own time zone (the middleware activates it);
the forms hand aware datetimes to the services, which store them in UTC.
"""

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import User
from servicedesk.catalog.models import Product
from servicedesk.outages.models import MAX_CADENCE, Outage, OutageState
from servicedesk.outages.selectors import outages_for_product
from servicedesk.outages.services import outage_ticket_attach_by_customer
from servicedesk.tickets.models import Level, Ticket

# The update cadences a team manager picks from (seed 003: within 2 hours, at least daily).
CADENCE_HOURS = (1, 2, 4, 8, 12, 24)
# How many ticket numbers one "link" form takes; a bigger set goes through the search.
MAX_NUMBERS = 200


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class LocalDateTimeInput(forms.DateTimeInput):
    """A browser date-time picker; its value is read in the user's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _local_now() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def staff_members() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role="").order_by("first_name", "username")


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class ProductChoiceField(forms.ModelMultipleChoiceField[Product]):
    def label_from_instance(self, obj: Product) -> str:
        return f"{obj.group.name} · {obj.name}"


def _cadence_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("Default (every 2 hours)")),
        *(
            (str(hours), gettext("Every %(hours)s hours") % {"hours": hours})
            for hours in CADENCE_HOURS
        ),
    ]


class OutageCreateForm(forms.Form):
    """A new outage notice: what, where, since when, how users notice it, who answers."""

    title = forms.CharField(label=_("Title"), max_length=200)
    products = ProductChoiceField(
        label=_("Affected products"),
        queryset=Product.objects.filter(active=True).select_related("group"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    started_at = forms.DateTimeField(
        label=_("Started"),
        widget=LocalDateTimeInput(),
        help_text=_("In your own time zone."),
    )
    symptoms = forms.CharField(
        label=_("Symptoms"),
        help_text=_("How users notice the disruption, in plain words."),
        widget=_textarea(4),
    )
    impact = forms.ChoiceField(label=_("Impact"), choices=Level.choices, initial=Level.HIGH)
    manager = StaffChoiceField(label=_("Responsible team manager"), queryset=staff_members())
    cadence = forms.TypedChoiceField(
        label=_("Update cadence"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("How often an update follows while the disruption lasts: at most a day."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cadence = self.fields["cadence"]
        assert isinstance(cadence, forms.TypedChoiceField)
        cadence.choices = _cadence_choices()
        self.fields["started_at"].initial = _local_now

    def chosen_cadence(self) -> datetime.timedelta | None:
        hours = self.cleaned_data.get("cadence")
        if hours is None:
            return None
        return min(datetime.timedelta(hours=hours), MAX_CADENCE)


class OutageUpdateForm(forms.Form):
    """A public update of a notice: what is known now, the state, when the next follows,
    and (when resolving) the cause in plain words."""

    text = forms.CharField(
        label=_("Update"),
        help_text=_("Public: customers read this on the status page and in their tickets."),
        widget=_textarea(4),
    )
    state = forms.ChoiceField(label=_("State"), choices=OutageState.choices)
    next_update_due_at = forms.DateTimeField(
        label=_("Next update due"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("Empty: after the notice's cadence."),
    )
    cause = forms.CharField(
        label=_("Cause"),
        required=False,
        widget=_textarea(3),
        help_text=_("Needed when resolving: the cause in non-technical words."),
    )

    def __init__(self, *args: Any, outage: Outage, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"state": outage.state})
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        # A closed notice is closed by the worker, 4 hours after the solution.
        state.choices = [
            (value, label) for value, label in OutageState.choices if value != OutageState.CLOSED
        ]


class TicketNumbersForm(forms.Form):
    """Link tickets by their numbers, separated by spaces, commas or new lines."""

    numbers = forms.CharField(
        label=_("Ticket numbers"),
        widget=_textarea(2),
        help_text=_("Separate the numbers by spaces, commas or new lines."),
    )

    def clean_numbers(self) -> list[str]:
        raw = self.cleaned_data["numbers"].replace(",", " ").replace(";", " ").split()
        numbers = sorted({number.strip().upper() for number in raw if number.strip()})
        if not numbers:
            raise ValidationError(_("Give at least one ticket number."))
        if len(numbers) > MAX_NUMBERS:
            raise ValidationError(
                _("At most %(count)s numbers at once; use the search for more.")
                % {"count": MAX_NUMBERS}
            )
        return numbers


class CurrentOutageChoiceField(forms.ModelChoiceField[Outage]):
    def label_from_instance(self, obj: Outage) -> str:
        return f"{obj.title} ({obj.get_state_display()})"


class TicketOutageForm(forms.Form):
    """On the desk's ticket page: link this ticket to a current notice."""

    outage = CurrentOutageChoiceField(label=_("Notice"), queryset=Outage.objects.none())

    def __init__(self, *args: Any, outages: Iterable[Outage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["outage"]
        assert isinstance(field, CurrentOutageChoiceField)
        field.queryset = Outage.objects.filter(pk__in=[outage.pk for outage in outages])


class SubscriptionForm(forms.Form):
    """A contact's choice: notices of one product, or of all their organisation's."""

    product = forms.TypedChoiceField(
        label=_("Product"), required=False, coerce=int, empty_value=None
    )
    action = forms.ChoiceField(choices=[("subscribe", "subscribe"), ("unsubscribe", "unsubscribe")])

    def __init__(self, *args: Any, products: Sequence[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", _("All my products")),
            *((product.pk, product.name) for product in products),
        ]
        self.products = {product.pk: product for product in products}

    def chosen_product(self) -> Product | None:
        product_id = self.cleaned_data.get("product")
        return None if product_id is None else self.products[product_id]


INTAKE_FIELD = "outage"


def outages_intake_attach(*, request: HttpRequest, ticket: Ticket) -> int:
    """Attach a just-reported ticket to the notices the customer ticked on the report page
    ("my report is about this disruption"); return how many.

    Only notices the customer may see, unresolved and about the ticket's product, are taken
    (the service checks again); a refusal does not undo the report, it is told as a
    warning."""
    chosen = set(request.POST.getlist(INTAKE_FIELD))
    if not chosen or ticket.product is None:
        return 0
    attached = 0
    for outage in outages_for_product(user=request.user, product=ticket.product):
        if str(outage.pk) not in chosen:
            continue
        try:
            outage_ticket_attach_by_customer(actor=request.user, outage=outage, ticket=ticket)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            attached += 1
    return attached
