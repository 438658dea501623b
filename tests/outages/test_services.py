"""The outage services: who may do what, what they validate, what the selectors show."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from servicedesk.accounts.models import StaffRole
from servicedesk.automation.models import RaciEntry, RaciStep
from servicedesk.outages import policy, selectors, services
from servicedesk.outages.models import (
    AppendOnlyError,
    OutageState,
    OutageSubscription,
    OutageUpdate,
)
from servicedesk.tickets.models import EventAction, Kind, TicketEvent
from servicedesk.tickets.policy import Refusal
from tests.factories import ContactFactory, ProductFactory, StaffFactory, make_ticket
from tests.outages.factories import World, publish, world

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def w() -> World:
    return world()


def test_it_lets_the_raci_roles_and_administrators_publish(w: World) -> None:
    with pytest.raises(Refusal) as refused:
        services.outage_create(
            actor=w.agent,
            title="Login fails",
            products=[w.payroll],
            started_at=timezone.now(),
            symptoms="An error at login.",
            manager=w.lead,
        )
    assert "actor" in refused.value.message_dict
    admin = StaffFactory(role=StaffRole.ADMINISTRATOR)
    assert policy.may_publish(admin) and policy.may_publish(w.lead)
    assert not policy.may_publish(w.agent) and not policy.may_publish(w.user_a.user)
    # The matrix decides: make agents responsible for outages, and they may.
    RaciEntry.objects.create(
        step=RaciStep.OUTAGE, kind=Kind.INCIDENT, role=StaffRole.AGENT, letter="R"
    )
    assert policy.may_publish(w.agent)


def test_it_validates_a_new_notice(w: World) -> None:
    with pytest.raises(ValidationError) as error:
        publish(w, products=[])
    assert "products" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        publish(w, symptoms="  ")
    assert "symptoms" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        publish(w, cadence=datetime.timedelta(hours=25))
    assert "cadence" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        publish(w, manager=w.user_a.user)
    assert "manager" in error.value.message_dict


def test_it_keeps_the_promise_within_a_day(w: World) -> None:
    outage = publish(w, cadence=datetime.timedelta(hours=8))
    assert outage.next_update_due_at == outage.created_at + 8 * HOUR
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.outage_update_post(
            actor=w.lead,
            outage=outage,
            text="Still looking.",
            state=OutageState.INVESTIGATING,
            next_update_due_at=now + 25 * HOUR,
        )
    assert "next_update_due_at" in error.value.message_dict
    update = services.outage_update_post(
        actor=w.lead,
        outage=outage,
        text="Still looking.",
        state=OutageState.INVESTIGATING,
        next_update_due_at=now + 20 * HOUR,
    )
    outage.refresh_from_db()
    assert outage.next_update_due_at == update.next_update_due_at == now + 20 * HOUR
    assert outage.warn_at == now + 20 * HOUR - datetime.timedelta(minutes=15)
    assert outage.escalate_at == now + 20 * HOUR


def test_it_resolves_with_a_cause_and_may_reopen(w: World) -> None:
    outage = publish(w)
    with pytest.raises(ValidationError) as error:
        services.outage_update_post(
            actor=w.lead, outage=outage, text="Fixed.", state=OutageState.RESOLVED
        )
    assert "cause" in error.value.message_dict
    services.outage_update_post(
        actor=w.lead, outage=outage, text="Fixed.", state=OutageState.RESOLVED, cause="A setting."
    )
    outage.refresh_from_db()
    assert outage.resolved_at is not None and outage.close_at == outage.resolved_at + 4 * HOUR
    assert outage.next_update_due_at is None and outage.warn_at is None
    services.outage_update_post(
        actor=w.lead, outage=outage, text="It is back.", state=OutageState.INVESTIGATING
    )
    outage.refresh_from_db()
    assert outage.resolved_at is None and outage.close_at is None
    assert outage.next_update_due_at is not None
    with pytest.raises(ValidationError):
        services.outage_update_post(
            actor=w.lead, outage=outage, text="Done.", state=OutageState.CLOSED
        )


def test_it_lets_only_the_manager_or_publishers_update(w: World) -> None:
    outage = publish(w)
    with pytest.raises(Refusal):
        services.outage_update_post(
            actor=w.agent, outage=outage, text="x", state=OutageState.IDENTIFIED
        )
    with pytest.raises(Refusal):
        services.outage_update_post(
            actor=w.user_a.user, outage=outage, text="x", state=OutageState.IDENTIFIED
        )
    other_lead = StaffFactory(role=StaffRole.TEAM_LEAD)
    services.outage_update_post(
        actor=other_lead, outage=outage, text="Found it.", state=OutageState.IDENTIFIED
    )


def test_it_keeps_every_change_in_an_append_only_history(w: World) -> None:
    outage = publish(w)
    services.outage_edit(
        actor=w.lead, outage=outage, cadence=datetime.timedelta(hours=6), title="Payslips fail"
    )
    outage.refresh_from_db()
    assert outage.cadence == datetime.timedelta(hours=6)
    assert outage.next_update_due_at == outage.created_at + 6 * HOUR
    history = list(outage.updates.order_by("pk"))
    assert [u.public for u in history] == [True, False]
    assert "cadence" in history[1].text and history[1].author == w.lead
    with pytest.raises(AppendOnlyError):
        OutageUpdate.objects.filter(outage=outage).update(text="rewritten")
    with pytest.raises(AppendOnlyError):
        history[0].save()


def test_it_links_tickets_once_with_an_event_each(w: World) -> None:
    outage = publish(w)
    tickets = [make_ticket(requester=w.user_a, product=w.payroll) for _ in range(3)]
    with pytest.raises(Refusal):
        services.outage_tickets_link(actor=w.user_a.user, outage=outage, tickets=tickets)
    assert services.outage_tickets_link(actor=w.agent, outage=outage, tickets=tickets) == 3
    assert services.outage_tickets_link(actor=w.agent, outage=outage, tickets=tickets) == 0
    events = TicketEvent.objects.filter(action=EventAction.OUTAGE_LINKED)
    assert sorted(events.values_list("ticket_id", flat=True)) == sorted(t.pk for t in tickets)


def test_it_attaches_a_customers_report_only_to_a_current_notice_of_its_product(
    w: World,
) -> None:
    outage = publish(w)
    about_other = make_ticket(requester=w.user_b, product=w.other)
    with pytest.raises(Refusal) as refused:
        services.outage_ticket_attach_by_customer(
            actor=w.user_b.user, outage=outage, ticket=about_other
        )
    assert "outage" in refused.value.message_dict
    someone_elses = make_ticket(requester=w.user_b, product=w.payroll)
    with pytest.raises(Refusal) as refused:
        services.outage_ticket_attach_by_customer(
            actor=w.user_a.user, outage=outage, ticket=someone_elses
        )
    assert "ticket" in refused.value.message_dict
    # C's contact cannot see the notice at all.
    contact_c = ContactFactory(organisation=w.cpc_c.organisation)
    own = make_ticket(requester=contact_c, product=w.other)
    with pytest.raises(Refusal) as refused:
        services.outage_ticket_attach_by_customer(actor=contact_c.user, outage=outage, ticket=own)
    assert refused.value.message_dict == {"outage": ["No such notice."]}
    services.outage_update_post(
        actor=w.lead, outage=outage, text="Fixed.", state=OutageState.RESOLVED, cause="A bug."
    )
    mine = make_ticket(requester=w.user_a, product=w.payroll)
    with pytest.raises(Refusal):
        services.outage_ticket_attach_by_customer(actor=w.user_a.user, outage=outage, ticket=mine)


def test_it_subscribes_a_contact_to_their_own_products(w: World) -> None:
    with pytest.raises(Refusal):
        services.outage_subscribe(actor=w.user_a.user, contact=w.cpc_a)
    with pytest.raises(ValidationError) as error:
        services.outage_subscribe(actor=w.user_a.user, contact=w.user_a, product=w.other)
    assert "product" in error.value.message_dict
    first = services.outage_subscribe(actor=w.user_a.user, contact=w.user_a, product=w.payroll)
    again = services.outage_subscribe(actor=w.user_a.user, contact=w.user_a, product=w.payroll)
    everything = services.outage_subscribe(actor=w.agent, contact=w.user_a)
    assert first.pk == again.pk and everything.product is None
    assert list(selectors.subscriptions_of(contact=w.user_a)) == [everything, first]
    assert services.outage_unsubscribe(actor=w.user_a.user, contact=w.user_a) == 1
    assert OutageSubscription.objects.filter(contact=w.user_a).count() == 1


def test_it_shows_notices_to_whom_they_concern(w: World, settings: object) -> None:
    outage = publish(w)
    anonymous = AnonymousUser()
    assert list(selectors.outages_visible(user=anonymous)) == []
    settings.OUTAGES_STATUS_PAGE_PUBLIC = True  # type: ignore[attr-defined]
    assert list(selectors.outages_visible(user=anonymous)) == [outage]
    assert selectors.outages_current_for(user=w.agent) == [outage]
    assert selectors.outages_for_product(user=w.user_a.user, product=w.payroll) == [outage]
    assert selectors.outages_for_product(user=w.user_a.user, product=w.other) == []
    assert selectors.outages_current_for(user=w.cpc_c.user) == []
    # A contract that ended: the notice is no longer theirs.
    w.contract_a.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    w.contract_a.save()
    assert selectors.outages_current_for(user=w.user_a.user) == []
    services.outage_update_post(
        actor=w.lead, outage=outage, text="Fixed.", state=OutageState.RESOLVED, cause="A bug."
    )
    assert selectors.outages_for_product(user=w.user_b.user, product=w.payroll) == []
    assert selectors.outages_current_for(user=w.user_b.user) == [outage]  # until closed


@pytest.mark.django_db
def test_it_refuses_a_start_long_past_or_in_the_future() -> None:
    admin = StaffFactory(role="administrator")
    for started in (
        datetime.datetime(194, 1, 1, 14, tzinfo=datetime.UTC),
        timezone.now() + datetime.timedelta(hours=1),
    ):
        with pytest.raises(ValidationError) as refused:
            services.outage_create(
                actor=admin,
                title="Payroll down",
                products=[ProductFactory()],
                started_at=started,
                symptoms="Sign-in fails.",
                manager=admin,
            )
        assert "started_at" in refused.value.message_dict
