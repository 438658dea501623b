"""Template filters shared by the portal and the desk: labels, badges, durations."""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from servicedesk.tickets.models import TicketEvent
from servicedesk.ui import display

register = template.Library()


@register.filter
def priority_label(code: str) -> str:
    """{{ ticket.priority|priority_label }} -> "Severity 2: serious limitation ..."."""
    return display.priority_label(code)


@register.filter
def priority_short(code: str) -> str:
    """{{ ticket.priority|priority_short }} -> "Severity 2"."""
    return display.priority_short(code)


@register.filter
def clock_label(key: str) -> str:
    """{{ clock.key|clock_label }} -> "First response"."""
    return display.clock_label(key)


@register.filter
def duration(seconds: int | float | None) -> str:
    """{{ clock.remaining_seconds|duration }} -> "2 hours 30 minutes"."""
    return display.duration(seconds)


@register.filter
def due_in(when: datetime.datetime | None) -> str:
    """{{ ticket.sla_due_at|due_in }} -> "in 3 hours" or "2 hours overdue"."""
    return display.due_in(when)


@register.filter
def overdue(when: datetime.datetime | None) -> bool:
    """{% if ticket.sla_due_at|overdue %}: whether the time has passed."""
    return when is not None and when < timezone.now()


@register.filter
def describe(event: object) -> str:
    """{{ event|describe }}: one line saying what a history event did."""
    return display.describe_event(event) if isinstance(event, TicketEvent) else ""


@register.filter
def author(message: object) -> str:
    """{{ message|author }}: the name of whoever wrote a message."""
    contact = getattr(message, "author_contact", None)
    if contact is not None:
        return str(contact.name)
    user = getattr(message, "author_user", None)
    if user is not None:
        return str(user.get_full_name() or user.username)
    return ""


# The badges and times below are drawn for every row of a queue, so they are tags that
# build their bit of HTML directly rather than templates of their own.


@register.simple_tag
def status_badge(ticket: object) -> str:
    """{% status_badge ticket %}: the ticket's status as a coloured badge."""
    status = str(getattr(ticket, "status", ""))
    return format_html(
        '<span class="badge status-{}">{}</span>', status, display.status_label(status)
    )


@register.simple_tag
def priority_badge(ticket: object) -> str:
    """{% priority_badge ticket %}: the ticket's priority as a badge coloured by rank."""
    code = str(getattr(ticket, "priority", ""))
    return format_html(
        '<span class="badge prio prio-{}" title="{}">{}</span>',
        getattr(ticket, "priority_rank", 0),
        display.priority_label(code),
        display.priority_short(code),
    )


@register.simple_tag
def moment(when: datetime.datetime | None, due: bool = False) -> str:
    """{% moment ticket.updated_at %}: a <time> in the user's time zone and date format,
    the full date and time as its title; `due=True` adds how far away it is and marks it
    overdue once passed ("" for no time)."""
    if when is None:
        return ""
    local = timezone.localtime(when)
    overdue_class = ' class="overdue"' if due and when < timezone.now() else ""
    html = format_html(
        '<time datetime="{}" title="{}"{}>{}</time>',
        when.isoformat(),
        formats.date_format(local, "DATETIME_FORMAT"),
        mark_safe(overdue_class),  # noqa: S308 - a constant
        formats.date_format(local, "SHORT_DATETIME_FORMAT"),
    )
    if due:
        html += format_html('<span class="muted small"> · {}</span>', display.due_in(when))
    return html
