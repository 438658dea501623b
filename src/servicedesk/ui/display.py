"""How the web UI says things: translated labels for codes the domain stores, and durations.

Pure presentation shared by the portal and the desk. The domain stores stable codes
(priority "sev2", clock "first_response", event "status_changed"); the SLA engine names them
in English. Here they get words in the reader's language.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from servicedesk.accounts.models import SupportLine
from servicedesk.tickets.models import (
    Attachment,
    EventAction,
    Kind,
    LinkKind,
    Status,
    Ticket,
    TicketEvent,
)

PRIORITY_LABELS: dict[str, Promise] = {
    "p1": gettext_lazy("P1 Critical"),
    "p2": gettext_lazy("P2 High"),
    "p3": gettext_lazy("P3 Medium"),
    "p4": gettext_lazy("P4 Low"),
    "p5": gettext_lazy("P5 Minor"),
    "sev1": gettext_lazy("Severity 1"),
    "sev2": gettext_lazy("Severity 2"),
    "sev3": gettext_lazy("Severity 3"),
    "sev4": gettext_lazy("Severity 4"),
    "critical": gettext_lazy("Critical"),
    "high": gettext_lazy("High"),
    "normal": gettext_lazy("Normal"),
    "medium": gettext_lazy("Medium"),
    "low": gettext_lazy("Low"),
}

PRIORITY_MEANINGS: dict[str, Promise] = {
    "sev1": gettext_lazy("system down"),
    "sev2": gettext_lazy("serious limitation for several users"),
    "sev3": gettext_lazy("works with errors or problems"),
    "sev4": gettext_lazy("question"),
}

CLOCK_LABELS: dict[str, Promise] = {
    "first_response": gettext_lazy("First response"),
    "restore": gettext_lazy("Restore"),
    "workaround": gettext_lazy("Workaround"),
    "workaround_max": gettext_lazy("Workaround (all tickets)"),
    "resolution": gettext_lazy("Resolution"),
    "assignment": gettext_lazy("Assignment"),
    "acceptance": gettext_lazy("Acceptance"),
}

# Impact and urgency in the customer's words (seed 001's matrix).
IMPACT_CHOICES = [
    ("high", gettext_lazy("Most of our users (33% or more)")),
    ("medium", gettext_lazy("A group of users (10 to 33%)")),
    ("low", gettext_lazy("A few users (under 10%)")),
]
URGENCY_CHOICES = [
    ("high", gettext_lazy("A critical business process stands still")),
    ("medium", gettext_lazy("Important parts of our work are hindered")),
    ("low", gettext_lazy("Minor parts of our work are affected")),
]

KIND_HELP: dict[str, Promise] = {
    Kind.INCIDENT: gettext_lazy("Something does not work as it should."),
    Kind.QUESTION: gettext_lazy("You want to know how something works."),
    Kind.CHANGE_REQUEST: gettext_lazy("You would like the software to work differently."),
    Kind.APPLICATION_SERVICE: gettext_lazy("You want us to change data for you."),
}


def priority_label(code: str) -> str:
    """Return the priority's name in the active language; the code itself if unknown."""
    label = PRIORITY_LABELS.get(code)
    if label is None:
        return code
    meaning = PRIORITY_MEANINGS.get(code)
    return f"{label}: {meaning}" if meaning else str(label)


def priority_short(code: str) -> str:
    """Return the short priority name for tables and badges."""
    return str(PRIORITY_LABELS.get(code, code))


def clock_label(key: str) -> str:
    """Return the name of an SLA target key, e.g. "first_response" -> "First response"."""
    label = CLOCK_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def status_label(value: str) -> str:
    """Return the status's name; the stored value itself if it is not a known status."""
    return str(Status(value).label) if value in Status.values else value


def duration(seconds: int | float | None) -> str:
    """Return a duration in at most two units, e.g. "2 days 3 hours", "45 minutes"."""
    if seconds is None:
        return ""
    total = int(abs(seconds)) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    if not parts:
        return _("less than a minute")
    return " ".join(parts[:2])


