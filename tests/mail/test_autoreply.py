"""is_automated: auto-replies, bounces, lists and loops are recognised, people are not."""

import pytest

from servicedesk.mail.autoreply import is_automated, normalise_address
from servicedesk.mail.parse import parse_message
from tests.mail.helpers import build, parse_corpus

OURS = ["support@desk.example", "Helpdesk@Desk.Example"]
PERSON = {"From": "Jan Jansen <jan@klant.example>", "To": "support@desk.example"}


def automated(**headers: str) -> str | None:
    names = {name.replace("_", "-"): value for name, value in headers.items()}
    return is_automated(parse_message(build({**PERSON, **names})), our_addresses=OURS)


def test_it_lets_a_person_through() -> None:
    assert automated(Subject="Printer werkt niet") is None
    assert is_automated(parse_corpus("outlook-reply-nl.eml"), our_addresses=OURS) is None


@pytest.mark.parametrize(
    "value", ["auto-replied", "auto-generated", "auto-notified", "Auto-Replied; owner-email=x"]
)
def test_it_honours_auto_submitted(value: str) -> None:
    assert automated(Auto_Submitted=value) == f"Auto-Submitted: {value}"


@pytest.mark.parametrize("value", ["no", "No", " no ; comment"])
def test_it_ignores_auto_submitted_no(value: str) -> None:
    assert automated(Auto_Submitted=value) is None


@pytest.mark.parametrize("value", ["bulk", "junk", "list", "auto_reply", "Bulk"])
def test_it_treats_bulk_precedence_as_automated(value: str) -> None:
    assert automated(Precedence=value) == f"Precedence: {value}"


def test_it_ignores_other_precedence() -> None:
    assert automated(Precedence="first-class") is None


def test_it_honours_x_autoreply_and_x_autorespond() -> None:
    assert automated(X_Autoreply="yes") == "X-Autoreply: yes"
    assert automated(X_Autorespond="") == "X-Autorespond: "
    assert automated(X_Autoreply="no") is None


@pytest.mark.parametrize("value", ["All", "OOF", "AutoReply", "DR, OOF, AutoReply", "oof"])
def test_it_honours_x_auto_response_suppress_for_some_values(value: str) -> None:
    assert automated(X_Auto_Response_Suppress=value) == f"X-Auto-Response-Suppress: {value}"


@pytest.mark.parametrize("value", ["DR", "NDR", "RN, NRN", "None"])
def test_it_ignores_x_auto_response_suppress_for_receipts(value: str) -> None:
    assert automated(X_Auto_Response_Suppress=value) is None


def test_it_detects_our_own_x_loop() -> None:
    assert automated(X_Loop="support@desk.example") == "X-Loop: support@desk.example"
    assert automated(X_Loop="<helpdesk+SD-000001.abc@desk.example>") is not None
    assert automated(X_Loop="someone-else@elsewhere.example") is None


def test_it_detects_mail_from_our_own_address() -> None:
    reason = is_automated(
        parse_message(build({"From": "Support <SUPPORT@desk.example>"})), our_addresses=OURS
    )
    assert reason == "sent by our own address SUPPORT@desk.example"


def test_it_detects_delivery_status_notifications() -> None:
    assert (
        is_automated(parse_corpus("dsn-bounce.eml"))
        == "delivery status notification (multipart/report)"
    )
    report = build(
        PERSON,
        "--b--\n",
        content_type='multipart/report; report-type="delivery-status"; boundary=b',
    )
    assert is_automated(parse_message(report)) is not None
    receipt = build(
        PERSON,
        "--b--\n",
        content_type="multipart/report; report-type=disposition-notification; boundary=b",
    )
    assert is_automated(parse_message(receipt)) == "read receipt (disposition-notification)"


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.example",
        "postmaster@klant.example",
        "Mail Delivery <mailer-daemon@x.example>",
        "MAILER-DAEMON",
    ],
)
def test_it_detects_daemon_senders(sender: str) -> None:
    assert is_automated(parse_message(build({"From": sender}))) is not None


def test_it_detects_a_null_return_path() -> None:
    assert automated(Return_Path="<>") == "null Return-Path <>"
    assert automated(Return_Path="<jan@klant.example>") is None


def test_it_treats_mailing_lists_as_bulk() -> None:
    assert (
        automated(List_Id="Users <users.lists.example>") == "List-Id: Users <users.lists.example>"
    )
    assert (
        automated(List_Unsubscribe="<mailto:leave@lists.example>") == "List-Unsubscribe (bulk mail)"
    )


@pytest.mark.parametrize(
    "subject",
    [
        "Automatisch antwoord: Printer",
        "Automatic reply: Printer",
        "Réponse automatique : Imprimante",
        "Out of Office: back Monday",
        "Abwesenheitsnotiz: Drucker",
    ],
)
def test_it_recognises_out_of_office_subjects(subject: str) -> None:
    assert automated(Subject=subject) == f"out-of-office subject: {subject}"


def test_it_recognises_the_corpus_auto_replies() -> None:
    assert (
        is_automated(parse_corpus("auto-replied.eml")) == "Auto-Submitted: auto-replied (vacation)"
    )
    assert is_automated(parse_corpus("outlook-ooo-nl.eml")) == "X-Auto-Response-Suppress: All"


def test_it_compares_addresses_without_tag_and_case() -> None:
    assert normalise_address("<Support+SD-000123.abc@Desk.Example>") == "support@desk.example"
    assert normalise_address("MAILER-DAEMON") == "mailer-daemon"
