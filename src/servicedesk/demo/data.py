"""The demo desk's reference data: a fictional vendor, its staff and five customers.

Each customer's contract is modelled on one seed procedure (000-004, see DOMAIN.md). All
domains end in `.example` (RFC 2606), so no demo address can ever reach a real mailbox.
"""

from dataclasses import dataclass, field

from servicedesk.accounts.models import Language, StaffRole
from servicedesk.contracts.models import Coverage, Reporters

VENDOR_DOMAIN = "kestrel-software.example"

PRODUCTS: dict[str, list[tuple[str, str]]] = {
    "ERP & Finance": [
        ("finance", "Kestrel Finance"),
        ("invoicing", "Kestrel Invoicing"),
        ("inventory", "Kestrel Inventory & Logistics"),
        ("bank-integration", "Bank Integration"),
    ],
    "Payroll & HR": [
        ("payroll", "Kestrel Payroll"),
        ("hr-self-service", "HR Self-Service"),
        ("time-attendance", "Time & Attendance"),
    ],
    "CRM": [
        ("crm", "Kestrel CRM"),
        ("campaigns", "E-mail Campaigns"),
    ],
    "Hosting & Infrastructure": [
        ("hosting", "Managed Hosting"),
        ("backup", "Backup & Restore"),
        ("sso", "Single Sign-On"),
    ],
}


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    language: str = Language.DUTCH


ADMIN_USERNAME = "admin"
DEMO_AGENT = "sanne.devries"

STAFF: list[StaffSpec] = [
    StaffSpec("niels.hendriks", "Niels", "Hendriks", StaffRole.ADMINISTRATOR),
    StaffSpec("ingrid.vandijk", "Ingrid", "van Dijk", StaffRole.SERVICE_MANAGER),
    StaffSpec("ruben.meijer", "Ruben", "Meijer", StaffRole.TEAM_LEAD),
    StaffSpec("marieke.bos", "Marieke", "Bos", StaffRole.TEAM_LEAD),
    StaffSpec("jeroen.dekker", "Jeroen", "Dekker", StaffRole.TEAM_LEAD),
    StaffSpec("emma.visser", "Emma", "Visser", StaffRole.AGENT),
    StaffSpec("camille.dubois", "Camille", "Dubois", StaffRole.AGENT, Language.FRENCH),
    StaffSpec(DEMO_AGENT, "Sanne", "de Vries", StaffRole.AGENT),
    StaffSpec("thomas.bakker", "Thomas", "Bakker", StaffRole.AGENT),
    StaffSpec("lucas.jansen", "Lucas", "Jansen", StaffRole.AGENT, Language.ENGLISH),
    StaffSpec("daan.mulder", "Daan", "Mulder", StaffRole.AGENT),
    StaffSpec("julie.martin", "Julie", "Martin", StaffRole.AGENT, Language.FRENCH),
    StaffSpec("pieter.smit", "Pieter", "Smit", StaffRole.AGENT),
]


@dataclass(frozen=True)
class TeamSpec:
    name: str
    support_line: int
    lead: str
    members: tuple[str, ...]


# Line 1 takes intake and how-to questions (004 "Customer Services"), line 2 triages and
# solves (000 "support medewerker"), line 3 builds hotfixes and consults (000, 004).
CUSTOMER_SERVICES = "Customer Services"
APPLICATION_SUPPORT = "Application Support"
HOSTING_TEAM = "Hosting & Infrastructure"
DEVELOPMENT = "Development & Consulting"

TEAMS: list[TeamSpec] = [
    TeamSpec(CUSTOMER_SERVICES, 1, "ruben.meijer", ("emma.visser", "camille.dubois")),
    TeamSpec(
        APPLICATION_SUPPORT, 2, "marieke.bos", (DEMO_AGENT, "thomas.bakker", "camille.dubois")
    ),
    TeamSpec(HOSTING_TEAM, 2, "marieke.bos", ("lucas.jansen", "thomas.bakker")),
    TeamSpec(DEVELOPMENT, 3, "jeroen.dekker", ("daan.mulder", "julie.martin", "pieter.smit")),
]


