"""Operations: health, structured request logs, deployment checks, the console command."""

import json
import logging
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client

import servicedesk

# The code under test, for the subprocesses: without it `python -m servicedesk` imports the
# package the virtualenv was installed from, which in a second checkout is not this one.
CODE = str(Path(servicedesk.__file__).resolve().parents[1])


@pytest.mark.django_db
def test_it_reports_health_when_the_database_answers(client: Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_it_reports_503_when_the_database_is_gone(client: Client) -> None:
    with mock.patch("servicedesk.core.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
def test_it_logs_each_request_as_json(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="servicedesk.requests"):
        client.get("/health")
    (record,) = [r for r in caplog.records if r.name == "servicedesk.requests"]
    formatter = logging.getLogger().handlers[0].formatter
    assert formatter is not None
    logged = json.loads(formatter.format(record))
    assert logged["path"] == "/health"
    assert logged["status"] == 200
    assert logged["method"] == "GET"
    assert logged["level"] == "INFO"
    assert isinstance(logged["duration_ms"], float)


def test_it_passes_the_deployment_checks_with_production_settings(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "SECRET_KEY": "x" * 60 + "production-secret-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "desk.example.com",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_COOKIES": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
        "SERVICEDESK_DATA_DIR": str(tmp_path),
        "DEBUG": "false",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": CODE,
    }
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_a_bad_boolean_setting(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "DEBUG": "maybe",
        "SERVICEDESK_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": CODE,
    }
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.django_db
def test_it_refuses_a_bad_port_for_serve(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        call_command("serve", "--port", "70000", "--no-collectstatic")
    assert exit_info.value.code == 2
    assert "--port" in capsys.readouterr().err
