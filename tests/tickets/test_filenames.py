"""clean_upload_name and extension_of: a name is judged as Windows would save it."""

import pytest

from servicedesk.tickets.filenames import clean_upload_name, extension_of

# Each of these is saved by Windows (or offered by a browser) as "evil.exe".
DISGUISED_EXE = [
    "evil.exe.",
    "evil.exe...",
    "evil.exe ",
    "evil.exe  ",
    "evil.exe . .",
    "evil.exe. . ",
    "evil.exe::$DATA",
    "evil.exe:stream:$DATA",
    "evil.exe:",
    "evil.exe .::$DATA",
    "evil.exe\t",
    "evil.exe\x00",
    "evil.exe\u00a0",
    "evil.exe\u200b",
    "C:evil.exe",
    "C:\\Users\\jan\\evil.exe.",
    "../../evil.exe::$DATA",
    "EVIL.EXE.",
]


@pytest.mark.parametrize("name", DISGUISED_EXE)
def test_it_sees_the_real_extension_of_a_disguised_name(name: str) -> None:
    assert extension_of(name) == "exe"
    assert clean_upload_name(name).lower() == "evil.exe"


@pytest.mark.parametrize(
    ("name", "extension"),
    [
        ("report.pdf", "pdf"),
        ("archive.TAR.GZ", "gz"),
        ("README", ""),
        (".bashrc", ""),  # stored as "bashrc": the leading dot goes
        ("", ""),
        ("notes.txt:evil.exe", "txt"),  # the stream's name is not the file's
        ("evil.\u017fcr", "scr"),  # long s: upper case, as Windows compares, is "SCR"
    ],
)
def test_it_returns_the_lower_case_extension_without_the_dot(name: str, extension: str) -> None:
    assert extension_of(name) == extension


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [
        ("screenshot.png", "screenshot.png"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("a\r\nb.txt", "ab.txt"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),  # right-to-left override removed
        ("rapport\x1b[31m.pdf", "rapport[31m.pdf"),
        ("what?.txt", "what_.txt"),
        ("CON.txt", "_CON.txt"),
        ("Café.txt", "Café.txt"),
        ("e\u0301.txt", "\u00e9.txt"),
    ],
)
def test_it_cleans_the_name(name: str, cleaned: str) -> None:
    assert clean_upload_name(name) == cleaned


@pytest.mark.parametrize("name", ["", "   ", "...", ". . .", "/", "C:\\dir\\", "::$DATA", "\x00"])
def test_it_names_a_file_without_a_usable_name_attachment(name: str) -> None:
    assert clean_upload_name(name) == "attachment"


def test_it_shortens_a_long_name_to_255_characters_keeping_the_extension() -> None:
    cleaned = clean_upload_name("x" * 500 + ".exe")
    assert len(cleaned) == 255
    assert cleaned.endswith("x.exe")
    assert extension_of("x" * 500 + ".exe") == "exe"


def test_it_judges_a_name_shortened_into_an_extension_by_what_is_left() -> None:
    # An "extension" too long to keep is cut with the rest; whatever the cut leaves
    # at the end is what the blocked-type check must see.
    name = "a" * 250 + ".exe" + "y" * 30
    assert clean_upload_name(name) == "a" * 250 + ".exey"
    assert extension_of("a" * 251 + ".exe" + "y" * 30) == "exe"


def test_it_leaves_no_dot_or_space_at_the_end_of_a_shortened_name() -> None:
    cleaned = clean_upload_name("x" * 253 + ". .tail-longer-than-twenty-characters")
    assert cleaned == "x" * 253
