"""What outage mails say, in English, Dutch and French (by the recipient's language).

Kept here per language, like the subjects of the desk's other mail (`mail.texts`), so the
mails are complete without compiled catalogues. Seed 003: each message names the product,
the date and time, how users notice the disruption, and when the next update follows (at
the solution, or within 2 hours while unresolved); at the solution, the cause in
non-technical words.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.html import escape, linebreaks

from servicedesk.mail.texts import language_or_default

STATES = {
    "en": {
        "investigating": "Investigating",
        "identified": "Cause identified",
        "monitoring": "Fix applied, monitoring",
        "resolved": "Resolved",
        "closed": "Closed",
    },
    "nl": {
        "investigating": "In onderzoek",
        "identified": "Oorzaak gevonden",
        "monitoring": "Oplossing doorgevoerd, wordt gevolgd",
        "resolved": "Opgelost",
        "closed": "Afgesloten",
    },
    "fr": {
        "investigating": "En cours d'analyse",
        "identified": "Cause identifiée",
        "monitoring": "Correctif appliqué, sous surveillance",
        "resolved": "Résolu",
        "closed": "Clôturé",
    },
}

WORDS = {
    "en": {
        "subject": "Disruption {product}: {title} ({state})",
        "subject_resolved": "Solved: disruption {product}: {title}",
        "greeting": "Dear {name},",
        "intro": "A disruption affects {product}.",
        "since": "Since: {when}",
        "symptoms": "How you notice it: {symptoms}",
        "state": "Status: {state}",
        "update": "Update of {when}:",
        "next": (
            "The next update follows when the disruption is solved, or at the latest at {when}."
        ),
        "cause": "Cause: {cause}",
        "resolved": "The disruption was solved at {when}.",
        "tickets": "We add this update to your tickets about it: {tickets}.",
        "tickets_resolved": (
            "Your tickets about it ({tickets}) are marked solved; please confirm in the "
            "portal, or reply if the problem remains."
        ),
        "page": "Current notices: {url}",
        "staff_warn_subject": "Outage update due at {when}: {title}",
        "staff_warn": 'The next update of the outage notice "{title}" is promised at {when}.',
        "staff_late_subject": "Outage update overdue: {title}",
        "staff_late": (
            'The update of the outage notice "{title}" promised at {when} has not been '
            "posted. Responsible: {manager}."
        ),
    },
    "nl": {
        "subject": "Storing {product}: {title} ({state})",
        "subject_resolved": "Opgelost: storing {product}: {title}",
        "greeting": "Beste {name},",
        "intro": "Er is een storing in {product}.",
        "since": "Sinds: {when}",
        "symptoms": "Hoe u het merkt: {symptoms}",
        "state": "Status: {state}",
        "update": "Update van {when}:",
        "next": "De volgende update volgt bij het oplossen van de storing, of uiterlijk om {when}.",
        "cause": "Oorzaak: {cause}",
        "resolved": "De storing is opgelost op {when}.",
        "tickets": "Wij voegen deze update toe aan uw meldingen hierover: {tickets}.",
        "tickets_resolved": (
            "Uw meldingen hierover ({tickets}) staan op opgelost; bevestig dit in het portaal, "
            "of antwoord als het probleem blijft."
        ),
        "page": "Actuele storingsmeldingen: {url}",
        "staff_warn_subject": "Storingsupdate verwacht op {when}: {title}",
        "staff_warn": 'De volgende update van de storingsmelding "{title}" is beloofd voor {when}.',
        "staff_late_subject": "Storingsupdate te laat: {title}",
        "staff_late": (
            'De update van de storingsmelding "{title}", beloofd voor {when}, is niet '
            "geplaatst. Verantwoordelijk: {manager}."
        ),
    },
    "fr": {
        "subject": "Incident {product} : {title} ({state})",
        "subject_resolved": "Résolu : incident {product} : {title}",
        "greeting": "Bonjour {name},",
        "intro": "Un incident touche {product}.",
        "since": "Depuis : {when}",
        "symptoms": "Comment vous le constatez : {symptoms}",
        "state": "Statut : {state}",
        "update": "Mise à jour du {when} :",
        "next": (
            "La prochaine mise à jour suivra à la résolution de l'incident, ou au plus tard "
            "le {when}."
        ),
        "cause": "Cause : {cause}",
        "resolved": "L'incident a été résolu le {when}.",
        "tickets": "Nous ajoutons cette mise à jour à vos demandes à ce sujet : {tickets}.",
        "tickets_resolved": (
            "Vos demandes à ce sujet ({tickets}) sont marquées résolues ; merci de le "
            "confirmer dans le portail, ou de répondre si le problème persiste."
        ),
        "page": "Incidents en cours : {url}",
        "staff_warn_subject": "Mise à jour d'incident attendue le {when} : {title}",
        "staff_warn": (
            "La prochaine mise à jour de l'avis d'incident « {title} » est promise le {when}."
        ),
        "staff_late_subject": "Mise à jour d'incident en retard : {title}",
        "staff_late": (
            "La mise à jour de l'avis d'incident « {title} », promise le {when}, n'a pas été "
            "publiée. Responsable : {manager}."
        ),
    },
}


def when(moment: datetime.datetime, *, language: str, zone: str = "") -> str:
    """Return a moment in the zone (the desk's by default), spelled in the language."""
    with translation.override(language), timezone.override(zone or settings.TIME_ZONE):
        return date_format(timezone.localtime(moment), "j F Y, H:i")


def status_page_url() -> str:
    """Return the status page's address, or "" when the UI has none."""
    try:
        path = reverse("outages:status")
    except NoReverseMatch:
        return ""
    return settings.SITE_URL.rstrip("/") + path


@dataclass(frozen=True, slots=True)
class Notice:
    """The facts of one public update, as every mail of it tells them."""

    title: str
    products: str  # the affected products' names, joined
    started_at: datetime.datetime
    symptoms: str
    state: str
    at: datetime.datetime
    text: str
    next_update_due_at: datetime.datetime | None
    cause: str
    resolved: bool


def _html(lines: list[str]) -> str:
    body = "".join(linebreaks(escape(line)) for line in lines if line)
    return f"<!doctype html><html><body>{body}</body></html>"


def notice_mail(
    notice: Notice, *, name: str, language: str, tickets: Sequence[str] = ()
) -> tuple[str, str, str]:
    """Return (subject, text, html) of an update's mail to one contact, in their language.

    `tickets` are the numbers of the contact's tickets linked to the notice that this mail
    is about (empty for the CPCs and subscribers who reported nothing).
    """
    language = language_or_default(language)
    words = WORDS[language]
    state = STATES[language].get(notice.state, notice.state)
    values = {"product": notice.products, "title": notice.title, "state": state}
    subject = words["subject_resolved" if notice.resolved else "subject"].format(**values)
    lines = [
        words["greeting"].format(name=name),
        "",
        words["intro"].format(product=notice.products),
        words["since"].format(when=when(notice.started_at, language=language)),
        words["symptoms"].format(symptoms=notice.symptoms),
        words["state"].format(state=state),
        "",
        words["update"].format(when=when(notice.at, language=language)),
        notice.text,
        "",
    ]
    if notice.resolved:
        lines += [
            words["resolved"].format(when=when(notice.at, language=language)),
            words["cause"].format(cause=notice.cause),
        ]
    elif notice.next_update_due_at is not None:
        lines.append(words["next"].format(when=when(notice.next_update_due_at, language=language)))
    if tickets:
        key = "tickets_resolved" if notice.resolved else "tickets"
        lines += ["", words[key].format(tickets=", ".join(tickets))]
    url = status_page_url()
    if url:
        lines += ["", words["page"].format(url=url)]
    text = "\n".join(lines).strip() + "\n"
    return " ".join(subject.split())[:300], text, _html(lines)


def ticket_message(notice: Notice, *, language: str) -> str:
    """Return the public message an update adds to a linked ticket, in the requester's
    language."""
    language = language_or_default(language)
    words = WORDS[language]
    state = STATES[language].get(notice.state, notice.state)
    lines = [
        words["subject_resolved" if notice.resolved else "subject"].format(
            product=notice.products, title=notice.title, state=state
        ),
        "",
        notice.text,
        "",
    ]
    if notice.resolved:
        lines.append(words["cause"].format(cause=notice.cause))
    elif notice.next_update_due_at is not None:
        lines.append(words["next"].format(when=when(notice.next_update_due_at, language=language)))
    return "\n".join(lines).strip()


def staff_mail(
    *,
    overdue: bool,
    title: str,
    due: datetime.datetime,
    manager: str,
    name: str,
    language: str,
    zone: str,
) -> tuple[str, str, str]:
    """Return (subject, text, html) of the warning before an update is due (to the team
    manager) or of its escalation once overdue."""
    language = language_or_default(language)
    words = WORDS[language]
    moment = when(due, language=language, zone=zone)
    prefix = "staff_late" if overdue else "staff_warn"
    subject = words[f"{prefix}_subject"].format(when=moment, title=title)
    lines = [
        words["greeting"].format(name=name),
        "",
        words[prefix].format(title=title, when=moment, manager=manager),
    ]
    text = "\n".join(lines) + "\n"
    return " ".join(subject.split())[:300], text, _html(lines)
