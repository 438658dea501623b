"""An LMTP (or SMTP) server an MTA delivers to: each message goes to `mail_ingest`.

The server answers 250 only after the raw message is stored, so a message the MTA was
told we have is never lost; when storing fails it answers 451 and the MTA tries again
later. Messages over MAIL_MAX_BYTES are refused with 552 while they come in (the MTA
then bounces them to the sender). Under LMTP a message for several recipients is stored
once and gets one reply per recipient, as RFC 2033 wants.

`IntakeController(host=..., port=...)` runs the server in a thread (`start`, `stop`);
`servicedesk mail_lmtp` runs one until it is stopped.
"""

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections

from servicedesk.mail import config
from servicedesk.mail.intake import mail_ingest
from servicedesk.mail.models import InboundMail

logger = logging.getLogger(__name__)


def _ingest(raw: bytes, recipients: list[str], source: str) -> InboundMail:
    """Store and process one message in this worker thread; raise only if storing fails."""
    close_old_connections()
    try:
        return mail_ingest(raw, source=source, recipients=recipients)
    finally:
        # Worker threads come and go: leave no connection behind.
        connections.close_all()


class IntakeHandler:
    """aiosmtpd handler: store, then process, each message delivered."""

    def __init__(self, *, lmtp: bool = True) -> None:
        self.lmtp = lmtp
        self.source = "lmtp" if lmtp else "smtp"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content
        if raw is None:
            content = envelope.content or b""
            raw = content if isinstance(content, bytes) else content.encode("utf-8", "replace")
        recipients = [str(address) for address in envelope.rcpt_tos]
        try:
            # Processing never raises: once stored, the message is ours whatever becomes of it.
            inbound = await asyncio.to_thread(_ingest, raw, recipients, self.source)
        except Exception:
            logger.exception("could not store a message from %s", envelope.mail_from)
            return self._reply("451 4.3.0 Temporary failure, please try again later", recipients)
        return self._reply(f"250 2.0.0 Accepted as inbound mail {inbound.pk}", recipients)

    def _reply(self, line: str, recipients: list[str]) -> str:
        if not self.lmtp:
            return line
        return "\r\n".join([line] * max(len(recipients), 1))


class IntakeController(Controller):
    """Runs the LMTP (default) or SMTP intake server in a background thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 8025,
        lmtp: bool = True,
        server_name: str | None = None,
    ) -> None:
        self.lmtp = lmtp
        super().__init__(
            IntakeHandler(lmtp=lmtp),
            hostname=host,
            port=port,
            # The name in the greeting; by default the host's fully qualified name.
            server_hostname=server_name,
            data_size_limit=config.max_bytes(),
            # Keep the bytes as they came; we parse them ourselves.
            decode_data=False,
        )

    def factory(self) -> Any:
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)
