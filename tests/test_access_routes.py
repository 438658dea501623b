"""Every route of the project, tried by every role on its own and on another organisation's
objects: who gets in, who is refused, and that customers never receive another
organisation's data or the desk's internal fields, in any representation.

The routes come from Django's resolver. `ROUTES` says, for every one of them, how to call
it and who may: a route the resolver has and the table lacks fails
`test_it_has_every_route_in_the_access_table`, so nobody adds a route without deciding who
may use it. Django's admin is covered by one rule (`admin_access`), still route by route.

The desk's data is built once per module (inside a transaction rolled back at the end);
each request runs in a savepoint that is rolled back, so the cases do not see each other's
writes. A case collects every problem it finds and reports them together.
"""

import datetime
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import Settings
from rest_framework.test import APIClient

from servicedesk.accounts.models import Contact, Organisation, StaffRole, User
from servicedesk.billing import services as billing_services
from servicedesk.billing.models import (
    Activity,
    BundleKind,
    CreditBundle,
    RunningTimer,
    TimeEntry,
)
from servicedesk.catalog.models import Product
from servicedesk.changes import services as change_services
from servicedesk.changes.models import Pricing, Proposal
from servicedesk.contracts.models import Contract, RequestType
from servicedesk.coverage import services as coverage_services
from servicedesk.coverage.models import CoverageDecision, Decision
from servicedesk.desk.models import SavedView
from servicedesk.mail.models import OutboundMail
from servicedesk.outages import services as outage_services
from servicedesk.outages.models import Outage, OutageSubscription, OutageTicket, OutageUpdate
from servicedesk.surveys.links import survey_token
from servicedesk.tickets import services
from servicedesk.tickets.models import (
    Attachment,
    Kind,
    Message,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
    Visibility,
)
from tests.conftest import client_for
from tests.factories import (
    ContactFactory,
    ContractFactory,
    OrganisationFactory,
    ProductFactory,
    StaffFactory,
    TeamFactory,
    complete_details,
)
from tests.portal.fixtures import SIMPLE_STATIC

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- who asks

ANONYMOUS = "anonymous"
CUSTOMERS = ("reporter", "cpc", "key_user", "other_org_contact")
STAFF = ("agent", "team_lead", "service_manager", "administrator")
MANAGERS = frozenset({"service_manager", "administrator"})
ROLES = (ANONYMOUS, *CUSTOMERS, *STAFF)

