"""The customer's new words in a reply, apart from the quoted history below them.

`split_reply(text)` returns `(reply, quoted)`: `reply` is the text above the first cut,
`quoted` the rest (empty when nothing was cut). Lines end in "\\n" in both.

Where it cuts (the earliest of these wins):

- our marker line, in any language of `REPLY_MARKERS` (English "--reply above this
  line--", Dutch "--antwoord boven deze lijn--", French "--répondez au-dessus de
  cette ligne--"), case-insensitive, with any dashes, spaces or ">" around it;
- an attribution line: English "On <date>, <name> wrote:" (Gmail, Apple Mail), Dutch
  "Op <date> schreef <name>:" and "<name> schreef op <date>:", French "Le <date>,
  <name> a écrit :", German "Am <date> schrieb <name>:" and "<name> schrieb am
  <date>:"; the line must hold a digit (a date or time), and may wrap onto up to
  two more lines as Gmail's do;
- an Outlook header block: a "From:" line ("Van:", "De :", "Von:") followed within six
  lines by two more header lines ("Sent:", "To:", "Subject:", "Verzonden:", "Aan:",
  "Onderwerp:", "Envoyé :", "À :", "Objet :", ...), or all of them on one line;
- a separator: "-----Original Message-----" (and its Dutch, French and German forms)
  or a line of 20 or more underscores (Outlook's "________________________________");
- the block of ">" lines that ends the message.

What it keeps: signatures after "-- " stay in the reply (a service desk wants the
sender's name and phone number). Nothing is cut below a forward marker ("Begin
forwarded message:", "---------- Forwarded message ---------" and their Dutch, French
and German forms), because a forward's content is the point. Outlook forwards carry no
such marker and look exactly like replies, so call this only for mail that answers an
existing ticket, never for a new ticket's first message. Never an empty reply: when
everything looks quoted, the reply is the whole text and `quoted` is empty.
"""

REPLY_MARKERS = {
    "en": "--reply above this line--",
    "nl": "--antwoord boven deze lijn--",
    "fr": "--répondez au-dessus de cette ligne--",
}

_MARKER_PHRASES = frozenset(
    {marker.strip("-") for marker in REPLY_MARKERS.values()} | {"repondez au-dessus de cette ligne"}
)
_MARKER_TRIM = " \t\u00a0>-\u2013\u2014_=#*.!"

# Lines longer than this are prose or hostile, never attributions or headers.
_MAX_HEADER_LINE = 500

_ATTRIBUTION_STARTS = ("on ", "op ", "le ", "am ")
_FROM_LABELS = frozenset({"from", "van", "de", "von"})
_HEADER_LABELS = frozenset(
    {
        "sent", "date", "to", "cc", "subject",
        "verzonden", "datum", "aan", "onderwerp",
        "envoyé", "envoye", "à", "a", "objet",
        "gesendet", "an", "betreff",
    }
)  # fmt: skip
_SENT_LABELS = ("sent:", "date:", "verzonden:", "datum:", "envoyé:", "envoye:", "gesendet:")
_SUBJECT_LABELS = ("subject:", "onderwerp:", "objet:", "betreff:")
_FORWARD_MARKERS = frozenset(
    {
        "forwarded message",
        "begin forwarded message:",
        "doorgestuurd bericht",
        "begin doorgestuurd bericht:",
        "message transféré",
        "début du message réexpédié :",
        "début du message réexpédié:",
        "weitergeleitete nachricht",
        "anfang der weitergeleiteten nachricht:",
    }
)
_ORIGINAL_MESSAGE = frozenset(
    {
        "original message",
        "oorspronkelijk bericht",
        "oorspronkelijk e-mailbericht",
        "message d'origine",
        "message d\u2019origine",
        "ursprüngliche nachricht",
        "originalnachricht",
    }
)