def due_in(when: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """Return how far away a due time is: "in 3 hours" or "2 hours overdue"."""
    if when is None:
        return ""
    now = now or timezone.now()
    seconds = (when - now).total_seconds()
    if seconds >= 0:
        return _("in %(duration)s") % {"duration": duration(seconds)}
    return _("%(duration)s overdue") % {"duration": duration(seconds)}


def _link_label(kind: str) -> str:
    return str(LinkKind(kind).label) if kind in LinkKind.values else kind


def kind_label(value: str) -> str:
    """Return the kind's name; the stored value itself if it is not a known kind."""
    return str(Kind(value).label) if value in Kind.values else value


def _field_label(field: str) -> str:
    try:
        return str(getattr(Ticket._meta.get_field(field), "verbose_name", field))
    except FieldDoesNotExist:
        return field.replace("_", " ")


# Fields whose change the history spells out, old and new value; the long description
# fields only say that they changed.
SPELLED_OUT = frozenset({"title", "kind", "product", "contract"})


def _update(event: TicketEvent) -> str:
    field = _field_label(event.field).capitalize()
    if event.field not in SPELLED_OUT:
        return _("%(field)s changed") % {"field": field}
    old, new = event.old_value, event.new_value
    if event.field == "kind":
        old, new = kind_label(old), kind_label(new)
    return _("%(field)s changed from %(old)s to %(new)s") % {
        "field": field,
        "old": old or "-",
        "new": new or "-",
    }


def _assignment(event: TicketEvent, names: Mapping[str, str]) -> str:
    if event.field == "assignee":
        if event.new_value:
            name = names.get(event.new_value, event.new_value)
            return _("Assigned to %(name)s") % {"name": name}
        return _("Unassigned")
    if event.field == "team":
        team = names.get(f"team:{event.new_value}", event.new_value)
        return _("Team set to %(team)s") % {"team": team}
    if event.field == "support_line":
        line = int(event.new_value) if event.new_value.isdigit() else 0
        label = SupportLine(line).label if line in SupportLine.values else event.new_value
        return _("Moved to %(line)s") % {"line": label}
    return _("Assignment changed")


def describe_event(event: TicketEvent, names: Mapping[str, str] | None = None) -> str:
    """Return one line saying what an event of the history did, in the active language.

    `names` maps the agents and teams assignment events name (by id) to their names, when
    known: {"12": "Sanne de Vries", "team:3": "Finance support"}."""
    match event.action:
        case "created":
            return _("Ticket created")
        case "status_changed":
            return _("Status changed from %(old)s to %(new)s") % {
                "old": status_label(event.old_value),
                "new": status_label(event.new_value),
            }
        case "priority_changed":
            return _("Priority changed from %(old)s to %(new)s") % {
                "old": priority_short(event.old_value),
                "new": priority_short(event.new_value),
            }
        case "assigned":
            return _assignment(event, names or {})
        case "updated":
            return _update(event)
        case "linked":
            return _("Linked: %(kind)s %(number)s") % {
                "kind": _link_label(event.field).lower(),
                "number": event.new_value,
            }
        case "attachment_added":
            return _("Attachment added: %(name)s") % {"name": event.new_value}
        case "attachment_internal":
            return _("Internal attachment added: %(name)s") % {"name": event.new_value}
        case "workaround_offered":
            return _("Workaround offered")
        case "sla_warning":
            return _("SLA warning: %(target)s is due soon") % {"target": clock_label(event.field)}
        case "sla_breached":
            return _("SLA breached: %(target)s") % {"target": clock_label(event.field)}
        case "agent_replied":
            return _("Agent replied")
        case "customer_replied":
            return _("Customer replied")
        case "note_added":
            return _("Internal note added")
        case "call_logged":
            return _("Phone call from %(name)s") % {"name": event.note or "-"}
    if event.action in EventAction.values:
        return str(EventAction(event.action).label)
    return event.action.replace("_", " ").capitalize()


ATTACHMENT_ACTIONS = frozenset({"attachment_added", "attachment_internal"})


def attachments_by_event(
    events: Iterable[TicketEvent], attachments: Iterable[Attachment]
) -> dict[int, Attachment]:
    """Return {event id: attachment} for the "attachment added" lines of a history.

    An event names the file it added; each goes with the first file of that name not
    taken by an earlier event, so a history line can link to the file it is about.
    """
    waiting: dict[str, list[Attachment]] = {}
    for attachment in attachments:
        waiting.setdefault(attachment.filename, []).append(attachment)
    found = {}
    for event in events:
        files = waiting.get(event.new_value) if event.action in ATTACHMENT_ACTIONS else None
        if files:
            found[event.pk] = files.pop(0)
    return found