# Texts only the desk may see: any of them in a customer's response is a leak.
INTERNAL_NOTE = "ZX7731 internal note: the spooler config at this customer is a mess"
INTERNAL_FILE = "internal-analysis-zx7731.txt"
NOTE_FILE = "note-attachment-zx7731.txt"  # uploaded by the API with internal=false, on a note
ASSIGNEE_NAME = "Xander Assignee"
TEAM_NAME = "Team Hidden Line"
PROPOSAL_NOTE = "ZX7731 proposal note: the margin on this change is thin"
COVERAGE_REASON = "ZX7731 coverage reason: they broke it themselves again"
TIME_NOTE = "ZX7731 time note: spent an hour on their spooler mess"
OUTAGE_MANAGER = "Otto Outagemanager"  # the notice's responsible manager: the desk's business
OUTAGE_RECORD = "Changed: cadence"  # an internal record in a notice's history
# Who works on a ticket, where and with whom: absent or empty in a customer's JSON.
INTERNAL_TICKET_FIELDS = ("assignee", "team", "support_line", "supplier", "supplier_reference")
WEBHOOK_TOKEN = "access-test-webhook-token"
# The module runs on a Monday evening (18:30 in Amsterdam), after office hours: then the
# internal "assigned within a working day" target falls due before any target promised to
# the customer, and showing the next due time would show the internal one. A fixed time
# also keeps every SLA state the same from run to run.
BUILT_AT = datetime.datetime(2026, 6, 1, 16, 30, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Side:
    """One customer organisation's objects, as its own people see them."""

    organisation: Organisation
    contract: Contract
    requester: Contact
    ticket: Ticket
    attachment: Attachment  # a public file on the ticket
    public_reply: str
    markers: tuple[str, ...]  # what must never reach another organisation's people
    change: Ticket  # a change request with a pending proposal
    proposal: Proposal
    outage: Outage  # about a product only this organisation's contract covers
    bundle: CreditBundle  # credit bought under the contract
    entry: TimeEntry  # billable time logged on `ticket` by a desk agent, with a note


@dataclass(frozen=True)
class World:
    """The desk the module's cases run against."""

    a: Side  # the reporter's, the CPC's and the key user's organisation
    b: Side  # the other organisation
    users: Mapping[str, User]
    contacts: Mapping[str, Contact]
    sessions: Mapping[str, str]
    internal_attachment: Attachment
    note_attachment: Attachment
    product: Product  # the product of both tickets; the key user's
    inactive_product: Product
    saved_views: Mapping[str, SavedView]  # per staff role its own; "assignee": someone else's
    staff_usernames: frozenset[str]
    ticket_type_id: int
    shared_outage: Outage  # about the product both organisations use; both tickets linked
    agents_entry: TimeEntry  # time the agent logged on the reporter's ticket

    def outage(self, case: "Case") -> Outage:
        return self.shared_outage if case.variant == "shared" else case.side.outage

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if role != ANONYMOUS:
            client.cookies[django_settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def upload(name: str, content: bytes = b"log line\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def staff_member(username: str, first: str, last: str, role: str, **extra: Any) -> User:
    user: User = StaffFactory.create(
        username=username, first_name=first, last_name=last, role=role, **extra
    )
    return user


def build_side(
    *,
    name: str,
    code: str,
    requester: str,
    title: str,
    product: Product,
    replier: User,
    manager: User,
) -> Side:
    """Return an organisation under contract with a ticket in progress, a public reply by
    staff and a file from the requester; a change request with a proposal; an outage
    notice about a product only this organisation uses, linked to the ticket; a coverage
    decision (billable, awaiting the customer's agreement); a credit bundle and billable
    time logged on the ticket."""
    organisation = OrganisationFactory.create(name=name, code=code, email_domains=f"{code}.example")
    contract = ContractFactory.create(
        organisation=organisation,
        name=f"{name} support",
        reference=f"{code.upper()}-SLA-1",
        service_level="saas-high-medium-low",
        priority_scheme="high-medium-low",
        billable_needs_agreement=True,
    )
    own_product = ProductFactory.create(name=f"Route Planner {code.upper()}")
    contract.products.add(product, own_product)
    contact = ContactFactory.create(
        organisation=organisation, name=requester, email=f"{code}.requester@{code}.example"
    )
    ticket = services.ticket_create(
        requester=contact,
        title=title,
        product=product,
        requested_priority="high",
        details=complete_details(),
        actor=contact.user,
    )
    services.ticket_transition(ticket=ticket, actor=replier, status=Status.IN_PROGRESS)
    reply = f"{name}: we are looking into it."
    services.ticket_add_message(ticket=ticket, body=reply, author=replier)
    attachment = services.attachment_add(
        ticket=ticket, upload=upload(f"{code}-customer-log.txt"), actor=contact.user
    )
    markers = (name, contact.name, contact.email, ticket.number, title, contract.reference)

    change_title = f"{code.title()} wants a CSV export"
    change = services.ticket_create(
        requester=contact,
        title=change_title,
        kind=Kind.CHANGE_REQUEST,
        product=product,
        details=complete_details(Kind.CHANGE_REQUEST),
        actor=contact.user,
    )
    scope = f"{code.title()} proposal: an export of every invoice line"
    proposal = change_services.proposal_create(
        ticket=change,
        actor=replier,
        scope=scope,
        estimate_hours=Decimal(6),
        pricing=Pricing.FIXED,
        fixed_price=Decimal("720.00"),
        internal_note=PROPOSAL_NOTE,
    )
    outage_title = f"Route planner {code} cannot plan routes"
    outage = outage_services.outage_create(
        actor=manager,
        title=outage_title,
        products=[own_product],
        started_at=BUILT_AT,
        symptoms=f"Planning a route for {code} ends with an error.",
        manager=manager,
    )
    outage_services.outage_tickets_link(actor=replier, outage=outage, tickets=[ticket])
    coverage_services.coverage_decide(
        ticket=ticket,
        actor=replier,
        decision=Decision.BILLABLE,
        request_type=RequestType.TRAINING,
        reason=COVERAGE_REASON,
    )
    bundle_name = f"{code.title()} credit bundle 2026"
    bundle = CreditBundle.objects.create(
        contract=contract,
        kind=BundleKind.CREDIT,
        name=bundle_name,
        hours=Decimal(10),
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31),
    )
    billing_services.credit_bundles_changed(contract=contract)
    entry = billing_services.time_entry_create(
        actor=replier,
        ticket=ticket,
        minutes=45,
        worked_on=BUILT_AT.date(),
        activity=Activity.ANALYSIS,
        billable=True,
        note=TIME_NOTE,
    )
    return Side(
        organisation,
        contract,
        contact,
        ticket,
        attachment,
        reply,
        (
            *markers,
            attachment.filename,
            change.number,
            change_title,
            scope,
            outage_title,
            bundle_name,
        ),
        change,
        proposal,
        outage,
        bundle,
        entry,
    )


def build_world() -> World:
    product = ProductFactory.create(name="Kestrel Invoicing")
    users = {
        "agent": staff_member("agent.role", "Aaron", "Agent", StaffRole.AGENT),
        "team_lead": staff_member("lea.lead", "Lea", "Lead", StaffRole.TEAM_LEAD),
        "service_manager": staff_member("sam.manager", "Sam", "Manager", StaffRole.SERVICE_MANAGER),
        "administrator": staff_member(
            "root.admin",
            "Ada",
            "Administrator",
            StaffRole.ADMINISTRATOR,
            is_staff=True,
            is_superuser=True,
        ),
    }
    assignee = staff_member("xander.assignee", "Xander", "Assignee", StaffRole.AGENT)
    replier = staff_member("paula.public", "Paula", "Public", StaffRole.AGENT)
    first, last = OUTAGE_MANAGER.split()
    manager = staff_member("otto.outage", first, last, StaffRole.TEAM_LEAD)
    team = TeamFactory.create(name=TEAM_NAME, lead=users["team_lead"])
    team.members.add(assignee)

    a = build_side(
        name="Alpha Tools BV",
        code="alpha",
        requester="Rita Reporter",
        title="Alpha invoices do not print",
        product=product,
        replier=replier,
        manager=manager,
    )
    b = build_side(
        name="Bravo Freight BV",
        code="bravo",
        requester="Olga Outsider",
        title="Bravo manifests are empty",
        product=product,
        replier=replier,
        manager=manager,
    )
    cpc = ContactFactory.create(organisation=a.organisation, name="Carl Central", is_cpc=True)
    key_user = ContactFactory.create(organisation=a.organisation, name="Kim Keyuser")
    key_user.key_user_products.add(product)
    contacts = {"reporter": a.requester, "cpc": cpc, "key_user": key_user}
    contacts["other_org_contact"] = b.requester
    a = replace(a, markers=(*a.markers, cpc.name, key_user.name))

    ticket = a.ticket
    services.ticket_assign(
        ticket=ticket, actor=users["team_lead"], assignee=assignee, team=team, support_line=3
    )
    note = services.ticket_add_message(
        ticket=ticket, body=INTERNAL_NOTE, author=assignee, visibility=Visibility.INTERNAL
    )
    internal = services.attachment_add(
        ticket=ticket, upload=upload(INTERNAL_FILE), actor=assignee, internal=True
    )
    # The way the issue reports it: through the API, internal=false, on an internal note.
    response = client_for(assignee).post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"file": upload(NOTE_FILE), "message": note.pk, "internal": "false"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    note_attachment = Attachment.objects.get(pk=response.json()["id"])
    services.ticket_link(ticket=ticket, target=b.ticket, kind="related", actor=replier)

    saved_views = {
        role: SavedView.objects.create(user=users[role], name="Mine", queue="open")
        for role in STAFF
    }
    saved_views["assignee"] = SavedView.objects.create(user=assignee, name="Hers", queue="open")

    shared_outage = outage_services.outage_create(
        actor=manager,
        title="Kestrel Invoicing is slow for everyone",
        products=[product],
        started_at=BUILT_AT,
        symptoms="Opening an invoice takes a minute.",
        manager=manager,
    )
    outage_services.outage_tickets_link(
        actor=replier, outage=shared_outage, tickets=[a.ticket, b.ticket]
    )
    # An internal record in the notice's history: "Changed: cadence." (never public).
    outage_services.outage_edit(
        actor=manager, outage=shared_outage, cadence=datetime.timedelta(hours=4)
    )
    agents_entry = billing_services.time_entry_create(
        actor=users["agent"],
        ticket=a.ticket,
        minutes=15,
        worked_on=BUILT_AT.date(),
        activity=Activity.COMMUNICATION,
        billable=False,
        note=TIME_NOTE,
    )
    return World(
        a=a,
        b=b,
        users={**users, **{role: c.user for role, c in contacts.items() if c.user}},
        contacts=contacts,
        sessions={},
        internal_attachment=internal,
        note_attachment=note_attachment,
        product=product,
        inactive_product=ProductFactory.create(name="Retired Ledger", active=False),
        saved_views=saved_views,
        staff_usernames=frozenset(User.objects.exclude(role="").values_list("username", flat=True)),
        ticket_type_id=ContentType.objects.get_for_model(Ticket).pk,
        shared_outage=shared_outage,
        agents_entry=agents_entry,
    )


def sign_in(users: Mapping[str, User]) -> dict[str, str]:
    """Return a session key per role."""
    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(User.objects.get(pk=user.pk))  # as stored: factories keep no password
        sessions[role] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return sessions


@pytest.fixture(scope="module")
def media_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("access-media")


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, media_root: Path
) -> Iterator[World]:
    """The desk for the whole module, rolled back when the module is done; the clock
    starts at BUILT_AT and runs on."""
    with (
        django_db_blocker.unblock(),
        time_machine.travel(BUILT_AT, tick=True),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=media_root,
            STORAGES=SIMPLE_STATIC,
            LANGUAGE_CODE="en",
        ),
        transaction.atomic(),
    ):
        world = build_world()
        yield replace(world, sessions=sign_in(world.users))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def web_settings(settings: Settings, media_root: Path) -> None:
    """The module's uploads stay readable; the mail webhook has a token (so it needs one)."""
    settings.STORAGES = SIMPLE_STATIC
    settings.MEDIA_ROOT = media_root
    settings.LANGUAGE_CODE = "en"
    settings.MAIL_WEBHOOK_TOKEN = WEBHOOK_TOKEN


# --------------------------------------------------------------------------- one case


@dataclass(frozen=True)
class Case:
    """A role calling a route on one variant of its object ("own", "other", ...)."""

    world: World
    role: str
    variant: str

    @property
    def mine(self) -> Side:
        return self.world.b if self.role == "other_org_contact" else self.world.a

    @property
    def theirs(self) -> Side:
        return self.world.a if self.role == "other_org_contact" else self.world.b

    @property
    def side(self) -> Side:
        return self.theirs if self.variant == "other" else self.mine

    @property
    def attachment(self) -> Attachment:
        return {
            "internal": self.world.internal_attachment,
            "note_file": self.world.note_attachment,
        }.get(self.variant, self.side.attachment)

    @property
    def contact(self) -> Contact:
        if self.variant == "other":
            return self.theirs.requester
        return self.world.contacts.get(self.role, self.mine.requester)


