"""Contracts and the business calendars their service levels are measured in."""

import datetime
import itertools

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Organisation
from servicedesk.catalog.models import Product
from servicedesk.servicelevels.fields import ServiceLevelField


def office_hours() -> dict[str, list[list[str]]]:
    """Return Monday to Friday, 09:00-17:00: the default opening hours."""
    return {str(day): [["09:00", "17:00"]] for day in range(5)}


class BusinessCalendar(models.Model):
    """Opening hours, time zone and holidays in which business-hour targets are counted."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Amsterdam")
    hours = models.JSONField(
        _("opening hours"),
        default=office_hours,
        help_text=_('Weekday (0 = Monday) to opening intervals, e.g. {"0": [["09:00", "17:00"]]}.'),
    )
    country = models.CharField(
        _("public holidays of country"),
        max_length=2,
        blank=True,
        help_text=_("ISO country code, e.g. NL, BE, FR."),
    )
    subdivision = models.CharField(_("subdivision"), max_length=10, blank=True)
    holidays = models.JSONField(_("extra closed days"), default=list, blank=True)
    extra_open = models.JSONField(_("open although a holiday"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


# The two choice functions are kept for migration 0002; service levels are records now.
def service_level_choices() -> list[tuple[str, str]]:
    """Return the service-level presets of the SLA engine as choices."""
    from servicedesk.sla.presets import PRESETS

    return [(key, preset.name) for key, preset in PRESETS.items()]


def priority_scheme_choices() -> list[tuple[str, str]]:
    """Return the priority schemes of the SLA engine as choices."""
    from servicedesk.sla.schemes import SCHEMES

    return [(key, scheme.name) for key, scheme in SCHEMES.items()]


class Coverage(models.TextChoices):
    """What the maintenance contract covers; the rest is billable (seeds 000, 004)."""

    FULL = "full", _("Full maintenance")
    STANDARD = "standard", _("Standard software only")
    NONE = "none", _("No maintenance (billable)")


class Reporters(models.TextChoices):
    """Who at the customer may report tickets (seed 000: only CPC and key users)."""

    ANY_CONTACT = "any", _("Any contact")
    CPC_AND_KEY_USERS = "cpc_key_users", _("Only the CPC and key users")


class ProposalDeciders(models.TextChoices):
    """Who at the customer may accept or reject a change proposal (seed 003)."""

    CPC = "cpc", _("Only the central point of contact")
    CPC_AND_KEY_USERS = "cpc_key_users", _("The CPC and the product's key users")
    ANY_CONTACT = "any", _("Any contact of the organisation")


class RequestType(models.TextChoices):
    """What a ticket asks for, as far as who pays for it (seeds 000, 004)."""

    DEFECT = "defect", _("Defect in the standard software")
    CUSTOMISATION_DEFECT = "customisation_defect", _("Defect in a customisation")
    USER_ERROR = "user_error", _("User error")
    QUESTION = "question", _("Question about use")
    TRAINING = "training", _("Training")
    CUSTOMISATION_WORK = "customisation_work", _("Work on a customisation")
    DATA_MODIFICATION = "data_modification", _("Data modification")
    LICENCE_INSTALLATION = "licence_installation", _("Licence installation")
    COMPANY_COPY = "company_copy", _("Company copy")
    CONSULTING = "consulting", _("Consulting (level 2)")
    CHANGE = "change", _("Change to the product")


def default_billable_request_types() -> list[str]:
    """Request types outside maintenance unless the contract says otherwise (seed 004)."""
    return [
        RequestType.TRAINING,
        RequestType.CUSTOMISATION_WORK,
        RequestType.DATA_MODIFICATION,
        RequestType.LICENCE_INSTALLATION,
        RequestType.COMPANY_COPY,
        RequestType.CONSULTING,
    ]


# Time-based rules of the workflow, with the seeds' values as defaults (002 §5, 003).
REMINDER_1_AFTER = datetime.timedelta(days=7)
REMINDER_2_AFTER = datetime.timedelta(days=14)
AUTO_CLOSE_AFTER = datetime.timedelta(days=21)
SOLUTION_AUTO_CLOSE_AFTER = datetime.timedelta(days=21)
REOPEN_WITHIN = datetime.timedelta(days=14)
# A working day is 8 open hours of the business calendar, as in the SLA presets.
UNASSIGNED_ALERT_AFTER = datetime.timedelta(hours=8)


class Contract(models.Model):
    """A customer's agreement: products covered, service level, priority scheme, calendar.

    It also sets the workflow's time-based rules: reminders and automatic close while
    the desk waits on the customer, how long a closed ticket can be reopened by a reply,
    and when an unassigned ticket alerts the team lead. Empty switches a rule off.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    reference = models.CharField(_("reference"), max_length=60, unique=True)
    products = models.ManyToManyField(
        Product, blank=True, related_name="contracts", verbose_name=_("products covered")
    )
    starts_on = models.DateField(_("starts on"), default=datetime.date.today)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    service_level = ServiceLevelField(
        "servicelevels.ServiceLevel",
        to_field="key",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("service level"),
        help_text=_(
            "New tickets are measured by its current version; a ticket keeps the version "
            "it started under."
        ),
    )
    priority_scheme = models.CharField(
        _("priority scheme"),
        max_length=60,
        blank=True,
        help_text=_("The key of the service level's priority scheme; filled in when empty."),
    )
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("business calendar"),
        help_text=_("Leave empty to use the service level's own calendar."),
    )
    coverage = models.CharField(
        _("maintenance coverage"), max_length=20, choices=Coverage.choices, default=Coverage.FULL
    )
    warranty_ends_on = models.DateField(_("warranty ends on"), null=True, blank=True)
    reporters = models.CharField(
        _("who may report"),
        max_length=20,
        choices=Reporters.choices,
        default=Reporters.ANY_CONTACT,
    )
    accepts_email = models.BooleanField(
        _("requests by e-mail"),
        default=True,
        help_text=_(
            "Off: the customer uses the portal (seed 004); their mail is kept and answered "
            "with a link to the portal. The desk's own notices still go out by mail."
        ),
    )
    satisfaction_survey = models.BooleanField(
        _("satisfaction survey"),
        default=True,
        help_text=_("Send the requester one survey mail after a ticket closes."),
    )
    stale_after_days = models.PositiveSmallIntegerField(
        _("stale after (working days)"),
        default=5,
        help_text=_("An open ticket without an update for this many working days is reported."),
    )
    active = models.BooleanField(_("active"), default=True)
    # Change management and billable work (seeds 000, 003, 004).
    billable_request_types = models.JSONField(
        _("request types outside maintenance"),
        default=default_billable_request_types,
        blank=True,
        help_text=_("Work of these types is billable; user error may be added (seed 004)."),
    )
    billable_needs_agreement = models.BooleanField(
        _("billable work needs the customer's agreement"),
        default=False,
        help_text=_("The customer agrees in the portal before billable work starts."),
    )
    hourly_rate = models.DecimalField(
        _("hourly rate"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The price of an hour of billable work and of a proposal's estimate."),
    )
    proposal_deciders = models.CharField(
        _("who decides on proposals"),
        max_length=20,
        choices=ProposalDeciders.choices,
        default=ProposalDeciders.CPC_AND_KEY_USERS,
    )
    proposal_answer_days = models.PositiveSmallIntegerField(
        _("proposal answer within (working days)"),
        default=5,
        help_text=_("A proposal not answered in time lapses; a reminder goes out before."),
    )
    proposal_reminder_days = models.PositiveSmallIntegerField(
        _("proposal reminder after (working days)"), default=3
    )
    reminder_1_after = models.DurationField(
        _("first reminder after"),
        null=True,
        blank=True,
        default=REMINDER_1_AFTER,
        help_text=_("Calendar time waiting on the customer before the first reminder."),
    )
    reminder_2_after = models.DurationField(
        _("second reminder after"),
        null=True,
        blank=True,
        default=REMINDER_2_AFTER,
        help_text=_("Calendar time waiting on the customer before the second reminder."),
    )
    auto_close_after = models.DurationField(
        _("close unanswered after"),
        null=True,
        blank=True,
        default=AUTO_CLOSE_AFTER,
        help_text=_("Calendar time waiting on the customer before the ticket closes itself."),
    )
    solution_auto_close_after = models.DurationField(
        _("close unconfirmed solution after"),
        null=True,
        blank=True,
        default=SOLUTION_AUTO_CLOSE_AFTER,
        help_text=_("Calendar time after a solution is offered before it counts as accepted."),
    )
    reopen_within = models.DurationField(
        _("reopen by reply within"),
        null=True,
        blank=True,
        default=REOPEN_WITHIN,
        help_text=_(
            "A customer's reply this soon after closing reopens the ticket; a later reply "
            "opens a new ticket linked to it. Empty: a reply always reopens."
        ),
    )
    unassigned_alert_after = models.DurationField(
        _("alert when unassigned after"),
        null=True,
        blank=True,
        default=UNASSIGNED_ALERT_AFTER,
        help_text=_("Business hours of the contract's calendar (8 hours: one working day)."),
    )

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    def clean(self) -> None:
        """Check the priority scheme against the service level, and the rules' time order."""
        errors: dict[str, str] = {}
        if not self.priority_scheme:
            self.priority_scheme = scheme_of(self.service_level_id) or ""
        problem = scheme_mismatch(self.service_level_id, self.priority_scheme)
        if problem:
            errors["priority_scheme"] = problem
        for field in RULE_FIELDS:
            value = getattr(self, field)
            if value is not None and value <= datetime.timedelta(0):
                errors[field] = str(_("Give a positive duration, or leave it empty."))
        steps = [
            (field, getattr(self, field))
            for field in ("reminder_1_after", "reminder_2_after", "auto_close_after")
            if getattr(self, field) is not None
        ]
        for (_earlier, before), (field, after) in itertools.pairwise(steps):
            if field not in errors and after <= before:
                errors[field] = str(_("This must come after the step before it."))
        if errors:
            raise ValidationError(errors)


RULE_FIELDS = (
    "reminder_1_after",
    "reminder_2_after",
    "auto_close_after",
    "solution_auto_close_after",
    "reopen_within",
    "unassigned_alert_after",
)


def scheme_of(service_level: str | None) -> str | None:
    """Return the key of the priority scheme of the level's current version, if it has one."""
    from servicedesk.servicelevels.selectors import current_version

    version = current_version(service_level)
    return None if version is None else version.preset.scheme.key


def scheme_mismatch(service_level: str | None, priority_scheme: str) -> str | None:
    """Return why the scheme does not fit the service level (its key), or None when it does."""
    from servicedesk.servicelevels.selectors import current_version

    version = current_version(service_level)
    if version is None or version.preset.scheme.key == priority_scheme:
        return None
    return str(
        _("The service level %(level)s uses the priority scheme %(scheme)s.")
        % {"level": version.name, "scheme": version.preset.scheme.key}
    )
