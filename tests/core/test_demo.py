"""`servicedesk demo`: a complete, realistic desk, made through the services, once."""

from io import StringIO

from django.apps import apps
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, QuerySet
from django.utils import timezone

from servicedesk.accounts.models import Contact, Organisation, StaffRole, Supplier, Team, User
from servicedesk.contracts.models import Reporters
from servicedesk.demo import data
from servicedesk.reports import demo as reports_demo
from servicedesk.sla.presets import PRESETS
from servicedesk.tickets import services
from servicedesk.tickets.models import (
    Kind,
    LinkKind,
    Message,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
    Visibility,
)
from servicedesk.tickets.priorities import scheme_for
from tests.core.conftest import DEMO_TICKETS, printed_logins

DEMO_CODES = {spec.code for spec in data.ORGANISATIONS}
# The compliance report's worked examples, told after the story, in the last full quarter.
EXAMPLES = reports_demo.TITLE


def story_tickets() -> QuerySet[Ticket]:
    """The demo's invented history: its tickets less the compliance examples."""
    return Ticket.objects.filter(organisation__code__in=DEMO_CODES).exclude(
        title__startswith=EXAMPLES
    )


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_it_creates_five_organisations_each_with_a_contract_of_its_seed(demo: str) -> None:
    organisations = Organisation.objects.filter(code__in=DEMO_CODES)
    assert organisations.count() == 5
    seeds = set()
    for organisation in organisations:
        contract = organisation.contracts.get()
        preset = PRESETS[contract.service_level_id]
        seeds.add(preset.seed)
        assert contract.priority_scheme == preset.scheme.key
        assert contract.calendar is not None
        assert contract.products.exists()
        contract.full_clean()
    assert seeds == {"000", "001", "002", "003", "004"}
    restricted = Organisation.objects.get(code="vandenberg-groothandel").contracts.get()
    assert restricted.reporters == Reporters.CPC_AND_KEY_USERS
    assert Organisation.objects.get(code="precimeca").language == "fr"


def test_it_creates_staff_in_every_role_and_teams_for_every_line(demo: str) -> None:
    roles = set(User.objects.exclude(role="").values_list("role", flat=True))
    assert roles == set(StaffRole.values)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.role == StaffRole.ADMINISTRATOR
    assert set(Team.objects.values_list("support_line", flat=True)) == {1, 2, 3}
    for team in Team.objects.all():
        assert team.lead is not None and team.lead.role == StaffRole.TEAM_LEAD
        assert team.members.exists()
    assert Supplier.objects.count() == 2


def test_it_gives_every_contact_a_portal_login(demo: str) -> None:
    contacts = Contact.objects.filter(organisation__code__in=DEMO_CODES).select_related("user")
    assert contacts.count() == sum(len(spec.contacts) for spec in data.ORGANISATIONS)
    for contact in contacts:
        assert contact.user is not None and contact.user.role == ""
    assert set(contacts.values_list("language", flat=True)) == {"nl", "en", "fr"}
    cpcs = contacts.filter(is_cpc=True).values("organisation").annotate(n=Count("id"))
    assert sorted(row["n"] for row in cpcs) == [1, 1, 1, 1, 1]
    assert contacts.filter(key_user_products__isnull=False).exists()


def test_it_creates_tickets_of_every_kind_in_every_status(demo: str) -> None:
    tickets = story_tickets()
    assert tickets.count() == DEMO_TICKETS
    combinations = set(tickets.values_list("kind", "status"))
    expected = {
        (kind, status)
        for kind in Kind.values
        for status in Status.values
        if status != Status.PARKED or kind == Kind.CHANGE_REQUEST
    }
    assert combinations == expected


def test_it_writes_conversations_notes_and_hand_overs(demo: str) -> None:
    messages = Message.objects.filter(ticket__organisation__code__in=DEMO_CODES)
    assert messages.filter(visibility=Visibility.PUBLIC, author_contact__isnull=False).exists()
    assert messages.filter(visibility=Visibility.PUBLIC, author_user__role=StaffRole.AGENT).exists()
    assert messages.filter(visibility=Visibility.INTERNAL).exists()
    changes = TicketEvent.objects.filter(action="priority_changed")
    assert changes.exists() and not changes.filter(note="").exists()
    waiting = Ticket.objects.filter(status=Status.WAITING_ON_SUPPLIER)
    assert waiting.exists()
    assert not waiting.filter(supplier=None).exists()
    assert not waiting.filter(supplier_reference="").exists()
    assert set(TicketLink.objects.values_list("kind", flat=True)) == set(LinkKind.values)
    assert Ticket.objects.filter(support_line=3).exists()