class Outcome(StrEnum):
    ALLOW = "allowed in"
    LOGIN = "asked to sign in"
    FORBID = "refused (403)"
    HIDE = "told it does not exist (404 or 403)"
    MISSING = "told it does not exist (404)"  # another organisation's object, to a customer
    INVALID = "turned away by the service (400)"  # the refusal is the service's, as a 400
    TOKEN = "refused without the webhook token (401)"
    REDIRECT = "sent on (302)"
    ADMIN = "let past the admin's sign-in"


Access = Callable[[str, str], Outcome]
VISIBLE_TO_CUSTOMERS = frozenset({"-", "own", "active", "shared", "agents"})


def public(role: str, variant: str) -> Outcome:
    return Outcome.ALLOW


def signed_in(role: str, variant: str) -> Outcome:
    return Outcome.LOGIN if role == ANONYMOUS else Outcome.ALLOW


def portal(role: str, variant: str) -> Outcome:
    """Contacts only; each sees their organisation's objects their rules allow."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    if role in STAFF:
        return Outcome.FORBID
    return Outcome.ALLOW if variant in VISIBLE_TO_CUSTOMERS else Outcome.HIDE


def desk(role: str, variant: str) -> Outcome:
    """Staff only; they see every organisation's tickets, but only their own saved views."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    if role in CUSTOMERS:
        return Outcome.FORBID
    return Outcome.HIDE if variant == "someone_elses" else Outcome.ALLOW


def api_read(role: str, variant: str) -> Outcome:
    """Signed in; staff read everything, contacts their scope."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    if role in STAFF:
        return Outcome.ALLOW
    return Outcome.ALLOW if variant in VISIBLE_TO_CUSTOMERS else Outcome.HIDE


def api_staff(role: str, variant: str) -> Outcome:
    if role == ANONYMOUS:
        return Outcome.LOGIN
    return Outcome.ALLOW if role in STAFF else Outcome.FORBID


def api_manage(role: str, variant: str) -> Outcome:
    """Master data is written by service managers and administrators only."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    return Outcome.ALLOW if role in MANAGERS else Outcome.FORBID


def nowhere(role: str, variant: str) -> Outcome:
    return Outcome.HIDE


REPORT_READERS = frozenset({"team_lead", "service_manager", "administrator"})


def desk_reports(role: str, variant: str) -> Outcome:
    """The desk's reports: team leads, service managers and administrators."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    return Outcome.ALLOW if role in REPORT_READERS else Outcome.FORBID


def api_reports(role: str, variant: str) -> Outcome:
    """The reports' API: report readers, and a customer's CPC for its own organisation."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    if role in REPORT_READERS:
        return Outcome.ALLOW
    if role == "cpc":
        return Outcome.ALLOW if variant == "own" else Outcome.HIDE
    return Outcome.FORBID


def api_administer(role: str, variant: str) -> Outcome:
    """The desk's set-up (service levels) is written by administrators only."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    return Outcome.ALLOW if role == "administrator" else Outcome.FORBID


def pack_maker(role: str, variant: str) -> Outcome:
    """Service managers and administrators make review packs; nobody else."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    return Outcome.ALLOW if role in MANAGERS else Outcome.FORBID


def pack_recipient(role: str, variant: str) -> Outcome:
    """The CPC downloads their own organisation's pack; another's does not exist for them."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    if role != "cpc":
        return Outcome.FORBID
    return Outcome.ALLOW if variant in VISIBLE_TO_CUSTOMERS else Outcome.HIDE


def pack_choice(case: Case) -> str:
    return f"?organisation={case.mine.organisation.pk}&quarter=2026-Q1"


def api_ops_reports(role: str, variant: str) -> Outcome:
    """The operational reports' API: a CPC naming another organisation is refused (400)."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    return Outcome.ALLOW if role in REPORT_READERS or role == "cpc" else Outcome.FORBID


# -- change proposals, coverage, outages, billing: another organisation's object is a 404
# for a customer, never a 403.


def customer_rule(
    own: Outcome | Mapping[str, Outcome],
    *,
    staff: Outcome | Mapping[str, Outcome],
    other: Outcome = Outcome.MISSING,
) -> Access:
    """Return the rule: anonymous callers sign in; staff get `staff` (per role, if a
    mapping); a customer gets `own` on what they may see (per role, if a mapping) and
    `other` (a 404) on another organisation's object."""

    def access(role: str, variant: str) -> Outcome:
        if role == ANONYMOUS:
            return Outcome.LOGIN
        if role in STAFF:
            return staff if isinstance(staff, Outcome) else staff[role]
        if variant not in VISIBLE_TO_CUSTOMERS:
            return other
        return own if isinstance(own, Outcome) else own[role]

    return access


def customers(**outcomes: Outcome) -> dict[str, Outcome]:
    """Return an outcome per customer role: the ones named, the others a 403."""
    return {role: outcomes.get(role, Outcome.FORBID) for role in CUSTOMERS}


def staff_roles(**outcomes: Outcome) -> dict[str, Outcome]:
    """Return an outcome per staff role: the ones named, the others allowed in."""
    return {role: outcomes.get(role, Outcome.ALLOW) for role in STAFF}


# Who reads: staff everything, a customer what their organisation's rules let them.
scoped_read = customer_rule(Outcome.ALLOW, staff=Outcome.ALLOW)
# The desk's part of an object in the API: a customer who sees it is refused (403).
desk_api = customer_rule(Outcome.FORBID, staff=Outcome.ALLOW)
# A staff-only service asked by a customer through the API: its refusal is a 400.
desk_service = customer_rule(Outcome.INVALID, staff=Outcome.ALLOW)
# A ticket named in the request's body (not its URL) that the caller may not see is a
# field error (400), as a number that does not exist: neither tells them apart.
desk_service_by_number = customer_rule(Outcome.INVALID, staff=Outcome.ALLOW, other=Outcome.INVALID)
# Contacts only (the portal's forms); staff are refused (403).
portal_scoped = customer_rule(Outcome.ALLOW, staff=Outcome.FORBID)
# The proposal's deciders under the contract's default rule: its CPC and the product's
# key users. The reporter (and the other organisation's plain contact) may read it but
# not answer: the service refuses (the portal's form sends them back, the API says 400);
# staff never answer for the customer.
PROPOSAL_ANSWER = customers(
    cpc=Outcome.ALLOW,
    key_user=Outcome.ALLOW,
    reporter=Outcome.REDIRECT,
    other_org_contact=Outcome.REDIRECT,
)
proposal_answer = customer_rule(PROPOSAL_ANSWER, staff=Outcome.FORBID)
proposal_decide = customer_rule(
    {role: Outcome.INVALID if o == Outcome.REDIRECT else o for role, o in PROPOSAL_ANSWER.items()},
    staff=Outcome.INVALID,
)
# Billable work is agreed to by the ticket's requester or the organisation's CPC only.
AGREERS = {"reporter": Outcome.ALLOW, "cpc": Outcome.ALLOW, "other_org_contact": Outcome.ALLOW}
coverage_agreement = customer_rule(customers(**AGREERS), staff=Outcome.FORBID)
coverage_answer = customer_rule(
    customers(**AGREERS, key_user=Outcome.INVALID), staff=Outcome.FORBID
)
# Notices are published and updated by the roles the RACI matrix makes responsible for
# outages (team leads) and administrators; customers are refused.
OUTAGE_PUBLISHERS = staff_roles(agent=Outcome.FORBID, service_manager=Outcome.FORBID)
outage_publish = customer_rule(Outcome.FORBID, staff=OUTAGE_PUBLISHERS)
# Only staff link tickets to a notice: the service refuses a customer (400).
outage_link = desk_service


