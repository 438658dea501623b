"""Helpers shared by the automation tests: local times, a frozen clock, contracts, mail."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.test import TestCase

from servicedesk.accounts.models import Contact, Team, User
from servicedesk.automation.models import RaciEntry
from servicedesk.contracts.models import Contract
from servicedesk.mail.models import OutboundMail
from tests.factories import ContractFactory

AMS = ZoneInfo("Europe/Amsterdam")
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMS)


@contextmanager
def at(moment: datetime.datetime) -> Iterator[None]:
    """Freeze the clock at a moment (time-machine)."""
    with time_machine.travel(moment, tick=False):
        yield


@contextmanager
def committed() -> Iterator[None]:
    """Run what the block's commit triggers (queueing and sending mail), as a request does."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


@dataclass
class Desk:
    lead: User
    agent: User
    manager: User
    team: Team
    requester: Contact


def contract_for(requester: Contact, **fields: Any) -> Contract:
    """Return a contract for the requester's organisation (severity 1-4, NL office hours)."""
    fields.setdefault("service_level", "severity-nl-office-hours")
    fields.setdefault("priority_scheme", "severity-1-4")
    fields.setdefault("satisfaction_survey", False)  # the surveys have tests of their own
    return ContractFactory(
        organisation=requester.organisation, starts_on=datetime.date(2026, 1, 1), **fields
    )


def raci_defaults() -> None:
    """Put the RACI matrix's defaults back if a transactional test before this one flushed
    the table its migration filled (as `serialized_rollback` would, whatever ran before)."""
    if RaciEntry.objects.exists():
        return
    seeded = import_module("servicedesk.automation.migrations.0002_raci_defaults")
    RaciEntry.objects.bulk_create(
        RaciEntry(step=step, kind=kind, role=role, letter=letter)
        for step, kind, role, letter in seeded.DEFAULTS
    )


def recipients_of(mails: list[Any]) -> list[str]:
    """Return every address the mails went to, sorted."""
    return sorted(address for mail in mails for address in mail.to)


def kinds_of(mails: list[Any]) -> list[str]:
    """Return what each sent mail is: the kind of the e-mail channel's notice (its stored
    `OutboundMail`), "notification" for one sent by the notification layer (a staff
    alert), else "unknown"."""
    kinds = dict(OutboundMail.objects.values_list("message_id", "kind"))

    def kind(mail: Any) -> str:
        message_id = mail.extra_headers["Message-ID"].strip("<>")
        if message_id in kinds:
            return str(kinds[message_id])
        return "notification" if message_id.startswith("notification.") else "unknown"

    return [kind(mail) for mail in mails]
