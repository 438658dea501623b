"""The time-based rules' settings for a ticket: its contract's, else the desk's defaults."""

import datetime
import functools
from dataclasses import dataclass

from servicedesk.contracts import models as contracts
from servicedesk.contracts.models import Contract
from servicedesk.sla import BusinessCalendar
from servicedesk.sla.presets import office_hours
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.sla import calendar_for, calendar_from_record, preset_for, version_for


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """When each time-based rule fires; None switches a rule off."""

    reminder_1_after: datetime.timedelta | None = contracts.REMINDER_1_AFTER
    reminder_2_after: datetime.timedelta | None = contracts.REMINDER_2_AFTER
    auto_close_after: datetime.timedelta | None = contracts.AUTO_CLOSE_AFTER
    solution_auto_close_after: datetime.timedelta | None = contracts.SOLUTION_AUTO_CLOSE_AFTER
    reopen_within: datetime.timedelta | None = contracts.REOPEN_WITHIN
    unassigned_alert_after: datetime.timedelta | None = contracts.UNASSIGNED_ALERT_AFTER


DEFAULTS = RuleSettings()


def rule_settings(contract: Contract | None) -> RuleSettings:
    """Return the rules' settings of the contract, or the defaults without one."""
    if contract is None:
        return DEFAULTS
    return RuleSettings(**{name: getattr(contract, name) for name in contracts.RULE_FIELDS})


@functools.cache
def default_calendar() -> BusinessCalendar:
    """Return the desk's calendar without a contract: 09:00-17:00 on Dutch working days."""
    return BusinessCalendar("Europe/Amsterdam", office_hours("09:00", "17:00"), country="NL")


def business_calendar(contract: Contract | None) -> BusinessCalendar:
    """Return the calendar working time is counted in: the contract's, its service level's,
    else the desk's default."""
    if contract is None:
        return default_calendar()
    if contract.calendar is not None:
        return calendar_from_record(contract.calendar)
    preset = preset_for(contract)
    return calendar_for(contract, preset) if preset is not None else default_calendar()


def ticket_calendar(ticket: Ticket) -> BusinessCalendar:
    """Return the calendar a ticket's working time is counted in: as `business_calendar` of
    its contract, with the service-level version the ticket is measured by (no query once
    the ticket is pinned to it)."""
    contract = ticket.contract
    if contract is None or contract.calendar is not None:
        return business_calendar(contract)
    version = version_for(ticket)
    return calendar_for(contract, version.preset) if version is not None else default_calendar()