def entry_change(role: str, variant: str) -> Outcome:
    """A time entry is changed by who logged it, or by a team lead, manager or
    administrator; customers are refused before any entry is looked up."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    if role in CUSTOMERS:
        return Outcome.FORBID
    if role == "agent" and variant != "agents":
        return Outcome.FORBID
    return Outcome.ALLOW


def credit_reader(role: str, variant: str) -> Outcome:
    """A customer's CPC reads their organisation's credit; another's contract is a 404;
    anyone else is refused."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    if role != "cpc":
        return Outcome.FORBID
    return Outcome.ALLOW if variant in VISIBLE_TO_CUSTOMERS else Outcome.MISSING


def billable_report(role: str, variant: str) -> Outcome:
    """The billable report's API: report readers; a CPC their own organisation's (another
    organisation's is a 404)."""
    if role == ANONYMOUS:
        return Outcome.LOGIN
    if role in REPORT_READERS:
        return Outcome.ALLOW
    if role == "cpc":
        return Outcome.ALLOW if variant in VISIBLE_TO_CUSTOMERS else Outcome.MISSING
    return Outcome.FORBID


def webhook(role: str, variant: str) -> Outcome:
    return Outcome.TOKEN


def redirect(role: str, variant: str) -> Outcome:
    return Outcome.REDIRECT


def admin_access(role: str, variant: str) -> Outcome:
    """Django's admin: staff get past its sign-in (each page then asks the policy, and may
    refuse with a 403); customers and strangers never do."""
    return Outcome.ADMIN if role in STAFF else Outcome.LOGIN


Kwargs = Callable[[Case], dict[str, Any]]
Data = Callable[[Case], dict[str, Any]]


def no_kwargs(case: Case) -> dict[str, Any]:
    return {}


def by_ticket(case: Case) -> dict[str, Any]:
    return {"number": case.side.ticket.number}


def by_attachment(case: Case) -> dict[str, Any]:
    return {"number": case.attachment.ticket.number, "attachment_id": case.attachment.pk}


def text(**values: Any) -> Data:
    return lambda case: dict(values)


def mine(value: Callable[[Side], Any], name: str = "pk") -> Kwargs:
    return lambda case: {name: value(case.side)}


def foreign_query(name: str, value: Callable[[Side], Any]) -> Callable[[Case], str]:
    return lambda case: f"?{name}={value(case.theirs)}"


def by_change(case: Case) -> dict[str, Any]:
    return {"number": case.side.change.number}


def by_proposal(case: Case) -> dict[str, Any]:
    return {"pk": case.side.proposal.pk}


def by_outage(case: Case) -> dict[str, Any]:
    return {"pk": case.world.outage(case).pk}


def by_entry(case: Case) -> dict[str, Any]:
    entry = case.world.agents_entry if case.variant == "agents" else case.side.entry
    return {"entry_id": entry.pk}


def entry_form(case: Case) -> dict[str, Any]:
    prefix = f"entry{by_entry(case)['entry_id']}"
    values = {"duration": "30", "worked_on": "2026-06-01", "activity": "analysis"}
    return {
        **{f"{prefix}-{name}": value for name, value in values.items()},
        f"{prefix}-billable": "covered",
        f"{prefix}-note": "Changed",
    }


def outage_texts(case: Case) -> tuple[str, ...]:
    """What a reader of the own organisation's notice sees: its title and the own ticket."""
    return (case.side.outage.title, case.side.ticket.number)


@dataclass(frozen=True)
class Route:
    """How to call one route, and what each role gets for each method."""

    calls: Mapping[str, Access]  # method -> who may
    variants: tuple[str, ...] = ("-",)
    kwargs: Kwargs = no_kwargs
    data: Data | None = None  # for unsafe methods; API routes send it as JSON
    queries: tuple[str | Callable[[Case], str], ...] = ("",)
    raw: bytes | None = None  # a raw request body (message/rfc822)
    customer_sees: Callable[[Case], tuple[str, ...]] | None = None  # on "own" (or "-"), first query
    staff_sees: Callable[[Case], tuple[str, ...]] | None = None


TICKET = ("own", "other")
OUTAGE = ("own", "other", "shared")
ENTRY = ("own", "other", "agents")
ATTACHMENT = ("own", "other", "internal", "note_file")
STAFF_SEES_ALL = (INTERNAL_NOTE, INTERNAL_FILE, NOTE_FILE, ASSIGNEE_NAME)
RAW_MAIL = b"From: x@alpha.example\r\nTo: desk@example.test\r\nSubject: hi\r\n\r\nhello\r\n"


def own_ticket_texts(case: Case) -> tuple[str, ...]:
    return (case.mine.ticket.number, case.mine.public_reply)


ORGANISATION_QUERY = ("", foreign_query("organisation", lambda side: side.organisation.pk))