@dataclass(frozen=True)
class SupplierSpec:
    name: str
    email: str
    ticket_url_template: str
    reference_format: str  # str.format with {n}, a random number
    products: tuple[str, ...]  # the products whose defects this supplier fixes


SUPPLIERS: list[SupplierSpec] = [
    SupplierSpec(
        "Ledgerline B.V.",
        "support@ledgerline.example",
        "https://support.ledgerline.example/tickets/{reference}",
        "LL-{n:05d}",
        ("finance", "invoicing", "inventory", "bank-integration", "payroll", "time-attendance"),
    ),
    SupplierSpec(
        "Nimbus Datacenter GmbH",
        "noc@nimbus-dc.example",
        "https://portal.nimbus-dc.example/case/{reference}",
        "CASE-{n:07d}",
        ("hosting", "backup", "sso", "crm", "campaigns", "hr-self-service"),
    ),
]


@dataclass(frozen=True)
class ContactSpec:
    name: str
    local_part: str
    language: str
    cpc: bool = False
    key_user_for: tuple[str, ...] = ()
    phone: str = ""


@dataclass(frozen=True)
class ContractSpec:
    name: str
    reference: str
    products: tuple[str, ...]
    coverage: str = Coverage.FULL
    reporters: str = Reporters.ANY_CONTACT
    accepts_email: bool = True  # False: requests in the portal only (seed 004)
    warranty_days: int | None = None  # warranty on customisations ends this many days ahead
    # The service level is the SLA preset of the organisation's seed; its calendar is used,
    # narrowed to the public holidays of this subdivision (canton, state) when given.
    holiday_subdivision: str = ""


@dataclass(frozen=True)
class OrganisationSpec:
    seed: str
    name: str
    code: str
    domain: str
    language: str
    contract: ContractSpec
    contacts: list[ContactSpec] = field(default_factory=list)
    weight: int = 1  # share of the demo's tickets


