"""The e-mail channel: tickets from mail, replies threaded onto tickets, notices out.

Pure parsing layer (no database):

- `parse`: `parse_message(raw) -> ParsedMail` (never raises; see its error strategy);
- `autoreply`: `is_automated(parsed, our_addresses=...) -> reason | None`;
- `quotes`: `split_reply(text) -> (reply, quoted)` and the `REPLY_MARKERS` to put in
  outgoing mail;
- `threading`: ticket numbers in subjects, `clean_subject`, signed reply-address tokens;
- helpers: `charsets` (bytes to text with fallbacks), `headers` (safe header values),
  `htmltext` (nh3 sanitising, HTML to text), `filenames` (safe attachment names).

The channel (models `Mailbox`, `InboundMail`, `OutboundMail`):

- `intake`: `mail_ingest(raw, source=...)`, the one pipeline every receiver feeds: raw
  bytes stored first, then parsed, checked, threaded (`routing`), matched to a sender
  (`senders`) and turned into a ticket or a reply; `mail_reprocess(id)` runs it again;
- receivers: `imap` (`servicedesk mail_poll`), `lmtp` (`servicedesk mail_lmtp`), the
  webhook (`views`, POST /mail/inbound) and `servicedesk ingest-mail`;
- `outbound`: notices rendered from `templates/mail/<language>/<kind>.txt|.html`, stored,
  sent in the background (the outbox, `servicedesk.outbox`) with retries; the `mail_on_*` hooks;
- `config`: the MAIL_* settings.
"""
