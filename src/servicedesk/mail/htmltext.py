"""HTML from mail made safe to show, and plain text derived from it.

- `sanitize_html(html)` returns HTML cleaned by `nh3`: no scripts, styles, event
  handlers, forms or frames; links only to http(s), mailto and tel, with
  rel="noopener noreferrer nofollow"; images only when their source is an attached
  part (`cid:`), so remote images and tracking pixels never load; the HTML is first
  tidied in one linear pass (`tidy_html`: nesting capped at `MAX_NESTING`, misnested
  end tags made explicit), which keeps hostile HTML from making the sanitiser slow;
  HTML longer than `MAX_HTML_CHARS` is cut there;
- `html_to_text(sanitised)` returns readable plain text of HTML that `sanitize_html`
  returned (it relies on nh3's well-formed output; never give it raw HTML): blocks and
  line breaks become new lines, list items get "- ", block quotes get "> " (so
  `quotes.split_reply` can find the quoted history), images their [alt text].
"""

import html
import re

import nh3

_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"area", "map"}
_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "table": {"align", "summary"},
    "ol": {"start"},
    "bdo": {"dir"},
}
# Their content goes too, not only the tag: it is code or noise, never message text.
_DROP_WITH_CONTENT = frozenset(
    {"script", "style", "title", "noscript", "template", "iframe", "object", "svg", "math"}
)
_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "cid"})

# nh3's output is well formed and escapes ">" inside attribute values.
_IMG_TAG = re.compile(r"<img\b[^>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if value.strip().lower().startswith("cid:") else None
    return value


def _keep_inline_image(match: re.Match[str]) -> str:
    return match.group(0) if ' src="cid:' in match.group(0).lower() else ""


def sanitize_html(markup: str) -> str:
    """Return `markup` safe to embed in our pages; images only from attached parts."""
    if not markup.strip():
        return ""
    if len(markup) > MAX_HTML_CHARS:
        # Cut at a tag's start, so no half tag is left.
        cut = markup.rfind("<", 0, MAX_HTML_CHARS)
        markup = markup[: cut if cut > 0 else MAX_HTML_CHARS]
    cleaned = nh3.clean(
        tidy_html(markup),
        tags=set(_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes=_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=set(_URL_SCHEMES),
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # An image whose remote source was removed would still be a broken box: drop it.
    return _IMG_TAG.sub(_keep_inline_image, cleaned).strip()


# html5ever, under nh3, does work in proportion to the depth of open elements for each
# tag, and more for misnested formatting tags and for tags with very many attributes:
# hostile HTML (100,000 "<div>", or "<b><div></b>" repeated) would take minutes. So
# the HTML is first tidied in one linear pass; real mail is left as it was.
MAX_NESTING = 300
MAX_TAG_CHARS = 8192
# Some structures (tables with misplaced content) still cost quadratic time in the
# sanitiser; a cap on the size bounds it. No person reads a megabyte of mail.
MAX_HTML_CHARS = 1_000_000

# A comment's start, or a tag: its name, then everything up to ">" or the end of the
# text. A search never backtracks past one tag, and each resumes after the last.
_TAG = re.compile(r"<!--|<(/?)([A-Za-z][^\s/>]*)[^>]*>?")
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr", "keygen", "frame", "basefont", "bgsound",
    }
)  # fmt: skip
# Elements that close their open namesake (or are closed by the parser), so they never
# nest on their own; counting them would mistake plain old HTML for hostile HTML.
_SELF_CLOSING_SIBLINGS = frozenset(
    {
        "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rt", "rp",
        "tbody", "thead", "tfoot", "colgroup", "caption", "html", "head", "body",
    }
)  # fmt: skip
# Their content is text, not tags, up to their end tag.
_RAW_TEXT_ENDS = {
    name: re.compile(rf"</{name}\b", re.IGNORECASE)
    for name in ("script", "style", "textarea", "title", "xmp", "noscript", "iframe")
}


def tidy_html(markup: str, *, limit: int = MAX_NESTING) -> str:
    """Return `markup` safe to give to the sanitiser quickly.

    Tags nested deeper than `limit` are dropped (their text stays), an end tag that
    closes elements opened after its own gets their end tags first ("<b><div></b>"
    becomes "<b><div></div></b>"), an end tag that closes nothing is dropped, and a tag
    longer than `MAX_TAG_CHARS` loses its attributes. Comments and the content of
    script-like elements are skipped, as the browser would.
    """
    open_tags: list[str] = []
    open_counts: dict[str, int] = {}
    pieces: list[str] = []
    copied = 0
    position = 0
    while match := _TAG.search(markup, position):
        position = match.end()
        if match.group(0) == "<!--":
            end = markup.find("-->", position)
            if end < 0:
                break
            position = end + 3
            continue
        closing, name = match.group(1), match.group(2).lower()
        text = match.group(0)
        if len(text) > MAX_TAG_CHARS:
            text = f"<{closing}{name}>"
        if name in _VOID or name in _SELF_CLOSING_SIBLINGS:
            pass
        elif closing and open_counts.get(name):
            implied: list[str] = []
            while open_tags:
                top = open_tags.pop()
                open_counts[top] -= 1
                if top == name:
                    break
                implied.append(f"</{top}>")
            text = "".join(implied) + text
        elif closing:
            text = ""
        elif len(open_tags) < limit:
            open_tags.append(name)
            open_counts[name] = open_counts.get(name, 0) + 1
        else:
            text = ""
        if text != match.group(0):
            pieces += [markup[copied : match.start()], text]
            copied = match.end()
        if not closing and name in _RAW_TEXT_ENDS:
            raw_end = _RAW_TEXT_ENDS[name].search(markup, position)
            if raw_end is None:
                break
            position = raw_end.start()
    if not pieces:
        return markup
    pieces.append(markup[copied:])
    return "".join(pieces)


_BLOCKS = frozenset(
    {
        "p", "div", "table", "tr", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4",
        "h5", "h6", "pre", "hr", "article", "section", "header", "footer", "aside",
        "figure", "figcaption", "address", "center", "details", "summary", "caption",
    }
)  # fmt: skip


# In nh3's output "<" and ">" only delimit tags: text and attribute values escape them.
_SANITISED_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^>]*)>")
_ALT = re.compile(r'\salt="([^"]*)"')