ORGANISATIONS: list[OrganisationSpec] = [
    OrganisationSpec(
        seed="000",
        name="Van den Berg Groothandel B.V.",
        code="vandenberg-groothandel",
        domain="vandenberg-groothandel.example",
        language=Language.DUTCH,
        weight=3,
        contract=ContractSpec(
            name="Support severity 1-4, kantooruren NL",
            reference="KS-2024-0001",
            products=("finance", "invoicing", "inventory", "bank-integration", "hosting"),
            reporters=Reporters.CPC_AND_KEY_USERS,
            warranty_days=75,
        ),
        contacts=[
            ContactSpec(
                "Marloes van den Berg", "marloes", Language.DUTCH, cpc=True, phone="+31 30 555 0101"
            ),
            ContactSpec(
                "Erik Hendriks",
                "erik.hendriks",
                Language.DUTCH,
                key_user_for=("finance", "invoicing", "bank-integration"),
            ),
            ContactSpec(
                "Fatima El Amrani", "fatima.elamrani", Language.DUTCH, key_user_for=("inventory",)
            ),
            ContactSpec(
                "James O'Connor",
                "james.oconnor",
                Language.ENGLISH,
                key_user_for=("hosting", "invoicing"),
            ),
            ContactSpec("Kees de Wit", "kees.dewit", Language.DUTCH),
        ],
    ),
    OrganisationSpec(
        seed="001",
        name="Zorggroep De Linde",
        code="zorggroep-de-linde",
        domain="zorggroepdelinde.example",
        language=Language.DUTCH,
        weight=2,
        contract=ContractSpec(
            name="Platformsupport P1-P5 (impact x urgentie)",
            reference="KS-2024-0002",
            products=("hr-self-service", "time-attendance", "payroll", "sso", "hosting"),
        ),
        contacts=[
            ContactSpec(
                "Anouk Smits", "a.smits", Language.DUTCH, cpc=True, phone="+31 53 555 0202"
            ),
            ContactSpec(
                "Rachid Bouzid",
                "r.bouzid",
                Language.DUTCH,
                key_user_for=("hr-self-service", "time-attendance"),
            ),
            ContactSpec("Linda Kok", "l.kok", Language.DUTCH),
            ContactSpec("Sophie Williams", "s.williams", Language.ENGLISH),
            ContactSpec("Tim Verhoeven", "t.verhoeven", Language.DUTCH),
        ],
    ),
    OrganisationSpec(
        seed="002",
        name="Hoogland Installatietechniek B.V.",
        code="hoogland-installatietechniek",
        domain="hoogland-installatie.example",
        language=Language.DUTCH,
        weight=2,
        contract=ContractSpec(
            name="Supportcontract Low/Normal/High/Critical",
            reference="KS-2024-0003",
            products=("finance", "invoicing", "crm", "campaigns", "hosting"),
        ),
        contacts=[
            ContactSpec("Gert Hoogland", "gert", Language.DUTCH, cpc=True, phone="+31 342 555 030"),
            ContactSpec(
                "Monique Peters",
                "monique.peters",
                Language.DUTCH,
                key_user_for=("crm", "campaigns"),
            ),
            ContactSpec("Yusuf Demir", "yusuf.demir", Language.DUTCH),
            ContactSpec("Mark Evans", "mark.evans", Language.ENGLISH),
        ],
    ),
    OrganisationSpec(
        seed="003",
        name="Gemeente Lindenhove",
        code="gemeente-lindenhove",
        domain="lindenhove.example",
        language=Language.DUTCH,
        weight=2,
        contract=ContractSpec(
            name="Dienstverleningsovereenkomst HR & Salaris (High/Medium/Low)",
            reference="KS-2024-0004",
            products=("payroll", "hr-self-service", "time-attendance", "sso", "hosting"),
        ),
        contacts=[
            ContactSpec(
                "Petra Willemsen", "p.willemsen", Language.DUTCH, cpc=True, phone="+31 20 555 0404"
            ),
            ContactSpec("Bram Vos", "b.vos", Language.DUTCH, key_user_for=("payroll",)),
            ContactSpec(
                "Ayse Yilmaz",
                "a.yilmaz",
                Language.DUTCH,
                key_user_for=("hr-self-service", "time-attendance"),
            ),
            ContactSpec("Noah Brouwer", "n.brouwer", Language.DUTCH),
            ContactSpec("Olivia Clarke", "o.clarke", Language.ENGLISH),
        ],
    ),
    OrganisationSpec(
        seed="004",
        name="Précimeca SA",
        code="precimeca",
        domain="precimeca.example",
        language=Language.FRENCH,
        weight=2,
        contract=ContractSpec(
            name="Contrat de maintenance ERP (niveaux 1-2)",
            reference="KS-2024-0005",
            products=("finance", "invoicing", "inventory", "crm"),
            coverage=Coverage.STANDARD,
            accepts_email=False,  # "une gestion par e-mail n'est pas possible"
            holiday_subdivision="VD",
        ),
        contacts=[
            ContactSpec(
                "Claire Rochat",
                "claire.rochat",
                Language.FRENCH,
                cpc=True,
                phone="+41 21 555 05 05",
            ),
            ContactSpec(
                "Nicolas Favre",
                "nicolas.favre",
                Language.FRENCH,
                key_user_for=("inventory", "finance"),
            ),
            ContactSpec("Isabelle Girard", "isabelle.girard", Language.FRENCH),
            ContactSpec("Chloé Bonvin", "chloe.bonvin", Language.FRENCH),
            ContactSpec("Lukas Meier", "lukas.meier", Language.ENGLISH),
        ],
    ),
]

# The contact whose portal login the demo prints: the CPC of the seed-000 customer.
DEMO_CONTACT_ORGANISATION = "vandenberg-groothandel"
