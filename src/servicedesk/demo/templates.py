"""What the demo's customers report, by kind and product, in Dutch, English and French.

A template lacking the requester's language falls back to English.
"""

from dataclasses import dataclass, field

from servicedesk.tickets.models import Kind


@dataclass(frozen=True)
class Template:
    """A kind of request about some products; texts by language."""

    kind: str
    products: tuple[str, ...]
    title: dict[str, str]
    description: dict[str, str]
    # Incidents only: steps taken, expected result, actual result (by language).
    steps: dict[str, tuple[str, str, str]] = field(default_factory=dict)


def _t(
    kind: str,
    products: tuple[str, ...],
    texts: dict[str, tuple[str, str]],
    steps: dict[str, tuple[str, str, str]] | None = None,
) -> Template:
    return Template(
        kind=kind,
        products=products,
        title={lang: title for lang, (title, _) in texts.items()},
        description={lang: body for lang, (_, body) in texts.items()},
        steps=steps or {},
    )


INC, QUE, RFC, APP, CPL = (
    Kind.INCIDENT,
    Kind.QUESTION,
    Kind.CHANGE_REQUEST,
    Kind.APPLICATION_SERVICE,
    Kind.COMPLAINT,
)

TEMPLATES: list[Template] = [
    # -- incidents ------------------------------------------------------------------------
    _t(
        INC,
        ("finance",),
        {
            "nl": (
                "Maandafsluiting blijft hangen op 'Herwaarderen vreemde valuta'",
                "Sinds vanochtend loopt de maandafsluiting vast bij de herwaardering. "
                "Het hele financiële team kan de periode niet afsluiten.",
            ),
            "en": (
                "Month-end close hangs at 'Revalue foreign currency'",
                "Since this morning the month-end close stops at the revaluation step. "
                "The finance team cannot close the period.",
            ),
            "fr": (
                "La clôture mensuelle bloque sur « Réévaluation des devises »",
                "Depuis ce matin, la clôture mensuelle se bloque à l'étape de réévaluation. "
                "L'équipe comptable ne peut pas clôturer la période.",
            ),
        },
        {
            "nl": (
                "Periode 03 geselecteerd, Afsluiten gestart.",
                "Periode wordt afgesloten.",
                "Voortgangsbalk blijft op 40% staan, na 30 minuten een time-out.",
            ),
            "en": (
                "Selected period 03 and started Close.",
                "The period is closed.",
                "Progress stays at 40%, time-out after 30 minutes.",
            ),
            "fr": (
                "Période 03 sélectionnée, clôture lancée.",
                "La période est clôturée.",
                "La progression reste à 40 %, expiration après 30 minutes.",
            ),
        },
    ),
    _t(
        INC,
        ("finance", "bank-integration"),
        {
            "nl": (
                "Bankafschriften ING worden niet meer ingelezen",
                "De automatische import van de ING-afschriften geeft sinds gisteren een fout. "
                "We kunnen de betalingen niet afletteren.",
            ),
            "en": (
                "ING bank statements are no longer imported",
                "The automatic import of ING statements fails since yesterday, so payments "
                "cannot be matched.",
            ),
            "fr": (
                "Les relevés bancaires UBS ne sont plus importés",
                "L'import automatique des relevés échoue depuis hier ; les paiements ne "
                "peuvent plus être lettrés.",
            ),
        },
        {
            "nl": (
                "Bankkoppeling > Afschriften ophalen.",
                "Nieuwe afschriften in het dagboek.",
                "Melding 'Ongeldig CAMT.053-bestand (regel 1)'.",
            ),
            "en": (
                "Bank link > Fetch statements.",
                "New statements in the bank journal.",
                "Error 'Invalid CAMT.053 file (line 1)'.",
            ),
            "fr": (
                "Lien bancaire > Récupérer les relevés.",
                "Nouveaux relevés dans le journal.",
                "Erreur « Fichier CAMT.053 invalide (ligne 1) ».",
            ),
        },
    ),
    _t(
        INC,
        ("invoicing",),
        {
            "nl": (
                "Facturen printen zonder logo en voettekst",
                "Na de update van dit weekend komen de verkoopfacturen zonder logo en zonder "
                "betaalgegevens uit de printer.",
            ),
            "en": (
                "Invoices print without logo and footer",
                "Since this weekend's update, sales invoices print without our logo and "
                "payment details.",
            ),
            "fr": (
                "Les factures s'impriment sans logo ni pied de page",
                "Depuis la mise à jour du week-end, les factures de vente sortent sans logo "
                "ni coordonnées de paiement.",
            ),
        },
        {
            "nl": (
                "Factuur 2024-1187 geopend, Afdrukken.",
                "Factuur in huisstijl.",
                "Kaal standaardsjabloon.",
            ),
            "en": (
                "Opened invoice 2024-1187, Print.",
                "Invoice in our house style.",
                "Bare default template.",
            ),
            "fr": (
                "Facture 2024-1187 ouverte, Imprimer.",
                "Facture à notre charte.",
                "Modèle standard vierge.",
            ),
        },
    ),
    _t(
        INC,
        ("invoicing", "finance"),
        {
            "nl": (
                "Btw-aangifte toont verkeerde rubriek 1a",
                "In de btw-aangifte van het kwartaal staan verleggingsfacturen onder 1a.",
            ),
            "en": (
                "VAT return shows wrong amount in box 1a",
                "Reverse-charge invoices end up in box 1a of the quarterly VAT return.",
            ),
            "fr": (
                "Le décompte TVA affiche un montant erroné",
                "Les factures en autoliquidation apparaissent au mauvais chiffre du décompte.",
            ),
        },
    ),
    _t(
        INC,
        ("inventory",),
        {
            "nl": (
                "Voorraad negatief na ontvangst inkooporder",
                "Bij het boeken van ontvangsten wordt de voorraad verlaagd in plaats van "
                "verhoogd. Orderpickers zien artikelen als niet leverbaar.",
            ),
            "en": (
                "Stock goes negative after receiving a purchase order",
                "Booking a goods receipt lowers stock instead of raising it; pickers see "
                "items as unavailable.",
            ),
            "fr": (
                "Stock négatif après réception d'une commande fournisseur",
                "La réception diminue le stock au lieu de l'augmenter ; les articles "
                "apparaissent indisponibles.",
            ),
        },
        {
            "nl": ("Inkooporder 45012 ontvangen, 20 stuks.", "Voorraad +20.", "Voorraad -20."),
            "en": ("Received purchase order 45012, 20 pcs.", "Stock +20.", "Stock -20."),
            "fr": ("Réception de la commande 45012, 20 pièces.", "Stock +20.", "Stock -20."),
        },
    ),
    _t(
        INC,
        ("inventory",),
        {
            "nl": (
                "Pakbonnen worden niet naar de vervoerder gestuurd",
                "De koppeling met de vervoerder verstuurt sinds 11:00 geen zendingen meer.",
            ),
            "en": (
                "Packing slips are not sent to the carrier",
                "The carrier link has not sent any shipments since 11:00.",
            ),
            "fr": (
                "Les bons de livraison ne partent plus chez le transporteur",
                "L'interface transporteur n'envoie plus d'expéditions depuis 11 h.",
            ),
        },
    ),
    _t(
        INC,
        ("payroll",),
        {
            "nl": (
                "Loonstroken tonen verkeerde vakantietoeslag",
                "Op de proefberekening van deze maand is de vakantietoeslag 0,8% te hoog.",
            ),
            "en": (
                "Payslips show the wrong holiday allowance",
                "This month's trial run computes a holiday allowance 0.8% too high.",
            ),
        },
        {
            "nl": (
                "Proefberekening periode 5 gestart.",
                "Vakantietoeslag 8%.",
                "Vakantietoeslag 8,8%.",
            ),
            "en": (
                "Ran trial payroll for period 5.",
                "Holiday allowance 8%.",
                "Holiday allowance 8.8%.",
            ),
        },
    ),
    _t(
        INC,
        ("payroll",),
        {
            "nl": (
                "Loonaangifte afgewezen door Belastingdienst",
                "De loonaangifte is teruggekomen met foutcode 0012. De deadline is vrijdag.",
            ),
            "en": (
                "Payroll tax return rejected by the tax office",
                "The payroll tax return was rejected with error 0012; the deadline is Friday.",
            ),
        },
    ),
    _t(
        INC,
        ("hr-self-service", "sso"),
        {
            "nl": (
                "Medewerkers kunnen niet inloggen op HR Self-Service",
                "Na het inloggen via SSO krijgen medewerkers een lege pagina.",
            ),
            "en": (
                "Employees cannot sign in to HR Self-Service",
                "After signing in through SSO, employees get a blank page.",
            ),
        },
        {
            "nl": (
                "Inloggen via Microsoft-account.",
                "Startpagina met verlofsaldo.",
                "Lege pagina, foutcode AADSTS50011.",
            ),
            "en": (
                "Signed in with a Microsoft account.",
                "Home page with leave balance.",
                "Blank page, error AADSTS50011.",
            ),
        },
    ),
    _t(
        INC,
        ("time-attendance",),
        {
            "nl": (
                "Klokterminal locatie Noord synchroniseert niet",
                "Kloktijden van locatie Noord komen sinds dinsdag niet meer door.",
            ),
            "en": (
                "Time clock at the North site does not sync",
                "Clock-ins from the North site have not come through since Tuesday.",
            ),
        },
    ),
    _t(
        INC,
        ("crm",),
        {
            "nl": (
                "CRM: relatiekaart laadt extreem traag",
                "Het openen van een relatiekaart duurt 40 seconden of langer.",
            ),
            "en": (
                "CRM: account page is extremely slow",
                "Opening an account page takes 40 seconds or more.",
            ),
            "fr": (
                "CRM : la fiche client est extrêmement lente",
                "L'ouverture d'une fiche client prend 40 secondes ou plus.",
            ),
        },
    ),
    _t(
        INC,
        ("campaigns",),
        {
            "nl": (
                "Nieuwsbrief blijft in de wachtrij staan",
                "De nieuwsbrief van dinsdag staat nog steeds op 'In wachtrij'.",
            ),
            "en": ("Newsletter stuck in the send queue", "Tuesday's newsletter is still 'Queued'."),
        },
    ),
    _t(
        INC,
        ("hosting",),
        {
            "nl": (
                "Omgeving traag tussen 9 en 10 uur",
                "Elke ochtend is de applicatie een uur lang erg traag voor alle gebruikers.",
            ),
            "en": (
                "Environment slow between 9 and 10 am",
                "Every morning the application is very slow for all users for an hour.",
            ),
            "fr": (
                "Environnement lent entre 9 h et 10 h",
                "Chaque matin l'application est très lente pour tous pendant une heure.",
            ),
        },
    ),
    _t(
        INC,
        ("backup",),
        {
            "nl": (
                "Nachtelijke back-up mislukt",
                "De back-uprapportage meldt drie nachten op rij 'mislukt'.",
            ),
            "en": (
                "Nightly backup failed",
                "The backup report says 'failed' three nights in a row.",
            ),
        },
    ),
    # -- questions ------------------------------------------------------------------------
    _t(
        QUE,
        ("finance",),
        {
            "nl": (
                "Hoe boek ik een creditnota op een afgesloten periode?",
                "We hebben een creditnota ontvangen voor een factuur uit periode 12 van vorig "
                "jaar. Hoe verwerken we die correct?",
            ),
            "en": (
                "How do I book a credit note in a closed period?",
                "We received a credit note for an invoice from last year's period 12. How do "
                "we process it correctly?",
            ),
            "fr": (
                "Comment comptabiliser une note de crédit sur une période clôturée ?",
                "Nous avons reçu une note de crédit pour une facture de l'an dernier. "
                "Comment la traiter correctement ?",
            ),
        },
    ),
    _t(
        QUE,
        ("invoicing",),
        {
            "nl": (
                "Kan ik een factuur per e-mail én per post versturen?",
                "Een klant wil de factuur zowel per e-mail als op papier ontvangen.",
            ),
            "en": (
                "Can I send an invoice by e-mail and by post?",
                "A customer wants the invoice both by e-mail and on paper.",
            ),
            "fr": (
                "Puis-je envoyer une facture par e-mail et par courrier ?",
                "Un client souhaite recevoir la facture par e-mail et sur papier.",
            ),
        },
    ),
    _t(
        QUE,
        ("inventory",),
        {
            "nl": (
                "Wat is het verschil tussen vrije en technische voorraad?",
                "In het voorraadoverzicht zien we twee getallen. Welke moeten we gebruiken?",
            ),
            "en": (
                "What is the difference between free and technical stock?",
                "The stock overview shows two figures. Which one should we use?",
            ),
            "fr": (
                "Quelle différence entre stock disponible et stock physique ?",
                "L'aperçu du stock affiche deux chiffres. Lequel utiliser ?",
            ),
        },
    ),
    _t(
        QUE,
        ("payroll",),
        {
            "nl": (
                "Hoe verwerk ik een correctie met terugwerkende kracht?",
                "Een medewerker had sinds maart recht op een hogere schaal.",
            ),
            "en": (
                "How do I process a retroactive correction?",
                "An employee should have been on a higher scale since March.",
            ),
        },
    ),
    _t(
        QUE,
        ("hr-self-service", "time-attendance"),
        {
            "nl": (
                "Kan een leidinggevende verlof namens een medewerker aanvragen?",
                "Niet iedereen op de afdeling heeft een computer.",
            ),
            "en": (
                "Can a manager request leave on behalf of an employee?",
                "Not everyone in the department has a computer.",
            ),
        },
    ),
    _t(
        QUE,
        ("crm", "campaigns"),
        {
            "nl": (
                "Hoe exporteer ik alle contactpersonen met hun opt-in?",
                "Voor onze AVG-administratie willen we een export met toestemmingen.",
            ),
            "en": (
                "How do I export all contacts with their opt-in?",
                "For our GDPR records we need an export including consents.",
            ),
            "fr": (
                "Comment exporter tous les contacts avec leur consentement ?",
                "Pour notre registre RGPD, il nous faut un export avec les consentements.",
            ),
        },
    ),
    _t(
        QUE,
        ("sso", "hosting"),
        {
            "nl": (
                "Welke IP-adressen moeten we whitelisten?",
                "Onze firewall wordt vervangen. Welke adressen gebruikt jullie platform?",
            ),
            "en": (
                "Which IP addresses should we allow-list?",
                "Our firewall is being replaced. Which addresses does your platform use?",
            ),
            "fr": (
                "Quelles adresses IP devons-nous autoriser ?",
                "Notre pare-feu est remplacé. Quelles adresses utilise votre plateforme ?",
            ),
        },
    ),
    # -- change requests ------------------------------------------------------------------
    _t(
        RFC,
        ("invoicing",),
        {
            "nl": (
                "Wens: QR-code voor betaling op de factuur",
                "Graag een betaal-QR-code op de factuur, zodat klanten sneller betalen.",
            ),
            "en": (
                "Request: payment QR code on invoices",
                "Please add a payment QR code to invoices so customers pay faster.",
            ),
            "fr": (
                "Demande : QR-facture suisse sur les factures",
                "Merci d'ajouter le QR-code de paiement suisse sur nos factures.",
            ),
        },
    ),
    _t(
        RFC,
        ("finance",),
        {
            "nl": (
                "Extra kolom 'kostenplaats' in het grootboekrapport",
                "We willen het grootboekrapport per kostenplaats kunnen filteren.",
            ),
            "en": (
                "Extra 'cost centre' column in the ledger report",
                "We want to filter the ledger report by cost centre.",
            ),
            "fr": (
                "Colonne « centre de coûts » dans le grand livre",
                "Nous souhaitons filtrer le grand livre par centre de coûts (individualisation).",
            ),
        },
    ),
    _t(
        RFC,
        ("inventory",),
        {
            "nl": (
                "Aanpassing: picklijst sorteren op magazijnlocatie",
                "De orderpickers lopen nu kriskras door het magazijn.",
            ),
            "en": (
                "Change: sort pick lists by warehouse location",
                "Our pickers now walk back and forth through the warehouse.",
            ),
            "fr": (
                "Modification : trier les listes de prélèvement par emplacement",
                "Les préparateurs traversent l'entrepôt en tous sens.",
            ),
        },
    ),
    _t(
        RFC,
        ("hr-self-service", "time-attendance"),
        {
            "nl": (
                "Verlofaanvraag ook laten goedkeuren door tweede manager",
                "Voor roosterafdelingen willen we een tweede goedkeurder.",
            ),
            "en": (
                "Leave requests approved by a second manager too",
                "Rostering departments need a second approver.",
            ),
        },
    ),
    _t(
        RFC,
        ("crm", "campaigns"),
        {
            "nl": (
                "Koppeling CRM met ons telefoonsysteem",
                "Bij een inkomend gesprek willen we direct de relatiekaart openen.",
            ),
            "en": (
                "Link the CRM to our phone system",
                "On an incoming call we want the account page to open.",
            ),
            "fr": (
                "Intégrer le CRM à notre téléphonie",
                "Lors d'un appel entrant, la fiche client devrait s'ouvrir.",
            ),
        },
    ),
    # -- application services (data mutations done for the customer, seed 003) -----------
    _t(
        APP,
        ("payroll", "hr-self-service"),
        {
            "nl": (
                "Verzoek: startdatum medewerker 10234 corrigeren",
                "De startdatum moet 1 april zijn in plaats van 1 mei.",
            ),
            "en": (
                "Request: correct the start date of employee 10234",
                "The start date should be 1 April, not 1 May.",
            ),
        },
    ),
    _t(
        APP,
        ("finance", "invoicing", "inventory", "crm"),
        {
            "nl": (
                "Kopie van administratie 01 naar testomgeving",
                "Graag een kopie van de productie-administratie voor het testen van de "
                "nieuwe release.",
            ),
            "en": (
                "Copy company 01 to the test environment",
                "Please copy the production company so we can test the new release.",
            ),
            "fr": (
                "Copie de la société 01 vers l'environnement de test",
                "Merci de copier la société de production pour tester la nouvelle version.",
            ),
        },
    ),
    _t(
        APP,
        ("sso", "hosting", "hr-self-service"),
        {
            "nl": (
                "Nieuwe gebruikers aanmaken voor de afdeling Zorgadministratie",
                "Vijf nieuwe collega's beginnen maandag; lijst in de bijlage.",
            ),
            "en": (
                "Create new users for the care administration department",
                "Five new colleagues start on Monday; list attached.",
            ),
        },
    ),
    _t(
        APP,
        ("finance", "invoicing", "inventory"),
        {
            "nl": (
                "Licentie uitbreiden met drie gebruikers",
                "We hebben drie extra licenties nodig voor de nieuwe vestiging.",
            ),
            "en": ("Add three user licences", "We need three more licences for the new branch."),
            "fr": (
                "Installer trois licences supplémentaires",
                "Nous avons besoin de trois licences pour la nouvelle succursale.",
            ),
        },
    ),
    # -- complaints -----------------------------------------------------------------------
    _t(
        CPL,
        ("finance", "invoicing", "payroll", "hosting", "crm", "inventory"),
        {
            "nl": (
                "Klacht: al twee weken geen reactie op onze melding",
                "Onze melding over de afsluiting staat al twee weken open zonder inhoudelijke "
                "reactie. Dit is niet acceptabel.",
            ),
            "en": (
                "Complaint: no reaction to our ticket for two weeks",
                "Our ticket has been open for two weeks without a real answer. This is not "
                "acceptable.",
            ),
            "fr": (
                "Réclamation : aucune réponse depuis deux semaines",
                "Notre demande est ouverte depuis deux semaines sans réponse sur le fond.",
            ),
        },
    ),
    _t(
        CPL,
        ("hosting", "sso", "hr-self-service", "crm", "finance"),
        {
            "nl": (
                "Klacht over de communicatie tijdens de storing",
                "Tijdens de storing van vorige week hebben we te laat en te weinig gehoord.",
            ),
            "en": (
                "Complaint about communication during the outage",
                "During last week's outage we heard too late and too little.",
            ),
            "fr": (
                "Réclamation sur la communication pendant la panne",
                "Lors de la panne de la semaine dernière, nous avons été informés trop tard.",
            ),
        },
    ),
]

