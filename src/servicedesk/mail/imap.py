"""The IMAP poller: reads each active `Mailbox` and feeds its new mail to `mail_ingest`.

For a mailbox with a processed folder every message in its folder is new and is moved
there once ingested; without one, unread messages are new and are marked read. A
message is moved or marked only after `mail_ingest` stored it, so a crash in between
means it is read again next time, and the Message-ID check makes that copy a duplicate:
nothing is lost and nothing is doubled.

Messages are fetched with BODY.PEEK[] as raw bytes; imap-tools' own parsing is skipped
(hostile mail is parsed once, by `mail.parse`). Transport security per mailbox: TLS from
the start (IMAPS), STARTTLS, or none (for a server on the same host).
"""

import logging
import ssl
from dataclasses import dataclass, field

from django.utils import timezone
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage, MailMessageFlags
from imap_tools.mailbox import BaseMailBox

from servicedesk.mail import config
from servicedesk.mail.intake import mail_ingest
from servicedesk.mail.models import InboundStatus, Mailbox, Security

logger = logging.getLogger(__name__)

TIMEOUT = 60.0
BATCH = 200  # messages per mailbox per poll; the rest comes next time


class RawMessage(MailMessage):
    """A fetched message kept as bytes: imap-tools parses nothing."""

    def __init__(self, fetch_data: list[object]) -> None:
        raw, uid, flags = self._get_message_data_parts(fetch_data)
        self.raw: bytes = bytes(raw)
        self._raw_uid_data = uid
        self._raw_flag_data = flags


@dataclass
class PollReport:
    """What one poll of one mailbox did."""

    mailbox: str
    fetched: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    error: str = ""

    def __str__(self) -> str:
        counts = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items()))
        text = f"{self.mailbox}: {self.fetched} fetched" + (f" ({counts})" if counts else "")
        return text + (f"; error: {self.error}" if self.error else "")


def connect(mailbox: Mailbox) -> BaseMailBox:
    """Return a logged-in imap-tools client for the mailbox, in its folder."""
    client: BaseMailBox
    if mailbox.security == Security.SSL:
        client = MailBox(
            mailbox.host, mailbox.port, timeout=TIMEOUT, ssl_context=ssl.create_default_context()
        )
    elif mailbox.security == Security.STARTTLS:
        client = MailBoxStartTls(
            mailbox.host, mailbox.port, timeout=TIMEOUT, ssl_context=ssl.create_default_context()
        )
    else:
        client = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=TIMEOUT)
    client.email_message_class = RawMessage
    client.login(mailbox.username, mailbox.password, initial_folder=mailbox.folder or "INBOX")
    return client


def mailbox_poll(mailbox: Mailbox, *, limit: int = BATCH) -> PollReport:
    """Ingest the mailbox's new messages and move or mark each; return what happened."""
    report = PollReport(mailbox.name)
    source = f"imap:{mailbox.name}"[:120]
    try:
        client = connect(mailbox)
        try:
            target = mailbox.processed_folder.strip()
            if target and not client.folder.exists(target):
                client.folder.create(target)
            uids = client.uids("ALL" if target else "UNSEEN")[:limit]
            with config.addresses_read_once():
                for uid in uids:
                    for message in client.fetch(uid_list=[uid], mark_seen=False):
                        assert isinstance(message, RawMessage)
                        inbound = mail_ingest(message.raw, source=source, mailbox=mailbox)
                        report.fetched += 1
                        status = InboundStatus(inbound.status).value
                        report.statuses[status] = report.statuses.get(status, 0) + 1
                    if target:
                        client.move([uid], target)
                    else:
                        client.flag([uid], MailMessageFlags.SEEN, True)
        finally:
            try:
                client.logout()
            except Exception:  # the connection may already be gone
                logger.debug("logout from %s failed", mailbox.name, exc_info=True)
    except Exception as error:
        logger.exception("polling mailbox %s failed", mailbox.name)
        report.error = f"{type(error).__name__}: {error}"[:2000]
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_error=report.error
    )
    return report


def mailboxes_poll(*, names: list[str] | None = None) -> list[PollReport]:
    """Poll every active mailbox (or those named) once; return a report per mailbox."""
    mailboxes = Mailbox.objects.filter(active=True).select_related("team", "product")
    if names:
        mailboxes = mailboxes.filter(name__in=names)
    return [mailbox_poll(mailbox) for mailbox in mailboxes.order_by("name")]
