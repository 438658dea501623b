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
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.desk.models import SavedView
from servicedesk.mail.models import OutboundMail
from servicedesk.surveys.links import survey_token
from servicedesk.tickets import services
from servicedesk.tickets.models import (
    Attachment,
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
    *, name: str, code: str, requester: str, title: str, product: Product, replier: User
) -> Side:
    """Return an organisation under contract with a ticket in progress, a public reply by
    staff and a file from the requester."""
    organisation = OrganisationFactory.create(name=name, code=code, email_domains=f"{code}.example")
    contract = ContractFactory.create(
        organisation=organisation,
        name=f"{name} support",
        reference=f"{code.upper()}-SLA-1",
        service_level="saas-high-medium-low",
        priority_scheme="high-medium-low",
    )
    contract.products.add(product)
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
    return Side(
        organisation, contract, contact, ticket, attachment, reply, (*markers, attachment.filename)
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
    team = TeamFactory.create(name=TEAM_NAME, lead=users["team_lead"])
    team.members.add(assignee)

    a = build_side(
        name="Alpha Tools BV",
        code="alpha",
        requester="Rita Reporter",
        title="Alpha invoices do not print",
        product=product,
        replier=replier,
    )
    b = build_side(
        name="Bravo Freight BV",
        code="bravo",
        requester="Olga Outsider",
        title="Bravo manifests are empty",
        product=product,
        replier=replier,
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
    TOKEN = "refused without the webhook token (401)"
    REDIRECT = "sent on (302)"
    ADMIN = "let past the admin's sign-in"


Access = Callable[[str, str], Outcome]
VISIBLE_TO_CUSTOMERS = frozenset({"-", "own", "active"})


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


@dataclass(frozen=True)
class Route:
    """How to call one route, and what each role gets for each method."""

    calls: Mapping[str, Access]  # method -> who may
    variants: tuple[str, ...] = ("-",)
    kwargs: Kwargs = no_kwargs
    data: Data | None = None  # for unsafe methods; API routes send it as JSON
    queries: tuple[str | Callable[[Case], str], ...] = ("",)
    raw: bytes | None = None  # a raw request body (message/rfc822)
    customer_sees: Callable[[Case], tuple[str, ...]] | None = None  # on "own", first query
    staff_sees: Callable[[Case], tuple[str, ...]] | None = None


TICKET = ("own", "other")
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
    internal = (INTERNAL_NOTE, INTERNAL_FILE, NOTE_FILE, ASSIGNEE_NAME, TEAM_NAME)
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
            if not (shown and method == "get" and index == 0 and case.variant == "own"):
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
