"""The weekly digest of stale and breached tickets, mailed to the people the RACI matrix
names, once per week however many workers tick.

When: `settings.OPS_DIGEST_AT`, a weekday and a local time in the desk's time zone
(`TIME_ZONE`), e.g. "mon 07:00"; empty (the default) switches the digest off, and then the
tick spends no query on it. The scheduler tick calls `digest_run(now=...)`: once this
week's digest time has passed, the first worker to insert the week's `DigestRun` (a unique
date) queues the mails in the same transaction; another worker's insert fails and it does
nothing; a crash rolls the claim back and the next tick sends it. A week whose digest time
passed while no worker ran is sent late, at the next tick; earlier weeks are not caught up.

Who: the staff roles holding A or I in the escalation step of the RACI matrix for any kind
of ticket, among those who read reports (team leads, service managers, administrators):
by default the team leads (A) and the service managers (I). Each gets the tickets their
report scope shows (the "Stale and breached" queue), in their language and time zone,
through the one outbox (e-mail channel), keyed by week and person. A week with nothing
stale or breached mails nobody.
"""

import datetime
import logging
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from servicedesk.accounts.models import User
from servicedesk.automation.models import RaciStep
from servicedesk.automation.raci import CUSTOMER, Directory, roles_for
from servicedesk.mail import outbound
from servicedesk.mail.models import OutboundMail
from servicedesk.mail.texts import language_or_default
from servicedesk.opsreports.models import DigestRun
from servicedesk.opsreports.scope import REPORTING_ROLES, report_scope
from servicedesk.opsreports.selectors import StaleCounts, stale_and_breached, stale_counts
from servicedesk.outbox.services import outbox_add
from servicedesk.tickets.models import Kind, Ticket

logger = logging.getLogger(__name__)