def test_it_uses_each_contracts_priority_scheme(demo: str) -> None:
    for ticket in Ticket.objects.select_related("contract"):
        scheme = scheme_for(ticket.contract)
        assert scheme.has(ticket.priority)
        assert ticket.priority_rank == scheme.rank(ticket.priority)


def test_it_lets_only_the_cpc_and_key_users_report_under_seed_000(demo: str) -> None:
    tickets = Ticket.objects.filter(organisation__code="vandenberg-groothandel")
    assert tickets.exists()
    for ticket in tickets.select_related("requester", "contract", "product"):
        assert services.may_report(
            contact=ticket.requester, contract=ticket.contract, product=ticket.product
        )


def test_it_takes_requests_of_the_seed_004_customer_in_the_portal_only(demo: str) -> None:
    portal_only = [spec.code for spec in data.ORGANISATIONS if not spec.contract.accepts_email]
    assert portal_only == ["precimeca"]
    tickets = Ticket.objects.filter(organisation__code="precimeca")
    assert tickets.exists()
    assert not tickets.filter(channel="email").exists()


def test_it_writes_history_in_the_past_in_order(demo: str) -> None:
    now = timezone.now()
    assert not TicketEvent.objects.filter(at__gt=now).exists()
    oldest = story_tickets().order_by("created_at").first()
    assert oldest is not None and (now - oldest.created_at).days <= 126
    examples = Ticket.objects.filter(title__startswith=EXAMPLES)
    assert examples.exists()
    assert all(
        (now - created).days <= 2 * 92 for created in examples.values_list("created_at", flat=True)
    )
    for ticket in Ticket.objects.prefetch_related("events"):
        events = list(ticket.events.all())
        assert events[0].action == "created"
        assert events[0].at == ticket.created_at
        assert all(event.at >= ticket.created_at for event in events)
    numbers = list(story_tickets().order_by("number").values_list("created_at", flat=True))
    assert numbers == sorted(numbers)


def test_it_prints_logins_whose_passwords_work(demo: str) -> None:
    logins = printed_logins(demo)
    assert set(logins) == {"Admin", "Agent", "Contact"}
    assert logins["Admin"][0] == "admin"
    assert f"{settings.SITE_URL.rstrip('/')}/admin/" in demo
    for username, password in logins.values():
        user = authenticate(username=username, password=password)
        assert user is not None and user.username == username
    agent = User.objects.get(username=logins["Agent"][0])
    assert agent.role == StaffRole.AGENT
    contact = User.objects.get(username=logins["Contact"][0])
    assert contact.role == "" and contact.contact.is_cpc


def test_it_creates_nothing_the_second_time(demo: str) -> None:
    before = _counts()
    out = StringIO()
    call_command("demo", tickets=DEMO_TICKETS, stdout=out)
    assert _counts() == before
    output = out.getvalue()
    assert printed_logins(output) == {}
    assert "Admin login: admin (already exists)" in output
    assert "servicedesk changepassword admin" in output
    total = Ticket.objects.filter(organisation__code__in=DEMO_CODES).count()
    assert total > DEMO_TICKETS  # the story and the compliance examples
    assert f"{total} tickets already there" in output


def test_it_shows_change_management_billing_and_outages(demo: str) -> None:
    from servicedesk.billing.models import CreditBundle, TimeEntry
    from servicedesk.changes.models import Proposal, ProposalState
    from servicedesk.coverage.models import CoverageDecision
    from servicedesk.outages.models import Outage, OutageTicket

    states = set(Proposal.objects.values_list("state", flat=True))
    assert ProposalState.PENDING in states  # sent lately: still awaiting the customer
    assert CoverageDecision.objects.filter(decision="billable").exists()
    assert CreditBundle.objects.exists()
    assert TimeEntry.objects.filter(billable=True).exists()
    current = Outage.objects.filter(closed_at__isnull=True)
    assert current.exists() and Outage.objects.filter(closed_at__isnull=False).exists()
    linked = OutageTicket.objects.filter(outage__in=current)
    assert linked.exists()
    # The current notice's updates reached every ticket linked to it.
    for link in linked:
        assert link.ticket.events.filter(action="outage_update").exists()
