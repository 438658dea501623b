"""Forms of the customer portal: report, reply, confirm, reopen, close, preferences."""

import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact, Language, User
from servicedesk.catalog.models import Product
from servicedesk.tickets import priorities, services
from servicedesk.tickets.completeness import FIELDS_BY_KIND, missing_fields
from servicedesk.tickets.models import Kind, Reproducible
from servicedesk.ui import display
from servicedesk.ui.forms import MultipleFileField

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


REPRODUCIBLE_CHOICES = [
    (Reproducible.YES, _("Yes, it happens again when I repeat the steps")),
    (Reproducible.NO, _("No, it happened once")),
    (Reproducible.UNKNOWN, _("I don't know")),
]

DESCRIPTION_LABELS: dict[str, "StrPromise"] = {
    Kind.INCIDENT: _("Anything else we should know?"),
    Kind.QUESTION: _("Your question"),
    Kind.CHANGE_REQUEST: _("The change you would like"),
    Kind.APPLICATION_SERVICE: _("What should we change for you?"),
}


def _detail_fields(kind: str) -> dict[str, forms.Field]:
    """Return the detail fields of the report form; required-ness is the completeness check's."""
    fields: dict[str, forms.Field] = {
        "steps_taken": forms.CharField(
            label=_("What did you do?"),
            help_text=_("The steps you took, one per line."),
            widget=_textarea(4),
        ),
        "expected_result": forms.CharField(
            label=_("What did you expect to happen?"), widget=_textarea()
        ),
        "actual_result": forms.CharField(
            label=_("What happened instead?"),
            help_text=_("Copy the exact error message if there was one."),
            widget=_textarea(),
        ),
        "reproducible": forms.ChoiceField(
            label=_("Can you make it happen again?"),
            choices=REPRODUCIBLE_CHOICES,
            widget=forms.RadioSelect,
        ),
        "administration": forms.CharField(
            label=_("Which administration (company) is it about?"), max_length=200
        ),
        "affected_users": forms.CharField(
            label=_("Which users are affected?"),
            help_text=_("Names or user accounts, or say it is everyone."),
            widget=_textarea(2),
        ),
        "business_impact": forms.CharField(
            label=_("What does this mean for your business?"),
            help_text=_("For example: invoices cannot be sent, salaries cannot be paid."),
            widget=_textarea(),
        ),
        "recent_changes": forms.CharField(
            label=_("Did anything change recently?"),
            help_text=_("Upgrades, migrations, new settings, new users."),
            widget=_textarea(2),
        ),
        "description": forms.CharField(
            label=DESCRIPTION_LABELS.get(kind, _("Description")), widget=_textarea(5)
        ),
    }
    for field in fields.values():
        field.required = False
    return {name: fields[name] for name in FIELDS_BY_KIND[kind]}


@dataclass(frozen=True)
class Check:
    """What the live check tells the customer: what is missing, and the resulting priority."""

    missing: list[tuple[str, str]]
    priority: str


class ReportForm(forms.Form):
    """A new ticket of one kind, asking for the information the seeds require for it."""

    title = forms.CharField(
        label=_("Summary"),
        max_length=200,
        help_text=_("One line, e.g. “Invoices do not print since this morning”."),
    )
    product = forms.TypedChoiceField(label=_("Product"), coerce=int)

    def __init__(
        self,
        *args: Any,
        kind: str,
        contact: Contact,
        products: QuerySet[Product],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.contact = contact
        self.products = {product.pk: product for product in products}
        groups: dict[str, list[tuple[int, str]]] = {}
        for product in self.products.values():
            groups.setdefault(product.group.name, []).append((product.pk, product.name))
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.TypedChoiceField)
        product_field.choices = [("", _("Choose a product")), *groups.items()]
        self.fields.update(_detail_fields(kind))
        if kind == Kind.INCIDENT:
            self.fields["impact"] = forms.ChoiceField(
                label=_("How many of your users are affected?"),
                choices=display.IMPACT_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields["urgency"] = forms.ChoiceField(
                label=_("How badly does it hold up your work?"),
                choices=display.URGENCY_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )
        self.fields["attachments"] = MultipleFileField(
            label=_("Attachments"),
            help_text=_("Screenshots, error messages, log files. Drag them here or choose."),
            required=False,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field, message in missing_fields(self.kind, cleaned):
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def chosen_product(self) -> Product | None:
        """Return the chosen product (after validation)."""
        return self.products.get(self.cleaned_data.get("product") or 0)

    def details(self) -> dict[str, str]:
        """Return the description fields for `ticket_create`."""
        return {
            name: self.cleaned_data.get(name) or ""
            for name in FIELDS_BY_KIND[self.kind]
            if self.cleaned_data.get(name)
        }

    def detail_field_names(self) -> Sequence[str]:
        return FIELDS_BY_KIND[self.kind]

    def check(self) -> Check:
        """Return the live check of what the customer typed so far (no validation needed)."""
        data = {name: self.data.get(name, "") for name in self.fields}
        missing = [
            (field, message)
            for field, message in missing_fields(self.kind, data)
            if field in self.fields
        ]
        product_id = str(data.get("product", ""))
        product = self.products.get(int(product_id)) if product_id.isdigit() else None
        basics = []
        if not str(data.get("title", "")).strip():
            basics.append(("title", str(_("Give a one-line summary."))))
        if product is None:
            basics.append(("product", str(_("Choose the product it is about."))))
        return Check(missing=basics + missing, priority=self.resulting_priority(product, data))

    def resulting_priority(self, product: Product | None, data: Mapping[str, object]) -> str:
        """Return the priority code that impact and urgency give under the contract, or ""."""
        impact, urgency = str(data.get("impact") or ""), str(data.get("urgency") or "")
        levels = {value for value, _label in display.IMPACT_CHOICES}
        if impact not in levels or urgency not in levels:
            return ""
        contract = services.contract_for(
            contact=self.contact, product=product, on=timezone.localdate()
        )
        scheme = priorities.scheme_for(contract)
        return priorities.suggest(scheme, impact=impact, urgency=urgency)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), widget=_textarea(5), max_length=100_000)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class ConfirmForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=_textarea(2), max_length=5_000
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still not right?"), widget=_textarea(3), max_length=20_000
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why can the ticket be closed? (optional)"),
        required=False,
        widget=_textarea(2),
        max_length=5_000,
    )


# Each language in its own words, so people find theirs whatever the page's language.
LANGUAGE_NAMES = [
    (Language.ENGLISH.value, "English"),
    (Language.DUTCH.value, "Nederlands"),
    (Language.FRENCH.value, "Fran\u00e7ais"),
]


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.ModelForm[User]):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_NAMES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = User
        fields = ["language", "time_zone"]
