"""Two workers at once on PostgreSQL: every due action done once, every mail sent once.

PostgreSQL only: SQLite has a single writer, so two workers cannot overlap there (the
tick takes its write lock instead). CI runs the suite on PostgreSQL too.
"""

import datetime
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact
from servicedesk.automation.models import (
    ActionKind,
    ActionOutcome,
    Audience,
    Notification,
    Rule,
    ScheduledAction,
)
from servicedesk.automation.notify import notifications_deliver
from servicedesk.automation.tick import tick
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.mail.outbound import mail_deliver, mail_on_reminder
from servicedesk.tickets.models import Status, Ticket
from tests.factories import ContactFactory

pytestmark = [
    pytest.mark.postgresql,  # needs concurrent writers: run by the PostgreSQL pass of CI
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

UTC = datetime.UTC
T0 = datetime.datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
NOW = T0 + datetime.timedelta(days=7)
COUNT = 1000


def due_reminders(requester: Contact, count: int) -> list[Ticket]:
    """Tickets waiting on the customer, each with a first reminder that is due."""
    tickets = Ticket.objects.bulk_create(
        Ticket(
            number=f"CC-{i:06d}",
            title=f"Waiting {i}",
            requester=requester,
            organisation_id=requester.organisation_id,
            priority="normal",
            status=Status.WAITING_ON_CUSTOMER,
            created_at=T0,
            updated_at=T0,
        )
        for i in range(count)
    )
    ScheduledAction.objects.bulk_create(
        ScheduledAction(
            ticket=ticket,
            kind=ActionKind.REMINDER_1,
            while_status=Status.WAITING_ON_CUSTOMER,
            due_at=NOW - datetime.timedelta(seconds=i % 300),
            created_at=T0,
        )
        for i, ticket in enumerate(tickets)
    )
    return tickets


def in_parallel(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs at the same moment in threads, each with its own connection."""
    start = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[index] = job()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_it_does_each_of_1000_due_actions_once_with_two_workers(mailoutbox: list[Any]) -> None:
    requester = ContactFactory()
    due_reminders(requester, COUNT)

    reports = in_parallel(
        lambda: tick(now=NOW, worker="worker-a", batch_size=50),
        lambda: tick(now=NOW, worker="worker-b", batch_size=50),
    )

    done = [report.actions for report in reports]
    assert sum(done) == COUNT
    assert min(done) > 0  # both really worked, side by side
    actions = ScheduledAction.objects.all()
    assert actions.count() == COUNT
    assert set(actions.values_list("outcome", "attempts")) == {(ActionOutcome.DONE, 1)}
    assert not actions.filter(done_at__isnull=True).exists()
    notifications = Notification.objects.all()
    assert notifications.count() == COUNT
    assert set(notifications.values_list("rule", "audience", "attempts")) == {
        (Rule.REMINDER_1, Audience.CUSTOMER, 0)  # handed to the e-mail channel, which sends
    }
    assert not notifications.filter(sent_at__isnull=True).exists()
    # Each reminder mailed once, by the e-mail channel.
    mails = OutboundMail.objects.all()
    assert set(mails.values_list("kind", "attempts")) == {(OutboundKind.REMINDER, 1)}
    assert mails.count() == COUNT
    assert not mails.filter(sent_at__isnull=True).exists()
    assert len(mailoutbox) == COUNT
    message_ids = Counter(mail.extra_headers["Message-ID"] for mail in mailoutbox)
    assert len(message_ids) == COUNT
    assert set(message_ids) == {f"<{mid}>" for mid in mails.values_list("message_id", flat=True)}
    per_ticket = Counter(mail.extra_headers["X-Servicedesk-Ticket"] for mail in mailoutbox)
    assert set(per_ticket.values()) == {1}


def test_it_sends_each_notification_once_when_two_workers_deliver_it(
    mailoutbox: list[Any],
) -> None:
    requester = ContactFactory()
    tickets = due_reminders(requester, 300)
    Notification.objects.bulk_create(
        Notification(  # staff alerts: the notification layer sends those itself
            ticket=ticket,
            rule=Rule.UNASSIGNED_ALERT,
            audience=Audience.STAFF,
            role="team_lead",
            email="lead@desk.example",
            subject=f"Unassigned {ticket.number}",
            body="Please dispatch.",
            dedupe_key=f"test:{ticket.pk}",
            created_at=T0,
        )
        for ticket in tickets
    )
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))

    sent = in_parallel(
        lambda: notifications_deliver(ids, worker="worker-a"),
        lambda: notifications_deliver(ids, worker="worker-b"),
    )

    assert sum(sent) == len(ids) == len(mailoutbox)
    assert len({mail.extra_headers["Message-ID"] for mail in mailoutbox}) == len(ids)
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_it_sends_each_outbound_mail_once_when_two_workers_deliver_it(
    mailoutbox: list[Any], settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    requester = ContactFactory()
    for ticket in due_reminders(requester, 300):
        mail_on_reminder(ticket, which=1, dedupe_key=f"test:{ticket.pk}")  # queued, not run
    assert mailoutbox == []
    ids = list(OutboundMail.objects.order_by("pk").values_list("pk", flat=True))

    sent = in_parallel(
        lambda: mail_deliver(ids, worker="worker-a"),
        lambda: mail_deliver(ids, worker="worker-b"),
    )

    assert sum(sent) == len(ids) == len(mailoutbox) == 300
    assert min(sent) > 0  # both really worked, side by side
    assert len({mail.extra_headers["Message-ID"] for mail in mailoutbox}) == len(ids)
    assert set(OutboundMail.objects.values_list("attempts", flat=True)) == {1}
