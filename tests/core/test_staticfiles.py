"""`servicedesk serve` collects the static files only when they changed."""

import os
from pathlib import Path

import pytest
from django.test import override_settings

from servicedesk.core import staticfiles

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def collected(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    runs: list[str] = []
    monkeypatch.setattr(staticfiles, "call_command", lambda name, **options: runs.append(name))
    return runs


def test_it_collects_once_and_again_only_after_a_change(
    tmp_path: Path, collected: list[str]
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "site.css").write_text("body { color: black }")
    with override_settings(
        STATIC_ROOT=tmp_path / "static", STATICFILES_DIRS=[extra], STORAGES=STORAGES
    ):
        assert staticfiles.collect_static() is True
        assert staticfiles.collect_static() is False
        (extra / "site.css").write_text("body { color: navy; }")
        assert staticfiles.collect_static() is True
        assert staticfiles.collect_static() is False
        (extra / "new.js").write_text("")
        assert staticfiles.collect_static() is True
    assert collected == ["collectstatic"] * 3


def test_a_missing_manifest_is_collected_again(tmp_path: Path, collected: list[str]) -> None:
    manifest_storage = {
        **STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    root = tmp_path / "static"
    with override_settings(STATIC_ROOT=root, STORAGES=manifest_storage):
        assert staticfiles.collect_static() is True
        (root / "staticfiles.json").write_text("{}")
        assert staticfiles.collect_static() is False
        os.remove(root / "staticfiles.json")
        assert staticfiles.collect_static() is True
    assert len(collected) == 2
