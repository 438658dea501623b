"""The survey's signed link: who may answer which survey, without signing in.

The token names the ticket and the requester and is signed with the desk's secret key
(`django.core.signing`, its own salt), so it cannot be made up or changed; it expires after
SURVEY_VALID_FOR. It opens that one survey only: its page shows the ticket's number and
title and nothing else.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "servicedesk.surveys.answer"
SURVEY_VALID_FOR = datetime.timedelta(days=90)


@dataclass(frozen=True, slots=True)
class SurveyKey:
    """What a valid token names: the ticket and the contact asked."""

    ticket_id: int
    contact_id: int


def survey_token(*, ticket_id: int, contact_id: int) -> str:
    """Return the signed token for the survey of this ticket to this contact."""
    return signing.dumps({"t": ticket_id, "c": contact_id}, salt=SALT, compress=False)


def survey_url(*, ticket_id: int, contact_id: int) -> str:
    """Return the survey's public address (absolute, for the mail)."""
    path = reverse(
        "surveys:answer", args=[survey_token(ticket_id=ticket_id, contact_id=contact_id)]
    )
    return settings.SITE_URL.rstrip("/") + path


def survey_key(token: str) -> SurveyKey | None:
    """Return what the token names, or None when it is forged, changed, malformed or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=SURVEY_VALID_FOR)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    except ValueError:  # not even well-formed
        return None
    if not isinstance(data, dict):
        return None
    ticket_id, contact_id = data.get("t"), data.get("c")
    if type(ticket_id) is not int or type(contact_id) is not int:
        return None
    return SurveyKey(ticket_id=ticket_id, contact_id=contact_id)
