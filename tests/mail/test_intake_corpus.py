"""Every real-world and hostile message of the corpus goes through the whole intake.

Each ends processed, ignored, refused or quarantined, with a reason; none raises; none is
lost (one stored inbound mail per file, its bytes intact); no script reaches anything a
page shows (messages, descriptions, titles, the stored HTML).
"""

from pathlib import Path
from typing import Any, NamedTuple

import pytest
from pytest_django.fixtures import Settings

from servicedesk.mail.models import InboundMail, InboundStatus, OutboundMail
from servicedesk.tickets.models import Message, Ticket
from tests.factories import OrganisationFactory
from tests.mail.conftest import Ingest, corpus_files, shared_corpus

HOSTILE = ("<script", "javascript:", "onerror=", "onload=")


class Least(NamedTuple):
    """The fewest files, and outcomes of each kind, a corpus run must show."""

    files: int
    processed: int
    ignored: int


SHARED_LEAST = Least(files=121, processed=81, ignored=15)
LOCAL_LEAST = Least(files=23, processed=20, ignored=3)


def test_every_corpus_message_is_ingested_and_nothing_is_lost(
    ingest: Ingest, settings: Settings, mailoutbox: list[Any]
) -> None:
    # Senders of any domain become contacts here, so most messages reach ticket creation.
    OrganisationFactory(code="unsorted", email_domains="klant.example")
    settings.MAIL_FALLBACK_ORGANISATION = "unsorted"
    settings.MAIL_RATE_LIMIT_PER_HOUR = 1000
    files = corpus_files()
    # The shared corpus (SERVICEDESK_MAIL_CORPUS) is real-world mail; ours is made to measure.
    least = SHARED_LEAST if shared_corpus() is not None else LOCAL_LEAST
    assert len(files) >= least.files

    outcomes: dict[str, InboundMail] = {}
    for path in files:
        raw = path.read_bytes()
        outcomes[str(path)] = ingest(raw, source="file")

    assert InboundMail.objects.count() == len(files)
    allowed = {
        InboundStatus.PROCESSED,
        InboundStatus.IGNORED,
        InboundStatus.REFUSED,
        InboundStatus.QUARANTINED,
    }
    for name, inbound in outcomes.items():
        assert inbound.status in allowed, name
        assert inbound.reason, name
        assert bytes(inbound.raw) == Path(name).read_bytes(), name
    counts = dict.fromkeys(allowed, 0)
    for inbound in outcomes.values():
        counts[InboundStatus(inbound.status)] += 1
    # Most real mail becomes tickets; robots and lists are ignored; nothing crashes.
    assert counts[InboundStatus.PROCESSED] >= least.processed, counts
    assert counts[InboundStatus.IGNORED] >= least.ignored, counts
    assert counts[InboundStatus.QUARANTINED] == 0, [
        (name, inbound.reason)
        for name, inbound in outcomes.items()
        if inbound.status == InboundStatus.QUARANTINED
    ]
    shown = [
        *Message.objects.values_list("body", flat=True),
        *Ticket.objects.values_list("description", flat=True),
        *Ticket.objects.values_list("title", flat=True),
        *InboundMail.objects.values_list("html", flat=True),
    ]
    for text in shown:
        lowered = text.lower()
        assert not any(marker in lowered for marker in HOSTILE), text[:300]
    # Robots were never answered: no answer to automated mail, and no mail to an
    # address from which only robots wrote.
    assert not OutboundMail.objects.filter(inbound__reason__startswith="automated").exists()
    robots = {i.sender for i in outcomes.values() if i.reason.startswith("automated mail")}
    people = {i.sender for i in outcomes.values() if not i.reason.startswith("automated mail")}
    for mail in mailoutbox:
        assert not {to.lower() for to in mail.to} & (robots - people), mail.to


@pytest.mark.parametrize("name", ["html-hostile.eml", "header-injection.eml"])
def test_hostile_messages_become_harmless_tickets(
    ingest: Ingest, settings: Settings, name: str
) -> None:
    OrganisationFactory(code="unsorted", email_domains="")
    settings.MAIL_FALLBACK_ORGANISATION = "unsorted"
    raw = (Path(__file__).parent / "corpus" / name).read_bytes()

    inbound = ingest(raw)

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.ticket is not None
    assert "\n" not in inbound.ticket.title and "\r" not in inbound.ticket.title
    assert "<script" not in inbound.html.lower()
