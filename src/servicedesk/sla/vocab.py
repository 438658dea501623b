"""The words the SLA engine shares with the rest of the desk: statuses, kinds, events, metrics.

All are `StrEnum`s, so their members are plain strings and compare equal to the values the
database stores ("waiting_on_customer", "incident", ...). The status and kind values match
`servicedesk.tickets.models.Status` and `Kind`; this module does not import them because the
engine stays free of Django.
"""

from enum import StrEnum


class Status(StrEnum):
    """Ticket statuses (seed 002 plus "parked" from 001 and "reopened")."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    WAITING_ON_SUPPLIER = "waiting_on_supplier"
    PARKED = "parked"
    SOLUTION_OFFERED = "solution_offered"
    CLOSED = "closed"
    REOPENED = "reopened"


class TicketKind(StrEnum):
    """Kinds of request (DOMAIN §2)."""

    INCIDENT = "incident"
    QUESTION = "question"
    CHANGE_REQUEST = "change_request"
    APPLICATION_SERVICE = "application_service"
    COMPLAINT = "complaint"


class EventKind(StrEnum):
    """What happened to a ticket, as far as the clocks care.

    `public_reply` is any reply by staff that the customer sees; only the first one
    matters to the clocks, so the desk may record every reply. `resolved` means the
    solution was accepted or the ticket was closed as solved.
    """

    CREATED = "created"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    PUBLIC_REPLY = "public_reply"
    WORKAROUND_OFFERED = "workaround_offered"
    SOLUTION_OFFERED = "solution_offered"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    PRIORITY_CHANGED = "priority_changed"


class Metric(StrEnum):
    """What a target measures; see `servicedesk.sla.clock` for what stops each clock."""

    FIRST_RESPONSE = "first_response"
    WORKAROUND = "workaround"
    RESOLUTION = "resolution"
    ASSIGNMENT = "assignment"
    ACCEPTANCE = "acceptance"


METRIC_LABELS: dict[Metric, str] = {
    Metric.FIRST_RESPONSE: "first response",
    Metric.WORKAROUND: "workaround",
    Metric.RESOLUTION: "resolution",
    Metric.ASSIGNMENT: "assignment",
    Metric.ACCEPTANCE: "acceptance",
}


class Level(StrEnum):
    """Impact and urgency levels of the matrix (seed 001)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
