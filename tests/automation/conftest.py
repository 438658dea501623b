"""Fixtures for the automation tests: a small desk, and a tick that commits."""

from collections.abc import Callable
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import StaffRole
from servicedesk.automation.tick import TickReport, tick
from tests.automation.helpers import Desk
from tests.factories import ContactFactory, StaffFactory, TeamFactory


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Settings) -> None:
    """Run tasks when queued (on commit), so a test sees the mail a tick causes."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


Tick = Callable[..., TickReport]


@pytest.fixture
def run_tick(django_capture_on_commit_callbacks: Any) -> Tick:
    """Run a tick as the worker does, with its on-commit work (sending) executed."""

    def run(**kwargs: Any) -> TickReport:
        with django_capture_on_commit_callbacks(execute=True):
            return tick(**kwargs)

    return run


@pytest.fixture
def desk(db: None) -> Desk:
    """A team with its lead and an agent, a service manager, and a requester (no contract)."""
    lead = StaffFactory(role=StaffRole.TEAM_LEAD, first_name="Lea", last_name="Lead")
    agent = StaffFactory(first_name="Aart", last_name="Agent")
    manager = StaffFactory(role=StaffRole.SERVICE_MANAGER, first_name="Sam")
    team = TeamFactory(lead=lead)
    team.members.add(agent)
    return Desk(lead, agent, manager, team, ContactFactory(name="Carla Klant"))
