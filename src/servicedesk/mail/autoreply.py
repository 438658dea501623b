"""Recognise mail that no person wrote: auto-replies, bounces, lists, our own loops.

`is_automated(parsed, our_addresses=...)` returns the reason as a short string naming
the evidence (for the log and the quarantine screen), or None for mail from a person.
The intake must not answer automated mail, so that two robots never mail each other
forever; what it does with it (drop, attach, quarantine) is the caller's choice.

Evidence, checked in this order:

- `X-Loop` naming one of our addresses (compared without "+tag" and case), or a
  sender that is one of our addresses;
- delivery status notifications (`multipart/report; report-type=delivery-status`, or a
  bare `message/delivery-status`) and read receipts (`report-type=disposition-notification`);
- a sender whose mailbox is MAILER-DAEMON, postmaster or mail-daemon, or a null
  Return-Path ("<>");
- RFC 3834 `Auto-Submitted` with any value but "no";
- `X-Autoreply`, `X-Autorespond` (any value but "no"/"false"/"0");
- Microsoft's `X-Auto-Response-Suppress` when it holds "All", "OOF" or "AutoReply"
  (Exchange puts these on its own out-of-office and notification mail; "DR", "NDR",
  "RN", "NRN" alone are set by ordinary Outlook mail and do not count);
- `Precedence: bulk`, `junk`, `list` or `auto_reply`;
- `List-Id` or `List-Unsubscribe` (mailing lists and newsletters, treated as bulk);
- an out-of-office subject prefix ("Automatic reply:", "Automatisch antwoord:",
  "Réponse automatique :", "Out of Office:", "Abwesenheitsnotiz:", ...), for
  mailers that send no header at all.
"""

from collections.abc import Iterable

from servicedesk.mail.parse import ParsedMail

_DAEMON_MAILBOXES = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})
_SUPPRESS_VALUES = frozenset({"all", "oof", "autoreply"})
_FALSE_VALUES = frozenset({"no", "false", "0", "off"})
_OUT_OF_OFFICE_SUBJECTS = (
    "automatic reply:",
    "auto reply:",
    "autoreply:",
    "auto-reply:",
    "out of office:",
    "out of office reply:",
    "automatisch antwoord:",
    "afwezig:",
    "réponse automatique:",
    "reponse automatique:",
    "absence du bureau:",
    "abwesenheitsnotiz:",
    "automatische antwort:",
)


def normalise_address(address: str) -> str:
    """Return a mailbox lowercased and without its "+tag", for comparing addresses."""
    local, at, domain = address.strip().strip("<>").lower().rpartition("@")
    if not at:
        return domain
    return f"{local.split('+', 1)[0]}@{domain}"


def is_automated(parsed: ParsedMail, *, our_addresses: Iterable[str] = ()) -> str | None:
    """Return why `parsed` looks machine-sent, or None if a person seems to have written it."""
    auto = parsed.auto
    ours = {normalise_address(address) for address in our_addresses if address}
    ours.discard("")

    for loop in auto.x_loop:
        if any(normalise_address(word) in ours for word in loop.replace(",", " ").split()):
            return f"X-Loop: {loop}"
    sender = normalise_address(parsed.from_email)
    if sender and sender in ours:
        return f"sent by our own address {parsed.from_email}"

    if auto.content_type == "multipart/report" and auto.report_type == "delivery-status":
        return "delivery status notification (multipart/report)"
    if auto.content_type == "message/delivery-status":
        return "delivery status notification"
    if auto.content_type == "multipart/report" and auto.report_type == "disposition-notification":
        return "read receipt (disposition-notification)"
    if sender.partition("@")[0] in _DAEMON_MAILBOXES:
        return f"sent by {parsed.from_email}"
    if auto.return_path == "":
        return "null Return-Path <>"

    auto_submitted = _first_word(auto.auto_submitted)
    if auto_submitted is not None and auto_submitted != "no":
        return f"Auto-Submitted: {auto.auto_submitted}"
    for name, value in (("X-Autoreply", auto.x_autoreply), ("X-Autorespond", auto.x_autorespond)):
        if value is not None and value.strip().lower() not in _FALSE_VALUES:
            return f"{name}: {value}"
    if auto.x_auto_response_suppress is not None:
        values = {part.strip().lower() for part in auto.x_auto_response_suppress.split(",")}
        if values & _SUPPRESS_VALUES:
            return f"X-Auto-Response-Suppress: {auto.x_auto_response_suppress}"
    precedence = _first_word(auto.precedence)
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {auto.precedence}"
    if auto.list_id is not None:
        return f"List-Id: {auto.list_id}"
    if auto.list_unsubscribe is not None:
        return "List-Unsubscribe (bulk mail)"

    subject = " ".join(parsed.subject.split()).casefold().replace(" :", ":")
    if subject.startswith(_OUT_OF_OFFICE_SUBJECTS):
        return f"out-of-office subject: {parsed.subject}"
    return None


def _first_word(value: str | None) -> str | None:
    """Return a header's value before any ";" parameters, lowercased."""
    if value is None:
        return None
    return value.split(";", 1)[0].strip().lower()
