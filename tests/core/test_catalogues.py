"""The Dutch and French catalogues: every entry translated, none fuzzy, placeholders kept, and
the compiled .mo files made from the .po files as they are now.

Regenerate with `django-admin makemessages -l nl -l fr --no-obsolete` and
`django-admin compilemessages` in src/servicedesk (DJANGO_SETTINGS_MODULE=servicedesk.settings).
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import servicedesk

LOCALE = Path(servicedesk.__file__).resolve().parent / "locale"
LANGUAGES = ("nl", "fr")
CATALOGUES = sorted(
    path.relative_to(LOCALE)
    for language in LANGUAGES
    for path in (LOCALE / language / "LC_MESSAGES").glob("*.po")
)
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")
PERCENT = re.compile(r"%(?:\((\w+)\))?[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"\{\{|\{([^{}]*)\}")


@dataclass
class Entry:
    """One message of a .po file: the header too (its msgid is empty), obsolete ones not."""

    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def read_po(path: Path) -> list[Entry]:
    """Return the entries of a .po file (a reader for what gettext writes; no polib here)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    seen_msgid = False

    def finish() -> None:
        if entry is not None and seen_msgid:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):  # a blank line ends an entry; obsolete: ignored
            if not line:
                finish()
                entry, target, seen_msgid = None, None, False
            continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string continues nothing"
            _append(entry, target, ast.literal_eval(line))
            continue
        match = KEYWORD.match(line)
        assert match, f"{path}:{number}: cannot read {line!r}"
        keyword, index, value = match.groups()
        if keyword == "msgctxt" and seen_msgid:  # an entry that follows without a blank line
            finish()
            entry, seen_msgid = Entry(line=number), False
        if keyword == "msgid":
            seen_msgid = True
        target = (keyword.split("[")[0], int(index or 0))
        if target[0] == "msgstr":
            entry.msgstr[target[1]] = ""
        elif target[0] == "msgctxt":
            entry.msgctxt = ""
        elif target[0] == "msgid_plural":
            entry.msgid_plural = ""
        _append(entry, target, ast.literal_eval(value))
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += text
    elif name == "msgid":
        entry.msgid += text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def placeholders(text: str, flags: set[str]) -> list[str]:
    """Return the format placeholders of a message, sorted, as its format flag reads them."""
    found: list[str] = []
    if "python-format" in flags:
        found += [m.group(0) for m in PERCENT.finditer(text) if m.group(0) != "%%"]
    if "python-brace-format" in flags:
        found += [m.group(0) for m in BRACE.finditer(text) if m.group(0) != "{{"]
    return sorted(found)


@pytest.fixture(params=CATALOGUES, ids=str)
def catalogue(request: pytest.FixtureRequest) -> Path:
    relative: Path = request.param
    return LOCALE / relative


def test_both_languages_have_a_catalogue() -> None:
    for language in LANGUAGES:
        assert (LOCALE / language / "LC_MESSAGES" / "django.po").is_file(), language


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue: Path) -> None:
    entries = read_po(catalogue)
    assert len(entries) > 1, f"{catalogue} has no messages"
    fuzzy = [str(entry) for entry in entries if "fuzzy" in entry.flags]
    untranslated = [
        str(entry)
        for entry in entries
        if entry.msgid and (not entry.msgstr or not all(entry.msgstr.values()))
    ]
    assert not fuzzy, f"fuzzy in {catalogue}: {fuzzy}"
    assert not untranslated, f"untranslated in {catalogue}: {untranslated}"


def test_translations_keep_the_placeholders(catalogue: Path) -> None:
    wrong = [
        f"{entry}: {translation!r}"
        for entry in read_po(catalogue)
        if entry.msgid and entry.msgid_plural is None
        for translation in entry.msgstr.values()
        if translation
        and placeholders(translation, entry.flags) != placeholders(entry.msgid, entry.flags)
    ]
    assert not wrong, f"placeholders differ in {catalogue}: {wrong}"


def test_the_compiled_catalogue_matches_the_po_file(catalogue: Path) -> None:
    compiled = catalogue.with_suffix(".mo")
    assert compiled.is_file(), f"{compiled} is missing: run compilemessages"
    with compiled.open("rb") as mo:
        messages = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in read_po(catalogue):
        if "fuzzy" in entry.flags and entry.msgid:  # msgfmt leaves these out
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[key] = entry.msgstr.get(0, "")
        else:
            expected.update({(key, n): text for n, text in entry.msgstr.items()})
    expected = {key: text for key, text in expected.items() if text}  # msgfmt skips empty ones
    # msgfmt leaves the POT-Creation-Date out of the compiled header.
    for header in (expected, messages):
        header[""] = re.sub(r"(?m)^POT-Creation-Date:.*\n", "", header.get("", ""))
    stale = sorted(
        str(key)
        for key in messages.keys() | expected.keys()
        if messages.get(key) != expected.get(key)
    )
    assert not stale, f"{compiled} is older than its .po: run compilemessages. {stale[:10]}"