ROUTES: dict[str, Route] = {
    # -- operations, sign-in, language: for everyone
    "health": Route({"get": public}),
    "openapi": Route({"get": public}),
    "api-docs": Route({"get": public}),
    "home": Route({"get": signed_in}),
    "login": Route({"get": public}),
    "logout": Route({"post": redirect}),
    "preferences": Route(
        {"get": signed_in, "post": signed_in},
        data=text(language="en", time_zone="Europe/Amsterdam"),
    ),
    "password_reset": Route({"get": public}),
    "password_reset_done": Route({"get": public}),
    "password_reset_confirm": Route(
        {"get": public}, kwargs=lambda case: {"uidb64": "MQ", "token": "not-a-token"}
    ),
    "password_reset_complete": Route({"get": public}),
    "set_language": Route({"post": public}, data=text(language="en", next="/")),
    "mail:inbound": Route({"post": webhook}, raw=RAW_MAIL),
    # -- the customer portal
    "portal:tickets": Route(
        {"get": portal},
        queries=("?scope=organisation&state=all", "?state=closed"),
        customer_sees=lambda case: (case.mine.ticket.number,),
    ),
    "portal:report-start": Route({"get": portal}),
    "portal:report": Route(
        {"get": portal, "post": portal}, kwargs=lambda case: {"kind": "incident"}, data=text()
    ),
    "portal:ticket": Route(
        {"get": portal},
        TICKET,
        by_ticket,
        customer_sees=lambda case: (*own_ticket_texts(case), case.mine.attachment.filename),
    ),
    "portal:report-done": Route({"get": portal}, TICKET, by_ticket),
    "portal:reply": Route({"post": portal}, TICKET, by_ticket, text(body="Thanks, any news?")),
    "portal:confirm": Route({"post": portal}, TICKET, by_ticket, text(comment="Works")),
    "portal:reopen": Route({"post": portal}, TICKET, by_ticket, text(reason="Still broken")),
    "portal:close": Route({"post": portal}, TICKET, by_ticket, text(reason="Not needed")),
    "portal:attachment": Route({"get": portal}, ATTACHMENT, by_attachment),
    # -- the agent desk
    "desk:home": Route({"get": redirect}),  # to a queue, which asks who you are
    "desk:queue": Route({"get": desk}, kwargs=lambda case: {"queue": "open"}),
    "desk:bulk": Route(
        {"post": desk},
        TICKET,
        data=lambda case: {"tickets": [case.side.ticket.number], "action": "note", "note": "x"},
    ),
    "desk:view-save": Route({"post": desk}, data=text(name="Saved here", queue="open")),
    "desk:view-delete": Route(
        {"post": desk},
        ("own", "someone_elses"),
        lambda case: {
            "pk": case.world.saved_views[
                case.role if case.role in STAFF and case.variant == "own" else "assignee"
            ].pk
        },
    ),
    "desk:phone": Route({"get": desk, "post": desk}, data=text()),
    "desk:ticket": Route({"get": desk}, TICKET, by_ticket, staff_sees=lambda case: STAFF_SEES_ALL),
    "desk:message": Route(
        {"post": desk}, TICKET, by_ticket, text(visibility="public", body="Try again")
    ),
    "desk:call": Route(
        {"post": desk},
        TICKET,
        by_ticket,
        lambda case: {
            "caller": case.side.requester.pk,
            "summary": "Called about it",
            "visibility": "public",
        },
    ),
    "desk:edit": Route(
        {"post": desk},
        TICKET,
        by_ticket,
        lambda case: {"title": "Edited", "kind": "incident", "product": case.world.product.pk},
    ),
    "desk:take": Route({"post": desk}, TICKET, by_ticket, text()),
    "desk:status": Route({"post": desk}, TICKET, by_ticket, text(status="waiting_on_customer")),
    "desk:priority": Route(
        {"post": desk}, TICKET, by_ticket, text(priority="medium", justification="One user")
    ),
    "desk:assign": Route({"post": desk}, TICKET, by_ticket, text(support_line="2")),
    "desk:link": Route(
        {"post": desk},
        TICKET,
        by_ticket,
        lambda case: {"target": case.world.b.ticket.number, "kind": "duplicate_of"},
    ),
    "desk:split": Route({"post": desk}, TICKET, by_ticket, text(title="New", description="Q")),
    "desk:attachment": Route({"get": desk}, ATTACHMENT, by_attachment),
    # -- the REST API
    "api/v1/": Route({"get": nowhere}, queries=("no-such-endpoint/1.5",)),  # the JSON 404
    "ticket-list": Route(
        {"get": api_read, "post": api_read},
        data=text(title="Reported through the API"),
        queries=("", foreign_query("organisation", lambda side: side.organisation.pk)),
        customer_sees=lambda case: (case.mine.ticket.number,),
    ),
    "ticket-detail": Route(
        {"get": api_read, "patch": api_read},
        TICKET,
        by_ticket,
        text(title="Renamed through the API"),
        customer_sees=lambda case: (case.mine.ticket.number,),
        staff_sees=lambda case: (ASSIGNEE_NAME, TEAM_NAME),
    ),
    "ticket-attachment-content": Route({"get": api_read}, ATTACHMENT, by_attachment),
    "ticket-attachments": Route(
        {"get": api_read, "post": api_read},
        TICKET,
        by_ticket,
        text(),
        customer_sees=lambda case: (case.mine.attachment.filename,),
        staff_sees=lambda case: (INTERNAL_FILE, NOTE_FILE),
    ),
    "ticket-change-status": Route(
        {"post": api_read}, TICKET, by_ticket, text(status="closed", note="Not needed")
    ),
    "ticket-events": Route({"get": api_read}, TICKET, by_ticket),
    "ticket-links": Route(
        {"post": api_staff},
        TICKET,
        by_ticket,
        lambda case: {"target": case.theirs.ticket.number, "kind": "duplicate_of"},
    ),
    "ticket-messages": Route(
        {"get": api_read, "post": api_read},
        TICKET,
        by_ticket,
        text(body="Any news?"),
        customer_sees=lambda case: (case.mine.public_reply,),
        staff_sees=lambda case: (INTERNAL_NOTE,),
    ),
    "ticket-sla": Route({"get": api_read}, TICKET, by_ticket),
    "organisation-list": Route(
        {"get": api_read, "post": api_manage},
        data=text(name="Charlie Catering BV", code="charlie"),
        queries=("", foreign_query("code", lambda side: side.organisation.code)),
        customer_sees=lambda case: (case.mine.organisation.name,),
    ),
    "organisation-detail": Route(
        {"get": api_read, "patch": api_manage},
        TICKET,
        mine(lambda side: side.organisation.pk),
        text(language="nl"),
    ),
    "contact-list": Route(
        {"get": api_read, "post": api_manage},
        data=lambda case: {
            "organisation": case.world.a.organisation.pk,
            "name": "Nina New",
            "email": "nina.new@alpha.example",
        },
        queries=("", foreign_query("organisation", lambda side: side.organisation.pk)),
    ),
    "contact-detail": Route(
        {"get": api_read, "patch": api_manage},
        TICKET,
        lambda case: {"pk": case.contact.pk},
        text(phone="+31 20 000 0000"),
    ),
    "product-list": Route(
        {"get": api_read, "post": api_manage}, data=text(name="New product", code="new-product")
    ),
    "product-detail": Route(
        {"get": api_read, "patch": api_manage},
        ("active", "inactive"),
        lambda case: {
            "pk": (
                case.world.inactive_product if case.variant == "inactive" else case.world.product
            ).pk
        },
        text(name="Renamed product"),
    ),
    "contract-list": Route(
        {"get": api_read, "post": api_manage},
        data=text(name="New contract"),
        queries=("", foreign_query("organisation", lambda side: side.organisation.pk)),
        customer_sees=lambda case: (case.mine.contract.reference,),
    ),
    "contract-detail": Route(
        {"get": api_read, "patch": api_manage},
        TICKET,
        mine(lambda side: side.contract.pk),
        text(name="Renamed contract"),
    ),
    "desk:compliance": Route(
        {"get": desk_reports}, queries=("", "?period=2026-Q2", "?period=nonsense")
    ),
    "desk:compliance-csv": Route({"get": desk_reports}, queries=("", "?period=2026")),
    "report-compliance": Route(
        {"get": api_reports},
        TICKET,
        queries=(
            lambda case: f"?organisation={case.side.organisation.pk}",
            lambda case: f"?contract={case.side.contract.pk}&format=csv",
        ),
    ),
    "desk:report-open-tickets": Route({"get": desk_reports}, queries=("", "?format=csv")),
    "desk:report-reaction-times": Route({"get": desk_reports}, queries=("", "?format=csv")),
    "desk:report-stale": Route({"get": desk_reports}, queries=("", "?format=csv")),
    "desk:satisfaction": Route({"get": desk_reports}, queries=("", "?format=csv")),
    "report-open-tickets": Route({"get": api_ops_reports}, queries=ORGANISATION_QUERY),
    "report-reaction-times": Route({"get": api_ops_reports}, queries=ORGANISATION_QUERY),
    "report-stale": Route({"get": api_ops_reports}, queries=ORGANISATION_QUERY),
    "report-satisfaction": Route({"get": api_ops_reports}, queries=ORGANISATION_QUERY),
    "servicelevel-list": Route(
        {"get": api_staff, "post": api_administer},
        data=text(key="new-level", name="New level"),  # no definition: a 400 for administrators
    ),
    "servicelevel-detail": Route(
        {"get": api_staff, "patch": api_administer},
        kwargs=lambda case: {"key": "saas-high-medium-low"},
        data=text(name="Renamed level"),
    ),
    "servicelevel-copy": Route(
        {"post": api_administer},
        kwargs=lambda case: {"key": "saas-high-medium-low"},
        data=text(key="copied-level", name="Copied level"),
    ),
    "servicelevel-version-detail": Route(
        {"get": api_staff},
        kwargs=lambda case: {"key": "saas-high-medium-low", "number": 1},
    ),
    "desk:dashboard": Route({"get": desk_reports}, queries=("", "?team=0")),
    "desk:review-pack": Route({"get": pack_maker}, queries=("", pack_choice)),
    "desk:review-pack-pdf": Route({"get": pack_maker}, queries=(pack_choice,)),
    "portal:review-packs": Route({"get": pack_recipient}),
    "portal:review-pack-pdf": Route(
        {"get": pack_recipient},
        TICKET,
        lambda case: {"organisation": case.side.organisation.code, "quarter": "2026-Q1"},
    ),
    "surveys:answer": Route(
        {"get": nowhere, "post": nowhere},
        TICKET,
        lambda case: {
            "token": survey_token(ticket_id=case.side.ticket.pk, contact_id=case.side.requester.pk)
        },
        text(score="3", comment="Slow"),
    ),
    # -- change proposals: the desk decides and proposes, the customer answers
    "changes:desk-park": Route({"post": desk}, TICKET, by_change, text(note="Awaits a decision")),
    "changes:desk-decide": Route(
        {"post": desk}, TICKET, by_change, text(decision="roadmap", note="Next release")
    ),
    "changes:desk-propose": Route(
        {"post": desk},
        TICKET,
        by_change,
        text(scope="A revised export", estimate_hours="4", pricing="fixed", fixed_price="480"),
    ),
    "changes:desk-plan": Route(
        {"post": desk},
        TICKET,
        lambda case: {"number": case.side.change.number, "pk": case.side.proposal.pk},
        lambda case: {
            "planned_start": "2026-07-01",
            "planned_end": "2026-07-10",
            "consultant": case.world.users["agent"].pk,
        },
    ),
    "changes:desk-release": Route({"post": desk}, TICKET, by_change, text(note="Released")),
    "changes:portal-proposals": Route(
        {"get": portal_scoped}, customer_sees=lambda case: (case.mine.change.number,)
    ),
    "changes:portal-proposal": Route(
        {"get": portal_scoped},
        TICKET,
        by_proposal,
        customer_sees=lambda case: (case.mine.proposal.scope,),
    ),
    "changes:proposal-answer": Route(
        {"post": proposal_answer}, TICKET, by_proposal, text(answer="accept", comment="Go")
    ),
    "proposal-list": Route(
        {"get": scoped_read, "post": desk_service},
        data=lambda case: {
            "ticket": case.mine.change.number,
            "scope": "A revised export",
            "estimate_hours": "4",
            "pricing": "fixed",
            "fixed_price": "480",
        },
        queries=("", "?state=pending"),
        customer_sees=lambda case: (case.mine.proposal.scope,),
        staff_sees=lambda case: (PROPOSAL_NOTE, case.world.a.proposal.scope),
    ),
    "proposal-detail": Route(
        {"get": scoped_read},
        TICKET,
        by_proposal,
        customer_sees=lambda case: (case.mine.proposal.scope,),
        staff_sees=lambda case: (PROPOSAL_NOTE,),
    ),
    "proposal-decide": Route(
        {"post": proposal_decide}, TICKET, by_proposal, text(decision="accept", comment="Go")
    ),
    "proposal-plan": Route(
        {"post": desk_service},
        TICKET,
        by_proposal,
        lambda case: {
            "planned_start": "2026-07-01",
            "planned_end": "2026-07-10",
            "consultant": case.world.users["agent"].pk,
        },
    ),
    "proposal-release": Route({"post": desk_service}, TICKET, by_proposal, text(note="Done")),
    "change-decision": Route(
        {"post": desk_service_by_number},
        TICKET,
        data=lambda case: {"ticket": case.side.change.number, "decision": "park"},
    ),
    # -- coverage: who pays; the reason is the desk's
    "coverage:suggest": Route(
        {"get": desk},
        TICKET,
        by_ticket,
        queries=("?request_type=training",),
        staff_sees=lambda case: (COVERAGE_REASON,),
    ),
    "coverage:decide": Route(
        {"post": desk},
        TICKET,
        by_ticket,
        text(decision="covered", request_type="training", reason="Goodwill"),
    ),
    "coverage:answer": Route(
        {"post": coverage_answer}, TICKET, by_ticket, text(answer="agree", comment="Fine")
    ),
    "ticket-coverage": Route(
        {"get": scoped_read, "post": desk_api},
        TICKET,
        by_ticket,
        text(decision="covered", request_type="training", reason="Goodwill"),
        customer_sees=lambda case: ('"billable":true', '"agreement":"awaiting"'),
        staff_sees=lambda case: (COVERAGE_REASON,),
    ),
    "ticket-coverage-agreement": Route(
        {"post": coverage_agreement}, TICKET, by_ticket, text(agree=True, comment="Fine")
    ),
    # -- outage notices: by product; the tickets linked are those the reader sees anyway
    "outage-list": Route(
        {"get": scoped_read, "post": outage_publish},
        data=lambda case: {
            "title": "Everything is down",
            "products": [case.world.product.pk],
            "started_at": BUILT_AT.isoformat(),
            "symptoms": "Nothing opens.",
            "manager": case.world.users["team_lead"].pk,
        },
        customer_sees=lambda case: (case.mine.outage.title, case.world.shared_outage.title),
        staff_sees=lambda case: (OUTAGE_MANAGER,),
    ),
    "outage-detail": Route(
        {"get": scoped_read},
        OUTAGE,
        by_outage,
        customer_sees=lambda case: (case.side.outage.title,),
        staff_sees=lambda case: (OUTAGE_MANAGER,),
    ),
    "outage-updates": Route(
        {"get": scoped_read, "post": customer_rule(Outcome.FORBID, staff=OUTAGE_PUBLISHERS)},
        OUTAGE,
        by_outage,
        text(text="We found the cause.", state="identified"),
        customer_sees=lambda case: (case.side.outage.symptoms,),
        staff_sees=lambda case: (case.side.outage.symptoms,),
    ),
    "outage-tickets": Route(
        {"get": scoped_read, "post": outage_link},
        OUTAGE,
        by_outage,
        lambda case: {"tickets": [case.mine.ticket.number]},
        customer_sees=lambda case: (case.side.ticket.number,),
        staff_sees=lambda case: (case.side.ticket.number,),
    ),
    "outage-attach": Route(
        {"post": scoped_read},
        ("shared", "other"),  # the shared notice is about the product of the own ticket
        by_outage,
        lambda case: {"ticket": case.mine.ticket.number},
    ),
    "report-outages": Route(
        {"get": scoped_read},
        queries=("", "?from=2026-01-01&to=2026-12-31"),
        customer_sees=lambda case: (case.mine.outage.title, case.world.shared_outage.title),
    ),
    "outages:desk-list": Route(
        {"get": desk},
        queries=("", "?state=all"),
        staff_sees=lambda case: (case.world.shared_outage.title, case.world.b.outage.title),
    ),
    "outages:desk-new": Route(
        {"get": desk, "post": desk},
        data=lambda case: {
            "title": "Everything is down",
            "products": [case.world.product.pk],
            "started_at": "2026-06-01 18:00",
            "symptoms": "Nothing opens.",
            "impact": "high",
            "manager": case.world.users["team_lead"].pk,
        },
    ),
    "outages:desk-notice": Route(
        {"get": desk},
        OUTAGE,
        by_outage,
        queries=("", "?q=invoices&scope=all"),
        staff_sees=lambda case: (case.side.outage.title, case.side.ticket.number),
    ),
    "outages:desk-update": Route(
        {"post": desk}, OUTAGE, by_outage, text(text="We found the cause.", state="identified")
    ),
    "outages:desk-link": Route(
        {"post": desk},
        OUTAGE,
        by_outage,
        lambda case: {"numbers": case.theirs.ticket.number},
    ),
    "outages:desk-link-search": Route(
        {"post": desk}, OUTAGE, by_outage, text(q="manifests", scope="all")
    ),
    "outages:desk-ticket-link": Route(
        {"post": desk},
        TICKET,
        by_ticket,
        lambda case: {"outage": case.world.shared_outage.pk},
    ),
    "outages:status": Route(
        {"get": signed_in},
        customer_sees=lambda case: (case.mine.outage.title, case.world.shared_outage.title),
        staff_sees=lambda case: (case.world.a.outage.title, case.world.b.outage.title),
    ),
    "outages:status-feed": Route(
        {"get": signed_in},
        customer_sees=lambda case: (case.mine.outage.title, case.world.shared_outage.title),
    ),
    "outages:status-notice": Route(
        {"get": scoped_read}, OUTAGE, by_outage, customer_sees=outage_texts
    ),
    "outages:subscription": Route(
        {"post": portal_scoped},
        data=lambda case: {"product": case.world.product.pk, "action": "subscribe"},
    ),
    "outages:intake-hint": Route(
        {"get": portal_scoped},
        queries=(
            "",
            lambda case: f"?product={case.world.product.pk}",
            lambda case: f"?product={case.theirs.outage.products.get().pk}",
        ),
        customer_sees=lambda case: (case.world.shared_outage.title,),
    ),
    # -- billing: time is the desk's (its notes internal); credit is the CPC's to read
    "billing:timer-start": Route({"post": desk}, TICKET, by_ticket, text()),
    "billing:timer-stop": Route({"post": desk}, TICKET, by_ticket, text()),
    "billing:entry-create": Route(
        {"post": desk},
        TICKET,
        by_ticket,
        text(duration="30", worked_on="2026-06-01", activity="analysis", billable="billable"),
    ),
    "billing:entry-update": Route({"post": entry_change}, ENTRY, by_entry, entry_form),
    "billing:entry-delete": Route({"post": entry_change}, ENTRY, by_entry, text()),
    "billing:report": Route(
        {"get": desk_reports},
        queries=("", lambda case: f"?organisation={case.world.a.organisation.pk}&period=2026"),
    ),
    "billing:report-csv": Route(
        {"get": desk_reports},
        queries=(lambda case: f"?organisation={case.world.a.organisation.pk}&period=2026-06",),
    ),
    "billing:credit": Route(
        {"get": credit_reader}, customer_sees=lambda case: (case.mine.bundle.name,)
    ),
    "billing:credit-contract": Route(
        {"get": credit_reader},
        TICKET,
        lambda case: {"contract_id": case.side.contract.pk},
        customer_sees=lambda case: (case.mine.bundle.name,),
    ),
    "ticket-time-entries": Route(
        {"get": desk_api, "post": desk_api},
        TICKET,
        by_ticket,
        text(minutes=30, activity="analysis"),
        staff_sees=lambda case: (TIME_NOTE,),
    ),
    "report-billable": Route(
        {"get": billable_report},
        TICKET,
        queries=(
            lambda case: f"?organisation={case.side.organisation.pk}&period=2026",
            lambda case: f"?organisation={case.side.organisation.pk}&period=2026-06&format=csv",
        ),
        customer_sees=lambda case: (case.mine.bundle.name, case.mine.ticket.number),
    ),
}