class _TextWriter:
    """Collects lines of text, with "> " before each line inside block quotes."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.line_depth = 0
        self.pre_depth = 0

    def newline(self, *, force: bool = False) -> None:
        line = "".join(self.current)
        line = line.rstrip() if self.pre_depth else " ".join(line.split())
        if line or force:
            self.lines.append("> " * self.line_depth + line if line else ">" * self.line_depth)
        self.current = []
        self.line_depth = self.quote_depth

    def start(self, tag: str, attributes: str) -> None:
        if tag == "br":
            self.newline(force=True)
        elif tag == "li":
            self.newline()
            self.current.append("- ")
        elif tag == "blockquote":
            self.newline()
            self.quote_depth += 1
            self.line_depth = self.quote_depth
        elif tag in ("td", "th"):
            self.current.append(" ")
        elif tag == "img":
            alt = _ALT.search(attributes)
            if alt and alt.group(1).strip():
                self.current.append(f"[{html.unescape(alt.group(1)).strip()}]")
        elif tag in _BLOCKS:
            self.newline()
            if tag == "pre":
                self.pre_depth += 1

    def end(self, tag: str) -> None:
        if tag == "blockquote":
            self.newline()
            self.quote_depth = max(0, self.quote_depth - 1)
            self.line_depth = self.quote_depth
        elif tag in _BLOCKS or tag == "li":
            self.newline()
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)

    def text(self, data: str) -> None:
        if self.pre_depth:
            first, *rest = data.split("\n")
            self.current.append(first)
            for line in rest:
                self.newline(force=True)
                self.current.append(line)
            return
        words = " ".join(data.split())
        if data[:1].isspace() and self.current:
            self.current.append(" ")
        if words:
            self.current.append(words)
            if data[-1:].isspace():
                self.current.append(" ")


def html_to_text(sanitised: str) -> str:
    """Return the readable plain text of HTML that `sanitize_html` returned."""
    if not sanitised.strip():
        return ""
    writer = _TextWriter()
    position = 0
    for match in _SANITISED_TAG.finditer(sanitised):
        if match.start() > position:
            writer.text(html.unescape(sanitised[position : match.start()]))
        position = match.end()
        tag = match.group(2).lower()
        if match.group(1):
            writer.end(tag)
        else:
            writer.start(tag, match.group(3))
    if position < len(sanitised):
        writer.text(html.unescape(sanitised[position:]))
    writer.newline()
    text = "\n".join(line.rstrip() for line in writer.lines)
    return _BLANK_LINES.sub("\n\n", text).strip()