DIGEST_KIND = "ops_digest"
LISTED = 50  # tickets listed in a mail; the counts and the desk page have the rest
SUBJECTS = {
    "en": "Weekly digest: {breached} outside SLA, {stale} without an update",
    "nl": "Weekoverzicht: {breached} buiten SLA, {stale} zonder update",
    "fr": "Synthèse hebdomadaire : {breached} hors SLA, {stale} sans mise à jour",
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SCHEDULE = re.compile(r"(?P<day>[a-z]{3})[a-z]*\s+(?P<hour>\d{1,2}):(?P<minute>\d\d)")


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the digest goes out: a weekday (0 = Monday) and a local time."""

    weekday: int
    at: datetime.time


def digest_schedule(value: str | None = None) -> Schedule | None:
    """Return the digest's schedule from `OPS_DIGEST_AT` ("mon 07:00"), None when it is off;
    raise ValueError for a value that is not a weekday and a time."""
    text = (getattr(settings, "OPS_DIGEST_AT", "") if value is None else value).strip().lower()
    if not text:
        return None
    match = _SCHEDULE.fullmatch(text)
    problem = f"OPS_DIGEST_AT={text!r}: expected a weekday and a time, e.g. 'mon 07:00'"
    if match is None or match["day"] not in WEEKDAYS:
        raise ValueError(problem)
    try:
        at = datetime.time(int(match["hour"]), int(match["minute"]))
    except ValueError:
        raise ValueError(problem) from None
    return Schedule(WEEKDAYS.index(match["day"]), at)


def last_due(schedule: Schedule, now: datetime.datetime) -> datetime.datetime:
    """Return the latest digest time at or before `now` (aware, in the desk's time zone)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    day = local.date() - datetime.timedelta(days=(local.weekday() - schedule.weekday) % 7)
    due = datetime.datetime.combine(day, schedule.at, tzinfo=zone)
    if due > local:
        due = datetime.datetime.combine(day - datetime.timedelta(days=7), schedule.at, tzinfo=zone)
    return due


def digest_recipients(directory: Directory | None = None) -> list[User]:
    """Return the active staff with an address whom the RACI matrix names for the digest."""
    directory = directory or Directory()
    matrix = directory.get_matrix()
    roles = {
        role
        for kind in Kind.values
        for role in roles_for(matrix, step=RaciStep.ESCALATION, kind=kind, letters="AI")
        if role != CUSTOMER
    }
    people: dict[int, User] = {}
    for role in sorted(roles & REPORTING_ROLES):
        for user in directory.staff(role):
            if user.email:
                people.setdefault(user.pk, user)
    return list(people.values())


def digest_run(*, now: datetime.datetime | None = None, worker: str = "") -> DigestRun | None:
    """Send this week's digest if its time has passed and no worker sent it; return the run
    (None when it is off, not due, sent before, or failed: a failure other than the
    database's is logged and retried at the next tick, and never stops the tick)."""
    try:
        schedule = digest_schedule()
    except ValueError:
        logger.exception("weekly digest: OPS_DIGEST_AT is not valid; no digest")
        return None
    if schedule is None:
        return None
    now = now or timezone.now()
    week = last_due(schedule, now).date()
    if DigestRun.objects.filter(week=week).exists():
        return None
    try:
        return _send(week, now=now, worker=worker)
    except DatabaseError:
        raise
    except Exception:
        logger.exception("weekly digest of %s failed; the next tick retries", week)
        return None


@transaction.atomic
def _send(week: datetime.date, *, now: datetime.datetime, worker: str) -> DigestRun | None:
    """Claim the week's digest and queue its mails, in one transaction; None if claimed."""
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(week=week, claimed_at=now, claimed_by=worker)
    except IntegrityError:
        return None  # another worker claimed it
    found: dict[tuple[object, ...], tuple[StaleCounts, list[Ticket]]] = {}
    rows = [_mail(user, week=week, now=now, found=found) for user in digest_recipients()]
    # A week with nothing stale or breached mails nobody.
    mails = [mail for mail, count in rows if count]
    outbox_add(outbound.MAIL, mails, at=now)
    run.recipients = len(mails)
    run.tickets = max((count for _, count in rows), default=0)
    run.save(update_fields=["recipients", "tickets"])
    return run


def _desk_url(name: str, *args: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _mail(
    user: User,
    *,
    week: datetime.date,
    now: datetime.datetime,
    found: dict[tuple[object, ...], tuple[StaleCounts, list[Ticket]]],
) -> tuple[OutboundMail, int]:
    """Return the digest mail for one reader (unsaved) and how many tickets it reports.

    `found` keeps what a scope found, so readers with the same scope share one reading.
    """
    scope = report_scope(user)
    key = (scope.organisation_id, scope.product_group_id, scope.team_id, scope.customer)
    if key not in found:
        tickets = stale_and_breached(scope, now=now)
        found[key] = stale_counts(tickets), list(tickets[:LISTED])
    counts, listed = found[key]
    language = language_or_default(user.language)
    subject, text, html = render(user, counts=counts, tickets=listed, language=language, week=week)
    mail = OutboundMail(
        kind=DIGEST_KIND,
        to=user.email,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=outbound.new_message_id(),
        threaded=True,  # no ticket: nothing to thread under
        auto_submitted=DIGEST_KIND,
        dedupe_key=f"{DIGEST_KIND}:{week.isoformat()}:u{user.pk}",
        created_at=now,
    )
    return mail, counts.total


def render(
    user: User,
    *,
    counts: StaleCounts,
    tickets: list[Ticket],
    language: str,
    week: datetime.date,
) -> tuple[str, str, str]:
    """Return (subject, text, html) of a reader's digest, in their language and time zone."""
    language = language_or_default(language)
    subject = SUBJECTS[language].format(breached=counts.breached, stale=counts.stale)
    values: dict[str, Any] = {
        "language": language,
        "name": user.get_full_name() or user.username,
        "counts": counts,
        "tickets": [
            {"ticket": ticket, "url": _desk_url("desk:ticket", ticket.number)} for ticket in tickets
        ],
        "more": max(counts.total - len(tickets), 0),
        "url": _desk_url("desk:report-stale"),
        "subject": subject,
        "week": week,
    }
    with translation.override(language), timezone.override(user.time_zone or settings.TIME_ZONE):
        text = str(render_to_string(f"opsreports/mail/{language}/digest.txt", values))
        html = str(render_to_string(f"opsreports/mail/{language}/digest.html", values))
    text = re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n")).strip() + "\n"
    return subject, text, html