# Django's admin: one rule for all its routes; sign-in and sign-out are for everyone.
ADMIN_PREFIX = "admin/"
ADMIN_PUBLIC: dict[str, Route] = {
    "admin:login": Route({"get": public}),
    "admin:logout": Route({"post": redirect}, data=text()),
}
ADMIN_KWARGS: dict[str, Callable[[World], str]] = {
    "object_id": lambda world: str(world.a.ticket.pk),
    "content_type_id": lambda world: str(world.ticket_type_id),
    "url": lambda world: "no-such-page/",
    "app_label": lambda world: "tickets",
    "pk": lambda world: "1",
    "id": lambda world: "1",
}


# --------------------------------------------------------------------------- the resolver


@dataclass(frozen=True)
class Resolved:
    """A route as the resolver has it: its namespaced name (if any) and full pattern."""

    name: str | None
    pattern: str

    @property
    def key(self) -> str:
        return self.name or self.pattern


def resolver_routes() -> list[Resolved]:
    """Return every URL pattern of the project, walking included resolvers."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Resolved]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            else:
                assert isinstance(entry, URLPattern)
                name = f"{namespace}{entry.name}" if entry.name else None
                yield Resolved(name, prefix + str(entry.pattern))

    return list(walk(get_resolver().url_patterns, "", ""))


def is_admin(route: Resolved) -> bool:
    return route.pattern.startswith(ADMIN_PREFIX)


def route_for(route: Resolved) -> Route | None:
    """Return the table's entry for a route; the admin rule for Django's admin."""
    if is_admin(route):
        return ADMIN_PUBLIC.get(route.key, Route({"get": admin_access}))
    return ROUTES.get(route.key)


def kwarg_names(pattern: str) -> list[str]:
    """Return the names of a pattern's parameters: `<int:pk>` and `(?P<pk>...)` alike."""
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)]


