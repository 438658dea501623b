"""The fan-out of an update: each linked ticket gets it once, each contact one mail, even
when a run dies half-way and runs again, or two workers run at once."""

import threading
from collections import Counter
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from servicedesk.accounts.models import Contact
from servicedesk.outages import fanout, services
from servicedesk.outages.fanout import fanouts_run
from servicedesk.outages.models import (
    Outage,
    OutageDelivery,
    OutageFanout,
    OutageState,
    OutageUpdate,
)
from servicedesk.tickets.models import EventAction, Message, Ticket, TicketEvent
from tests.factories import ContactFactory, make_ticket
from tests.outages.factories import World, contract, outage_mails, publish, world

pytestmark = pytest.mark.django_db


def linked_world(tickets_per_requester: int = 3) -> tuple[World, Outage, list[Ticket]]:
    w = world()
    outage = publish(w)
    fanouts_run(now=outage.created_at)  # the notice itself, before any ticket is linked
    tickets = [
        make_ticket(requester=requester, product=w.payroll, title=f"Payslips {n}")
        for requester in (w.user_a, w.user_b, w.cpc_b)
        for n in range(tickets_per_requester)
    ]
    services.outage_tickets_link(actor=w.agent, outage=outage, tickets=tickets)
    fanouts_run(now=timezone.now())
    assert not OutageFanout.objects.filter(due_at__isnull=False).exists()
    return w, outage, tickets


def post(w: World, outage: Outage, **kwargs: Any) -> OutageUpdate:
    kwargs.setdefault("text", "A fix is being tested.")
    kwargs.setdefault("state", OutageState.MONITORING)
    return services.outage_update_post(actor=w.lead, outage=outage, **kwargs)


def assert_once(update: OutageUpdate, tickets: list[Ticket], contacts: list[Contact]) -> None:
    deliveries = Counter(
        OutageDelivery.objects.filter(update=update).values_list("ticket_id", flat=True)
    )
    assert deliveries == Counter({t.pk: 1 for t in tickets})
    messages = Message.objects.filter(pk__in=OutageDelivery.objects.values("message_id"))
    posted = Counter(
        messages.filter(body__contains=update.text).values_list("ticket_id", flat=True)
    )
    assert posted == Counter({t.pk: 1 for t in tickets})
    events = TicketEvent.objects.filter(
        action=EventAction.OUTAGE_UPDATE, note__in=[f"message {m.pk}" for m in messages]
    ).filter(ticket__in=tickets, new_value=update.state)
    assert events.count() == len(tickets)
    mails = Counter(m.to for m in outage_mails(dedupe_key__startswith=f"outage:{update.pk}:"))
    assert mails == Counter({c.email: 1 for c in contacts})


@pytest.mark.django_db(transaction=True)
def test_it_posts_once_per_ticket_and_mails_once_per_contact_after_a_crash() -> None:
    w, outage, tickets = linked_world()
    update = post(w, outage)
    real = fanout.outbox_add
    calls = 0

    def dies_in_the_second_batch(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    with (
        mock.patch.object(fanout, "outbox_add", dies_in_the_second_batch),
        pytest.raises(RuntimeError),
    ):
        fanouts_run(now=update.at, batch_size=4)
    # The first batch is stored, the second rolled back whole; the fan-out is still due.
    assert OutageDelivery.objects.filter(update=update).count() == 4
    assert OutageFanout.objects.get(update=update).due_at is not None
    fanouts_run(now=update.at, batch_size=4)
    fanouts_run(now=update.at, batch_size=4)  # and again: nothing more
    assert OutageFanout.objects.get(update=update).due_at is None
    assert_once(update, tickets, [w.user_a, w.user_b, w.cpc_b, w.cpc_a])


@pytest.mark.django_db(transaction=True)
def test_it_mails_the_audience_once_after_a_crash_in_its_batches() -> None:
    w, outage, _tickets = linked_world(tickets_per_requester=1)
    subscribers = [ContactFactory(organisation=w.cpc_a.organisation) for _ in range(5)]
    for contact in subscribers:
        services.outage_subscribe(actor=contact.user, contact=contact)
    update = post(w, outage)
    real = fanout.outbox_add
    calls = 0

    def dies(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:  # tickets, first audience batch, then dies
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    with mock.patch.object(fanout, "outbox_add", dies), pytest.raises(RuntimeError):
        fanouts_run(now=update.at, batch_size=3)
    fanouts_run(now=update.at, batch_size=3)
    mails = Counter(m.to for m in outage_mails(dedupe_key__startswith=f"outage:{update.pk}:"))
    expected = [w.user_a, w.user_b, w.cpc_b, w.cpc_a, *subscribers]
    assert mails == Counter({c.email: 1 for c in expected})


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_it_fans_out_once_with_two_workers_at_once() -> None:
    w, outage, tickets = linked_world(tickets_per_requester=6)
    update = post(w, outage)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            fanouts_run(now=update.at, batch_size=2)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert errors == []
    fanouts_run(now=update.at, batch_size=2)  # whatever a skipped lock left
    assert_once(update, tickets, [w.user_a, w.user_b, w.cpc_b, w.cpc_a])


def test_it_mails_cpcs_and_subscribers_each_once_in_their_language() -> None:
    w = world()
    all_products = ContactFactory(organisation=w.cpc_a.organisation, language="fr")
    payroll_only = ContactFactory(organisation=w.cpc_b.organisation)
    other_only = ContactFactory(organisation=w.cpc_b.organisation)
    services.outage_subscribe(actor=all_products.user, contact=all_products)
    services.outage_subscribe(actor=payroll_only.user, contact=payroll_only, product=w.payroll)
    services.outage_subscribe(actor=other_only.user, contact=other_only, product=w.other)
    services.outage_subscribe(actor=w.cpc_a.user, contact=w.cpc_a)  # a CPC who subscribed
    # An organisation whose contract has ended hears nothing.
    ended = ContactFactory(is_cpc=True)
    contract(ended, w.payroll, active=False)
    ContactFactory(organisation=w.cpc_a.organisation, is_cpc=True, active=False)
    outage = publish(w)
    fanouts_run(now=outage.created_at)
    mails = outage_mails()
    assert Counter(m.to for m in mails) == Counter(
        {c.email: 1 for c in (w.cpc_a, w.cpc_b, all_products, payroll_only)}
    )
    french = next(m for m in mails if m.to == all_products.email)
    assert french.language == "fr" and "Incident Payroll" in french.subject
    assert "Comment vous le constatez" in french.body_text
    english = next(m for m in mails if m.to == payroll_only.email)
    assert "at the latest at" in english.body_text


def test_it_posts_the_latest_update_on_tickets_linked_later() -> None:
    w, outage, tickets = linked_world(tickets_per_requester=1)
    update = post(w, outage)
    fanouts_run(now=update.at)
    late = make_ticket(requester=w.user_a, product=w.payroll, title="Me too")
    services.outage_tickets_link(actor=w.agent, outage=outage, tickets=[late, *tickets])
    fanouts_run(now=timezone.now())
    assert OutageDelivery.objects.filter(update=update, ticket=late).count() == 1
    assert OutageDelivery.objects.filter(update=update).count() == len(tickets) + 1
    # user_a had this update's mail already: no second one for the new ticket.
    assert len(outage_mails(to=w.user_a.email, dedupe_key__startswith=f"outage:{update.pk}:")) == 1