def split_reply(text: str) -> tuple[str, str]:
    """Return `(reply, quoted)`: the new text and the quoted history below it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    whole = "\n".join(lines).strip("\n")
    cut, forward = _first_cut(lines)
    if forward is not None:
        # Above a forward marker a cut still applies; below it nothing does.
        lines = lines[:forward]
    trailing = _trailing_quote(lines)
    if trailing is not None and (cut is None or trailing < cut):
        cut = trailing
    if cut is None:
        return whole.rstrip(), ""
    reply = "\n".join(lines[:cut]).strip("\n").rstrip()
    if not reply.strip():
        return whole.rstrip(), ""
    return reply, "\n".join(lines[cut:]).strip("\n")


def _normalise(line: str) -> str:
    """Lowercase, one space between words, no space before a final colon."""
    text = " ".join(line.split()).casefold()
    if text.endswith(":"):
        text = text[:-1].rstrip() + ":"
    return text


def _first_cut(lines: list[str]) -> tuple[int | None, int | None]:
    """Return the index of the first cut, or else of the first forward marker."""
    for index, line in enumerate(lines):
        if len(line) > _MAX_HEADER_LINE or not line.strip():
            continue
        if _is_marker(line) or _is_separator(line) or _is_header_block(lines, index):
            return index, None
        if _is_attribution_start(lines, index):
            return index, None
        if _is_forward_marker(line):
            return None, index
    return None, None


def _is_forward_marker(line: str) -> bool:
    return _normalise(line.strip().strip("-").strip()) in _FORWARD_MARKERS


def _is_marker(line: str) -> bool:
    return " ".join(line.strip(_MARKER_TRIM).split()).casefold() in _MARKER_PHRASES


def _is_separator(line: str) -> bool:
    stripped = line.strip()
    if len(stripped) >= 20 and not stripped.strip("_"):
        return True
    if not stripped.startswith("--"):
        return False
    return _normalise(stripped.strip("- \t")) in _ORIGINAL_MESSAGE


def _is_attribution(text: str) -> bool:
    if not any(char.isdigit() for char in text):
        return False
    if text.startswith("on ") and text.endswith(" wrote:"):
        return True
    if text.endswith(":") and (
        (text.startswith("op ") and " schreef " in text) or " schreef op " in text
    ):
        return True
    if text.startswith("le ") and text.endswith((" a écrit:", " a ecrit:")):
        return True
    return text.endswith(":") and (
        (text.startswith("am ") and " schrieb " in text) or " schrieb am " in text
    )


def _is_attribution_start(lines: list[str], index: int) -> bool:
    text = _normalise(lines[index])
    if _is_attribution(text):
        return True
    if not text.startswith(_ATTRIBUTION_STARTS):
        return False
    # Gmail wraps long attributions; the next one or two lines finish them.
    for extra in (1, 2):
        following = lines[index + 1 : index + 1 + extra]
        if len(following) < extra or any(
            not part.strip() or len(part) > _MAX_HEADER_LINE for part in following
        ):
            return False
        if _is_attribution(_normalise(" ".join([lines[index], *following]))):
            return True
    return False


def _label(line: str) -> str | None:
    """Return the lowercased label of a "Label: value" line ("*From:*" too), or None."""
    head, colon, _ = line.partition(":")
    if not colon or len(head) > 20:
        return None
    return " ".join(head.strip(" \t\u00a0*").split()).casefold()


def _is_header_block(lines: list[str], index: int) -> bool:
    if _label(lines[index]) not in _FROM_LABELS:
        return False
    text = _normalise(lines[index]).replace(" :", ":").replace("*", "")
    if any(label in text for label in _SENT_LABELS) and any(
        label in text for label in _SUBJECT_LABELS
    ):
        return True
    found = 0
    for line in lines[index + 1 : index + 7]:
        if len(line) <= _MAX_HEADER_LINE and _label(line) in _HEADER_LABELS:
            found += 1
            if found >= 2:
                return True
    return False


def _trailing_quote(lines: list[str]) -> int | None:
    """Return the index where the block of ">" lines that ends the text starts."""
    start = None
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].lstrip()
        if stripped.startswith(">"):
            start = index
        elif stripped:
            break
    return start
