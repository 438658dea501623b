"""The e-mail channel. So far only its pure parsing layer: no models, no database.

- `parse`: `parse_message(raw) -> ParsedMail` (never raises; see its error strategy);
- `autoreply`: `is_automated(parsed, our_addresses=...) -> reason | None`;
- `quotes`: `split_reply(text) -> (reply, quoted)` and the `REPLY_MARKERS` to put in
  outgoing mail;
- `threading`: ticket numbers in subjects, `clean_subject`, signed reply-address tokens;
- helpers: `charsets` (bytes to text with fallbacks), `headers` (safe header values),
  `htmltext` (nh3 sanitising, HTML to text), `filenames` (safe attachment names).
"""
