"""The `servicedesk` command: its data directory, and no work on a database without tables."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from servicedesk.__main__ import main, sqlite_without_tables
from servicedesk.settings import checkout_data_dir, default_data_dir

SQLITE = "django.db.backends.sqlite3"
REPOSITORY = Path(__file__).resolve().parents[2]


def make_sqlite(path: Path, *statements: str) -> Path:
    """Create an SQLite file in WAL mode, as Django does, and run `statements` in it."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        for statement in statements:
            db.execute(statement)
    db.close()
    return path


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The default database's settings, which a test may point elsewhere (undone after)."""
    settings_dict = connections["default"].settings_dict
    monkeypatch.setitem(settings_dict, "ENGINE", SQLITE)
    monkeypatch.setitem(settings_dict, "NAME", "")
    return settings_dict


def make_checkout(root: Path, *, name: str) -> Path:
    """Create a project folder with a pyproject.toml named `name`; return its package dir."""
    package = root / "src" / "servicedesk"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n')
    return package


# --- the data directory ------------------------------------------------------------


def test_it_keeps_data_in_var_of_the_source_checkout(tmp_path: Path) -> None:
    package = make_checkout(tmp_path / "checkout", name="servicedesk")
    found = default_data_dir(package_dir=package, home=tmp_path / "home", xdg_data_home="")
    assert found == tmp_path / "checkout" / "var"


def test_it_uses_this_checkouts_var_whatever_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    package = Path(settings.PACKAGE_DIR)
    assert checkout_data_dir(package) == REPOSITORY / "var"


def test_it_keeps_data_in_the_users_data_folder_when_installed(tmp_path: Path) -> None:
    site_packages = tmp_path / "venv" / "lib" / "python3.12" / "site-packages" / "servicedesk"
    site_packages.mkdir(parents=True)
    found = default_data_dir(package_dir=site_packages, home=tmp_path / "home", xdg_data_home="")
    assert found == tmp_path / "home" / ".local" / "share" / "servicedesk"


def test_it_follows_xdg_data_home_when_installed(tmp_path: Path) -> None:
    site_packages = tmp_path / "site-packages" / "servicedesk"
    site_packages.mkdir(parents=True)
    xdg = str(tmp_path / "xdg")
    assert default_data_dir(package_dir=site_packages, home=tmp_path, xdg_data_home=xdg) == (
        tmp_path / "xdg" / "servicedesk"
    )
    # A relative XDG_DATA_HOME is ignored, as the XDG spec says.
    assert default_data_dir(package_dir=site_packages, home=tmp_path, xdg_data_home="rel") == (
        tmp_path / ".local" / "share" / "servicedesk"
    )


def test_it_ignores_the_pyproject_of_another_project(tmp_path: Path) -> None:
    # Installed (not editable) into a virtualenv inside some other project's checkout.
    other = tmp_path / "other"
    make_checkout(other, name="something-else")
    package = other / ".venv" / "lib" / "python3.12" / "site-packages" / "servicedesk"
    package.mkdir(parents=True)
    assert checkout_data_dir(package) is None
    assert default_data_dir(package_dir=package, home=tmp_path, xdg_data_home="") == (
        tmp_path / ".local" / "share" / "servicedesk"
    )


def test_it_ignores_an_unreadable_pyproject(tmp_path: Path) -> None:
    package = make_checkout(tmp_path / "checkout", name="servicedesk")
    (tmp_path / "checkout" / "pyproject.toml").write_text("[project\nname = ")
    assert checkout_data_dir(package) is None


def test_it_lets_servicedesk_data_dir_override_the_default_from_any_folder(
    tmp_path: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data = tmp_path / "data"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"SERVICEDESK_DATA_DIR": str(data), "SECRET_KEY": "test", "LANGUAGE_CODE": "en"}
    # A fresh process: this one's settings were read long ago.
    finished = subprocess.run(
        [sys.executable, "-m", "servicedesk", "create-token", "nobody"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 2, finished.stderr
    assert finished.stderr.strip() == (
        f"the database at {data / 'servicedesk.sqlite3'} has no tables yet: "
        "run `servicedesk migrate` first"
    )
    assert list(elsewhere.iterdir()) == []  # no ./var
    assert not (data / "servicedesk.sqlite3").exists()


# --- no work on a database without tables --------------------------------------------


@pytest.mark.parametrize("command", ["create-token", "demo", "serve", "worker", "ingest-mail"])
def test_it_refuses_a_command_on_a_missing_sqlite_database_and_creates_no_file(
    tmp_path: Path,
    database: dict[str, object],
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    path = tmp_path / "servicedesk.sqlite3"
    database["NAME"] = str(path)

    with pytest.raises(SystemExit) as exit_:
        main(["servicedesk", command, "admin"])

    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"the database at {path} has no tables yet: run `servicedesk migrate` first\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_it_refuses_a_command_on_an_empty_sqlite_database(
    tmp_path: Path, database: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_sqlite(tmp_path / "empty.sqlite3")
    database["NAME"] = str(path)

    with pytest.raises(SystemExit) as exit_:
        main(["servicedesk", "createsuperuser", "--noinput", "--username", "admin"])

    assert exit_.value.code == 2
    assert "has no tables yet: run `servicedesk migrate` first" in capsys.readouterr().err
    assert sorted(item.name for item in tmp_path.iterdir()) == ["empty.sqlite3"]


@pytest.mark.parametrize(
    "args",
    [
        ["version"],
        ["--version"],
        ["help"],
        ["help", "demo"],
        ["demo", "--help"],
        ["migrate", "--help"],
        ["diffsettings"],
        [],
    ],
)
def test_it_runs_setup_and_help_commands_without_tables(
    tmp_path: Path,
    database: dict[str, object],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    # Not `check`: Django's JSONField check opens the database (and so creates the file).
    database["NAME"] = str(tmp_path / "servicedesk.sqlite3")

    try:
        main(["servicedesk", *args])
    except SystemExit as exit_:  # help and version exit 0 (or 1 for no command at all)
        assert exit_.code in (0, 1, None)

    assert "has no tables yet" not in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_it_runs_commands_on_a_database_with_tables(
    tmp_path: Path, database: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_sqlite(tmp_path / "db.sqlite3", "CREATE TABLE django_migrations (id integer)")
    database["NAME"] = str(path)

    main(["servicedesk", "diffsettings", "--all"])  # not in the list: it passed the check

    captured = capsys.readouterr()
    assert "has no tables yet" not in captured.err
    assert "INSTALLED_APPS" in captured.out


def test_it_does_not_check_other_databases() -> None:
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "servicedesk"}
    assert sqlite_without_tables(postgres) is None
    assert sqlite_without_tables({"ENGINE": SQLITE, "NAME": ":memory:"}) is None
    in_memory = {"ENGINE": SQLITE, "NAME": "file:memorydb_default?mode=memory&cache=shared"}
    assert sqlite_without_tables(in_memory) is None


def test_it_counts_only_the_desks_tables(tmp_path: Path) -> None:
    # AUTOINCREMENT makes SQLite's own sqlite_sequence table, which is not ours.
    path = make_sqlite(tmp_path / "db.sqlite3")
    assert sqlite_without_tables({"ENGINE": SQLITE, "NAME": str(path)}) == path
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (id integer PRIMARY KEY AUTOINCREMENT)")
    db.close()
    assert sqlite_without_tables({"ENGINE": SQLITE, "NAME": str(path)}) is None
    assert sorted(item.name for item in tmp_path.iterdir()) == ["db.sqlite3"]
