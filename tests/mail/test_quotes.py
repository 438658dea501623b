"""split_reply: the customer's new words, cut at our marker or the quoted history."""

import time  # process_time: this process's CPU, not the wall clock of a shared machine

import pytest

from servicedesk.mail.quotes import REPLY_MARKERS, split_reply
from tests.mail.helpers import parse_corpus

REPLY = "Thanks, it works again.\n\nJan"


@pytest.mark.parametrize(
    "marker",
    [
        "--reply above this line--",
        "-- Reply Above This Line --",
        "----- REPLY ABOVE THIS LINE -----",
        "  --reply above this line--  ",
        "> --reply above this line--",
        "## reply above this line ##",
        "--antwoord boven deze lijn--",
        "-- Antwoord boven deze lijn --",
        "--répondez au-dessus de cette ligne--",
        "--Répondez au-dessus de cette ligne--",
        "--repondez au-dessus de cette ligne--",
    ],
)
def test_it_cuts_at_the_marker_line(marker: str) -> None:
    text = f"{REPLY}\n\n{marker}\n\nDear Jan,\nPlease restart the printer.\n"
    reply, quoted = split_reply(text)
    assert reply == REPLY
    assert quoted.startswith(marker)
    assert "Please restart the printer." in quoted


def test_it_offers_a_marker_per_language() -> None:
    for marker in REPLY_MARKERS.values():
        assert split_reply(f"{REPLY}\n{marker}\nold\n") == (REPLY, f"{marker}\nold")


def test_it_does_not_cut_at_prose_mentioning_the_marker() -> None:
    text = "Where do I reply above this line exactly? Please explain.\nJan"
    assert split_reply(text) == (text, "")


@pytest.mark.parametrize(
    "attribution",
    [
        # Gmail, English
        "On Mon, Nov 3, 2025 at 10:12 AM Servicedesk <support@desk.example> wrote:",
        # Apple Mail
        "On 3 Nov 2025, at 10:12, Servicedesk <support@desk.example> wrote:",
        # Gmail, English, wrapped onto the next line
        "On Mon, Nov 3, 2025 at 10:12 AM Servicedesk <\nsupport@desk.example> wrote:",
        # Gmail, Dutch
        "Op ma 3 nov. 2025 om 10:12 schreef Servicedesk <support@desk.example>:",
        "Op ma 3 nov. 2025 om 10:12 schreef Servicedesk <\nsupport@desk.example>:",
        "Op ma 3 nov. 2025 om 10:12\nschreef Servicedesk\n<support@desk.example>:",
        # Outlook / Thunderbird, Dutch
        "Servicedesk schreef op 3-11-2025 om 10:12:",
        # Gmail, French, with the non-breaking spaces French typography puts there
        "Le lun. 3 nov. 2025 à 10:12, Servicedesk <support@desk.example> a écrit :",
        "Le lun. 3 nov. 2025 à 10:12, Servicedesk <support@desk.example> a\u00a0écrit\u00a0:",
        "Le 03/11/2025 à 10:12, Servicedesk a écrit :",
        # German
        "Am 03.11.2025 um 10:12 schrieb Servicedesk <support@desk.example>:",
        "Servicedesk <support@desk.example> schrieb am Mo., 3. Nov. 2025, 10:12:",
    ],
)
def test_it_cuts_at_attribution_lines(attribution: str) -> None:
    text = f"{REPLY}\n\n{attribution}\n\n> Dear Jan,\n> Please restart the printer.\n"
    reply, quoted = split_reply(text)
    assert reply == REPLY
    assert quoted.startswith(attribution.split("\n", 1)[0])
    assert quoted.endswith("> Please restart the printer.")


def test_it_needs_a_date_in_an_attribution() -> None:
    text = "On second thought the log wrote:\nERROR 42\nJan"
    assert split_reply(text) == (text, "")


@pytest.mark.parametrize(
    "block",
    [
        "-----Original Message-----\nFrom: Servicedesk\nSent: Monday, November 3, 2025 10:12 AM",
        "From: Servicedesk <support@desk.example>\nSent: Monday, November 3, 2025 10:12 AM\n"
        "To: Jan <jan@klant.example>\nSubject: [SD-000123] Printer",
        "*From:* Servicedesk <support@desk.example>\n*Sent:* Monday, November 3, 2025 10:12\n"
        "*To:* Jan <jan@klant.example>\n*Subject:* [SD-000123] Printer",
        "From: Servicedesk Sent: Monday, November 3, 2025 10:12 To: Jan Subject: Printer",
        "Van: Servicedesk <support@desk.example>\nVerzonden: maandag 3 november 2025 10:12\n"
        "Aan: Jan Jansen <jan@klant.example>\nOnderwerp: [SD-000123] Printer werkt niet",
        "Van: Servicedesk Verzonden: maandag 3 november 2025 10:12 Aan: Jan Onderwerp: Printer",
        "De : Servicedesk <support@desk.example>\nEnvoyé : lundi 3 novembre 2025 10:12\n"
        "À : Jan <jan@klant.example>\nObjet : [SD-000123] Imprimante",
        "De\u00a0: Servicedesk\nEnvoyé\u00a0: lundi 3 novembre 2025 10:12\nÀ\u00a0: Jan\n"
        "Objet\u00a0: Imprimante",
        "Von: Servicedesk <support@desk.example>\nGesendet: Montag, 3. November 2025 10:12\n"
        "An: Jan <jan@klant.example>\nBetreff: Drucker",
        "________________________________\nVan: Servicedesk <support@desk.example>\n"
        "Verzonden: maandag 3 november 2025 10:12",
        "-----Oorspronkelijk bericht-----\nVan: Servicedesk",
        "-------- Message d'origine --------\nDe : Servicedesk",
        "-----Ursprüngliche Nachricht-----\nVon: Servicedesk",
    ],
)
def test_it_cuts_at_outlook_headers_and_separators(block: str) -> None:
    text = f"{REPLY}\n\n{block}\n\nDear Jan,\nPlease restart the printer.\n"
    reply, quoted = split_reply(text)
    assert reply == REPLY
    assert quoted.startswith(block.split("\n", 1)[0])


