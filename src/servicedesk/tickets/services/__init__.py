"""Every change to a ticket goes through one of these functions.

Each takes the acting person, asks the policy (`servicedesk.tickets.policy`) whether
they may, validates the rule, writes the change and its event in one transaction, and
raises `django.core.exceptions.ValidationError` (keyed by the field at fault) when the
change is not allowed. Views, API, mail intake and commands only call them and translate a
refusal into their own answer.

Time-based rules ride along in the same transaction (`servicedesk.automation`): a status
change schedules or cancels reminders and the automatic close, a new ticket schedules the
unassigned alert, an assignment cancels it, and SLA warnings and breaches recorded on the
way become notifications.

The modules, by concern: `intake` (a new ticket), `changes` (fields, assignment,
priority), `conversation` (replies and notes), `transitions` (status), `links`,
`attachments`; `common` holds what they share.
"""

from servicedesk.tickets.services.attachments import attachment_add
from servicedesk.tickets.services.calls import CallTicketIn, LoggedCall, ticket_log_call
from servicedesk.tickets.services.changes import (
    ticket_assign,
    ticket_change_priority,
    ticket_update,
)
from servicedesk.tickets.services.common import DESCRIPTION_FIELDS
from servicedesk.tickets.services.conversation import (
    CustomerReply,
    ReplyOutcome,
    ticket_add_message,
    ticket_customer_reply,
)
from servicedesk.tickets.services.intake import (
    ContractLookup,
    contract_for,
    may_report,
    require_channel,
    ticket_create,
)
from servicedesk.tickets.services.links import ticket_link
from servicedesk.tickets.services.transitions import (
    Move,
    reopen_by_reply_allowed,
    ticket_transition,
    tickets_transition,
)

__all__ = [
    "DESCRIPTION_FIELDS",
    "CallTicketIn",
    "ContractLookup",
    "CustomerReply",
    "LoggedCall",
    "Move",
    "ReplyOutcome",
    "attachment_add",
    "contract_for",
    "may_report",
    "reopen_by_reply_allowed",
    "require_channel",
    "ticket_add_message",
    "ticket_assign",
    "ticket_change_priority",
    "ticket_create",
    "ticket_customer_reply",
    "ticket_link",
    "ticket_log_call",
    "ticket_transition",
    "ticket_update",
    "tickets_transition",
]