# An outage that hits several customers at once (DOMAIN §9).
OUTAGE = _t(
    INC,
    ("hosting",),
    {
        "nl": ("Applicatie niet bereikbaar", "Niemand van ons kan inloggen; we krijgen een 503."),
        "en": ("Application unreachable", "None of us can sign in; we get a 503 error."),
        "fr": ("Application inaccessible", "Personne ne peut se connecter ; erreur 503."),
    },
)

SPLIT_PREFIX = {"nl": "Vervolgvraag", "en": "Follow-up question", "fr": "Question complémentaire"}

AFFECTED = {
    "nl": ["Eén gebruiker", "De afdeling debiteuren (4 gebruikers)", "Alle gebruikers"],
    "en": ["One user", "Accounts receivable (4 users)", "All users"],
    "fr": ["Un utilisateur", "La comptabilité clients (4 personnes)", "Tous les utilisateurs"],
}
IMPACT = {
    "nl": [
        "Hinderlijk, er is een omweg",
        "Facturatie loopt vertraging op",
        "Primair proces ligt stil",
    ],
    "en": [
        "Annoying, there is a way around it",
        "Invoicing is delayed",
        "Primary process at a standstill",
    ],
    "fr": [
        "Gênant, un contournement existe",
        "La facturation prend du retard",
        "Processus principal à l'arrêt",
    ],
}
RECENT_CHANGES = {
    "nl": ["Geen", "Update naar release 2024.3 afgelopen weekend", "Nieuwe printer geplaatst"],
    "en": ["None", "Update to release 2024.3 last weekend", "New printer installed"],
    "fr": ["Aucun", "Mise à jour 2024.3 le week-end dernier", "Nouvelle imprimante"],
}