def url_of(route: Resolved, kwargs: Mapping[str, Any]) -> str:
    if route.name is not None:
        return reverse(route.name, kwargs=dict(kwargs))
    path = route.pattern
    for name, value in kwargs.items():
        path = re.sub(rf"<(\w+:)?{name}>|\(\?P<{name}>[^)]*\)", str(value), path)
    return "/" + path.strip("^$")


ALL_ROUTES = resolver_routes()
TABLED = [route for route in ALL_ROUTES if route_for(route) is not None]


def test_it_has_every_route_in_the_access_table() -> None:
    missing = [route.key for route in ALL_ROUTES if route_for(route) is None]
    assert not missing, "\n".join(
        f"new route {key!r}: add it to the access table (ROUTES in {__name__})" for key in missing
    )
    known = {route.key for route in ALL_ROUTES}
    stale = sorted(set(ROUTES) - known)
    assert not stale, f"routes in the access table that no longer exist: {stale}"


# --------------------------------------------------------------------------- the checks


def snapshot() -> tuple[Any, ...]:
    """Return what a refused request must leave unchanged."""
    return (
        list(Ticket.objects.order_by("pk").values_list("pk", "status", "title", "assignee_id")),
        TicketEvent.objects.count(),
        Message.objects.count(),
        Attachment.objects.count(),
        TicketLink.objects.count(),
        SavedView.objects.count(),
        list(Organisation.objects.order_by("pk").values_list("name", "language")),
        list(Contact.objects.order_by("pk").values_list("name", "phone")),
        list(Product.objects.order_by("pk").values_list("name")),
        list(Contract.objects.order_by("pk").values_list("name")),
        list(Proposal.objects.order_by("pk").values_list("pk", "state", "planned_start")),
        list(CoverageDecision.objects.order_by("pk").values_list("pk", "decision", "agreement")),
        list(TimeEntry.objects.order_by("pk").values_list("pk", "minutes", "note")),
        list(CreditBundle.objects.order_by("pk").values_list("pk", "hours")),
        list(Outage.objects.order_by("pk").values_list("pk", "state", "title")),
        OutageUpdate.objects.count(),
        OutageTicket.objects.count(),
        OutageSubscription.objects.count(),
        RunningTimer.objects.count(),
    )


def content_of(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse | StreamingHttpResponse)
    # Reading a download to its end closes its file; response.close() would also close the
    # database connection (request_finished), which the test client keeps open.
    return response.getvalue().decode("utf-8", "replace")


