"""Subjects and status names of outgoing mail, in English, Dutch and French.

Kept here per language, like the bodies (templates/mail/<language>/<kind>.txt and .html),
so the mail texts are complete without compiled translation catalogues.
"""

LANGUAGES = ("en", "nl", "fr")
DEFAULT_LANGUAGE = "en"

# {number}, {title} and {subject} (the subject of the mail answered) are filled in.
SUBJECTS: dict[str, dict[str, str]] = {
    "en": {
        "ticket_created": "[{number}] {title}",
        "agent_reply": "Re: [{number}] {title}",
        "status_changed": "[{number}] {title}",
        "reminder": "[{number}] Reminder: {title}",
        "closed": "[{number}] Closed: {title}",
        "refused_reporter": "Not registered: {subject}",
        "refused_unknown": "Not registered: {subject}",
        "refused_channel": "Please use the portal: {subject}",
        "too_large": "Not delivered (too large): {subject}",
    },
    "nl": {
        "ticket_created": "[{number}] {title}",
        "agent_reply": "Re: [{number}] {title}",
        "status_changed": "[{number}] {title}",
        "reminder": "[{number}] Herinnering: {title}",
        "closed": "[{number}] Gesloten: {title}",
        "refused_reporter": "Niet geregistreerd: {subject}",
        "refused_unknown": "Niet geregistreerd: {subject}",
        "refused_channel": "Graag via het portaal: {subject}",
        "too_large": "Niet afgeleverd (te groot): {subject}",
    },
    "fr": {
        "ticket_created": "[{number}] {title}",
        "agent_reply": "Re: [{number}] {title}",
        "status_changed": "[{number}] {title}",
        "reminder": "[{number}] Rappel : {title}",
        "closed": "[{number}] Clôturé : {title}",
        "refused_reporter": "Non enregistré : {subject}",
        "refused_unknown": "Non enregistré : {subject}",
        "refused_channel": "Merci de passer par le portail : {subject}",
        "too_large": "Non distribué (trop volumineux) : {subject}",
    },
}

NO_SUBJECT = {"en": "(no subject)", "nl": "(geen onderwerp)", "fr": "(sans objet)"}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "new": "New",
        "in_progress": "In progress",
        "waiting_on_customer": "Waiting for your reply",
        "waiting_on_supplier": "Waiting on a supplier",
        "parked": "Parked",
        "solution_offered": "Solution offered",
        "closed": "Closed",
        "reopened": "Reopened",
    },
    "nl": {
        "new": "Nieuw",
        "in_progress": "In behandeling",
        "waiting_on_customer": "Wacht op uw reactie",
        "waiting_on_supplier": "Wacht op een leverancier",
        "parked": "Geparkeerd",
        "solution_offered": "Oplossing aangeboden",
        "closed": "Gesloten",
        "reopened": "Heropend",
    },
    "fr": {
        "new": "Nouveau",
        "in_progress": "En cours de traitement",
        "waiting_on_customer": "En attente de votre réponse",
        "waiting_on_supplier": "En attente d'un fournisseur",
        "parked": "En suspens",
        "solution_offered": "Solution proposée",
        "closed": "Clôturé",
        "reopened": "Rouvert",
    },
}


def language_or_default(language: str | None) -> str:
    """Return the language if we write mail in it, else English."""
    code = (language or "").split("-", 1)[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def status_name(status: str, language: str) -> str:
    return STATUS_NAMES[language_or_default(language)].get(status, status.replace("_", " "))