def test_it_cuts_the_trailing_quote_block_but_keeps_inline_answers() -> None:
    text = (
        "> Which printer?\nThe one on the second floor.\n\n"
        "> Since when?\nSince Monday.\n\n> Kind regards,\n> Servicedesk\n>\n"
    )
    reply, quoted = split_reply(text)
    assert reply == "> Which printer?\nThe one on the second floor.\n\n> Since when?\nSince Monday."
    assert quoted == "> Kind regards,\n> Servicedesk\n>"


def test_it_takes_the_earliest_cut() -> None:
    text = (
        f"{REPLY}\n\nOn Mon, Nov 3, 2025 at 10:12 AM Servicedesk wrote:\n"
        "> --reply above this line--\n> old\n"
    )
    assert split_reply(text)[0] == REPLY


def test_it_keeps_the_signature() -> None:
    text = f"{REPLY}\n-- \nJan Jansen\n020-1234567\n\n> old text\n"
    assert split_reply(text) == (f"{REPLY}\n-- \nJan Jansen\n020-1234567", "> old text")


def test_it_does_not_cut_forwarded_messages() -> None:
    text = (
        "Please look at this.\n\n---------- Forwarded message ---------\n"
        "From: Boekhouding <boekhouding@klant.example>\nDate: Sun, 2 Nov 2025 at 16:00\n"
        "Subject: Foutmelding\nTo: Jan <jan@klant.example>\n\nError E-1234.\n"
    )
    assert split_reply(text) == (text.rstrip(), "")


@pytest.mark.parametrize(
    "marker",
    [
        "Begin forwarded message:",
        "-------- Doorgestuurd bericht --------",
        "Début du message réexpédié :",
        "---------- Weitergeleitete Nachricht ----------",
    ],
)
def test_it_cuts_above_a_forward_but_never_inside_it(marker: str) -> None:
    text = (
        f"{REPLY}\n\nOn Mon, Nov 3, 2025 at 10:12 AM Servicedesk wrote:\n> old\n"
        f"> {marker}\n> From: x\n"
    )
    assert split_reply(text)[0] == REPLY
    forwarded = f"Look at this.\n\n{marker}\n\nFrom: a\nDate: 3 Nov 2025\nTo: b\n\n> quoted\n"
    assert split_reply(forwarded) == (forwarded.rstrip(), "")


@pytest.mark.parametrize(
    "text",
    [
        "> everything\n> is quoted\n",
        "--reply above this line--\nold text\n",
        "On Mon, Nov 3, 2025 at 10:12 AM Servicedesk wrote:\n> old\n",
        "\n\n   \n",
        "",
    ],
)
def test_it_never_returns_an_empty_reply_for_quoted_looking_text(text: str) -> None:
    reply, quoted = split_reply(text)
    assert reply == text.strip("\n").rstrip()
    assert quoted == ""


def test_it_normalises_line_ends() -> None:
    assert split_reply("Yes.\r\n\r\n> old\r\n") == ("Yes.", "> old")


def test_it_splits_the_corpus_replies() -> None:
    cases = {
        "outlook-reply-nl.eml": "Met vriendelijke groet,\nJan Jansen",
        "gmail-reply-nl.eml": "Groet,\nPiet",
        "gmail-reply-fr.eml": "Françoise",
        "apple-mail-reply.eml": "+44 20 7946 0000",
    }
    for name, ending in cases.items():
        reply, quoted = split_reply(parse_corpus(name).text)
        assert reply.endswith(ending), name
        assert quoted, name


def test_it_is_linear_on_hostile_text() -> None:
    hostile = [
        "x" * 1_000_000,
        " " * 1_000_000,
        "On " * 300_000,
        ("On 1 " + " " * 400 + "\n") * 2_000,
        ("From: a\n" * 100_000),
        ("-" * 400 + "reply above this line\n") * 2_000,
        ">" * 1_000_000,
    ]
    for text in hostile:
        started = time.process_time()
        split_reply(text)
        assert time.process_time() - started < 2