def outcome_problem(outcome: Outcome, response: HttpResponseBase, api: bool) -> str | None:
    status = response.status_code
    location = response.get("Location", "")
    to_login = status == 302 and ("/login/" in location)
    if status >= 500:
        return f"server error {status}"
    if outcome == Outcome.ALLOW:
        if status in (401, 403, 404, 405) or to_login:
            return f"expected to be {outcome}, got {status} {location}".rstrip()
        return None
    if outcome == Outcome.ADMIN:
        return f"expected to be {outcome}, got {status} {location}" if to_login else None
    if outcome == Outcome.LOGIN:
        ok = status in (401, 403) if api else to_login
    elif outcome == Outcome.FORBID:
        ok = status == 403
    elif outcome == Outcome.HIDE:
        ok = status in (403, 404)
    elif outcome == Outcome.MISSING:
        ok = status == 404
    elif outcome == Outcome.INVALID:
        ok = status == 400
    elif outcome == Outcome.REDIRECT:
        ok = status == 302
    else:
        ok = status == 401
    return None if ok else f"expected to be {outcome}, got {status} {location}".rstrip()


def json_problems(value: Any, staff_usernames: frozenset[str]) -> Iterator[str]:
    """Yield what a customer's JSON shows of the desk's internals."""
    if isinstance(value, list):
        for item in value:
            yield from json_problems(item, staff_usernames)
        return
    if not isinstance(value, dict):
        return
    if "number" in value and "requester" in value:  # a ticket
        for key in INTERNAL_TICKET_FIELDS:
            if value.get(key) not in (None, ""):
                yield f"ticket JSON shows {key!r}: {value[key]!r}"
        running_public = [
            clock["due_at"]
            for clock in value.get("sla", [])
            if not clock.get("internal") and clock.get("state") == "running"
        ]
        due = value.get("sla_due_at")
        if due is not None and due not in running_public:
            yield f"ticket JSON's sla_due_at {due} is no customer target's due time"
    if "metric" in value and "key" in value and value.get("internal"):
        yield f"internal SLA clock {value['key']!r} shown"
    if "action" in value and "at" in value and value.get("actor") in staff_usernames:
        yield f"event {value['action']!r} names staff login {value['actor']!r} as actor"
    for item in value.values():
        yield from json_problems(item, staff_usernames)


def leaks(case: Case, body: str, url: str) -> Iterator[str]:
    """Yield what a customer's response shows that they must never receive."""
    body = body.replace(url, "")
    for marker in case.theirs.markers:
        if marker in body:
            yield f"shows another organisation's {marker!r}"
    internal = (
        INTERNAL_NOTE,
        INTERNAL_FILE,
        NOTE_FILE,
        ASSIGNEE_NAME,
        TEAM_NAME,
        PROPOSAL_NOTE,
        COVERAGE_REASON,
        TIME_NOTE,
        OUTAGE_MANAGER,
        OUTAGE_RECORD,
    )
    for marker in (*internal, *case.world.staff_usernames):
        if marker in body:
            yield f"shows internal {marker!r}"


def request(client: APIClient, method: str, url: str, route: Route, case: Case) -> HttpResponseBase:
    if route.raw is not None:
        return client.generic(
            method.upper(), url, route.raw.decode(), content_type="message/rfc822"
        )
    data = route.data(case) if route.data is not None and method != "get" else {}
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return client.generic(
            method.upper(), url, json.dumps(data), content_type="application/json"
        )
    response: HttpResponseBase = getattr(client, method)(url, data)
    return response


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)

    def add(self, where: str, problem: str | None) -> None:
        if problem:
            self.problems.append(f"{where}: {problem}")


def exercise(route: Resolved, entry: Route, case: Case, report: Report) -> None:
    """Call the route as the case's role with every method and query; note the problems."""
    world, role = case.world, case.role
    kwargs = entry.kwargs(case)
    if is_admin(route):
        kwargs = {name: ADMIN_KWARGS[name](world) for name in kwarg_names(route.pattern)}
    base = url_of(route, kwargs)
    api = base.startswith("/api/")
    for method, access in entry.calls.items():
        expected = access(role, case.variant)
        queries = entry.queries if method == "get" else ("",)
        for index, query in enumerate(queries):
            url = base + (query(case) if callable(query) else query)
            where = f"{method.upper()} {url} as {role} ({case.variant})"
            with transaction.atomic():
                before = snapshot() if method != "get" and expected != Outcome.ALLOW else None
                response = request(world.client(role), method, url, entry, case)
                body = content_of(response)
                after = snapshot() if before is not None else None
                transaction.set_rollback(True)
            report.add(where, outcome_problem(expected, response, api))
            if before != after:
                report.add(where, "a refused request changed data")
            if role in CUSTOMERS:
                for leak in leaks(case, body, url):
                    report.add(where, leak)
                if response.get("Content-Type", "").startswith("application/json") and (
                    route.key != "openapi"
                ):
                    for problem in json_problems(json.loads(body), world.staff_usernames):
                        report.add(where, problem)
            shown = expected == Outcome.ALLOW and response.status_code == 200
            if not (shown and method == "get" and index == 0 and case.variant in ("own", "-")):
                continue
            wanted = entry.staff_sees if role in STAFF else entry.customer_sees
            for marker in wanted(case) if wanted is not None else ():
                if marker not in body:
                    report.add(where, f"does not show {marker!r}")


APP_ROUTES = [route for route in TABLED if not is_admin(route)]
ADMIN_ROUTES = [route for route in TABLED if is_admin(route)]


def check(world: World, route: Resolved, roles: tuple[str, ...]) -> None:
    entry = route_for(route)
    assert entry is not None
    report = Report()
    for role in roles:
        for variant in entry.variants:
            exercise(route, entry, Case(world, role, variant), report)
    assert not report.problems, "\n".join(report.problems)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", APP_ROUTES, ids=[route.key for route in APP_ROUTES])
def test_it_gives_each_role_what_the_access_table_says(
    world: World, route: Resolved, role: str
) -> None:
    check(world, route, (role,))


# The admin's rule tells staff apart by `policy.is_staff` only (a page may still refuse with
# a 403), so the least and the most privileged staff role stand for all four: each staff
# request renders an admin page, and there are many.
ADMIN_ROLES = (ANONYMOUS, *CUSTOMERS, "agent", "administrator")


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=[route.key for route in ADMIN_ROUTES])
def test_it_lets_only_staff_past_the_admins_sign_in(world: World, route: Resolved) -> None:
    # One case per admin route with the roles in it: the rule is one, the routes many.
    check(world, route, ADMIN_ROLES)


# --------------------------------------------------------------------------- outbound mail


def test_it_mails_the_requester_no_internal_note_or_assignee(
    world: World,
    settings: Settings,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    ticket = Ticket.objects.get(pk=world.a.ticket.pk)
    replier = User.objects.get(username="paula.public")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_add_message(ticket=ticket, body="Restart the spooler.", author=replier)
        services.ticket_transition(
            ticket=ticket, actor=replier, status=Status.SOLUTION_OFFERED, note="Spooler fixed."
        )
    requester = world.a.requester.email
    # Staff are notified too (the assignee, the team lead): their mail may name anything.
    sent = [
        (mail.subject, mail.body, *(str(part[0]) for part in mail.alternatives))
        for mail in mailoutbox
        if mail.to == [requester]
    ]
    assert any("Restart the spooler." in texts[1] for texts in sent), "the reply is mailed"
    stored = OutboundMail.objects.filter(ticket=ticket, to=requester).values_list(
        "subject", "body_text", "body_html"
    )
    forbidden = (
        INTERNAL_NOTE,
        INTERNAL_FILE,
        NOTE_FILE,
        ASSIGNEE_NAME,
        TEAM_NAME,
        *world.staff_usernames,
        *world.b.markers,
    )
    problems = [
        f"{where} mail {texts[0]!r} to the requester contains {marker!r}"
        for where, mails in (("sent", sent), ("stored", list(stored)))
        for texts in mails
        for marker in forbidden
        if any(marker in part for part in texts)
    ]
    assert not problems, "\n".join(problems)
