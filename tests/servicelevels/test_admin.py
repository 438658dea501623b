"""The admin: service managers read service levels, administrators edit (a new version)
and copy them; invalid definitions come back with the error at the field; calendars get
an opening-hours editor."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import StaffRole, User
from servicedesk.contracts.models import BusinessCalendar
from servicedesk.servicelevels.forms import Editor
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion
from tests.factories import StaffFactory
from tests.servicelevels.helpers import SEVERITY, editor_post, latest, row_of

pytestmark = pytest.mark.django_db


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=StaffFactory(role=role).pk))
    return client


@pytest.fixture
def admin_client() -> Client:
    return signed_in(StaffRole.ADMINISTRATOR)


@pytest.fixture
def severity() -> ServiceLevel:
    return ServiceLevel.objects.get(key=SEVERITY)


def url(name: str, level: ServiceLevel) -> str:
    return reverse(f"admin:servicelevels_servicelevel_{name}", args=[level.pk])


def edit_data(level: ServiceLevel) -> dict[str, Any]:
    """Return what the edit page posts when nothing is changed."""
    version = latest(level)
    editor = Editor(
        definition=version.definition, level={"name": level.name, "description": level.description}
    )
    return editor_post(editor)


def test_it_shows_a_service_manager_the_levels_but_no_way_to_change_them(
    severity: ServiceLevel,
) -> None:
    client = signed_in(StaffRole.SERVICE_MANAGER)
    listing = client.get(reverse("admin:servicelevels_servicelevel_changelist"))
    assert listing.status_code == 200
    assert SEVERITY in listing.content.decode()
    page = client.get(url("change", severity))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Version 1: what it promises" in body and "sev1" in body
    assert url("edit", severity) not in body
    assert client.get(url("edit", severity)).status_code == 403
    assert client.post(url("edit", severity), edit_data(severity)).status_code == 403
    assert client.get(url("copy", severity)).status_code == 403
    assert client.get(reverse("admin:servicelevels_servicelevel_add")).status_code == 403
    client.post(
        reverse("admin:servicelevels_servicelevel_changelist"),
        {"action": "copy_selected", "_selected_action": [severity.pk]},
    )
    assert ServiceLevel.objects.count() == 5
    assert ServiceLevelVersion.objects.filter(service_level=severity).count() == 1


def test_it_lets_an_administrator_edit_a_level_into_a_new_version(
    admin_client: Client, severity: ServiceLevel
) -> None:
    page = admin_client.get(url("edit", severity))
    assert page.status_code == 200
    assert "Monday" in page.content.decode()  # the opening-hours editor
    data = edit_data(severity)
    row = row_of(data, "target", priority="sev2", key="first_response")
    assert data[f"{row}-duration"] == "2 h"
    data[f"{row}-duration"] = "1 h 30 min"
    data["level-note"] = "Faster sev2"
    response = admin_client.post(url("edit", severity), data)
    assert response.status_code == 302, response.context and response.context["editor"].level.errors
    version = latest(severity)
    assert (version.number, version.note, version.created_by) == (
        2,
        "Faster sev2",
        User.objects.get(role=StaffRole.ADMINISTRATOR),
    )
    minutes = {
        (t["priority"], t["key"]): t["minutes"]
        for t in version.definition["policies"][0]["targets"]
    }
    assert minutes[("sev2", "first_response")] == 90
    assert minutes[("sev1", "first_response")] == 30
    assert ServiceLevelVersion.objects.get(service_level=severity, number=1).definition != (
        version.definition
    )


def test_it_writes_no_version_when_the_editor_changed_nothing(
    admin_client: Client, severity: ServiceLevel
) -> None:
    response = admin_client.post(url("edit", severity), edit_data(severity))
    assert response.status_code == 302
    assert latest(severity).number == 1


def form_errors(response: Any) -> dict[str, list[str]]:
    """Return every error of the editor's forms, by "prefix-field"."""
    editor = response.context["editor"]
    errors: dict[str, list[str]] = {}
    for form in [editor.level, *(f for formset in editor.formsets for f in formset.forms)]:
        for field, messages in form.errors.items():
            errors[f"{form.prefix}-{field}"] = list(messages)
    return errors


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d, r: d.update({f"{r}-duration": "0 min"}), "duration", "at least one minute"),
        (
            lambda d, r: d.update({f"{r}-objective_percent": "120"}),
            "objective_percent",
            "at most 100",
        ),
        (lambda d, r: d.update({"level-matrix_3": ""}), "level-matrix", "hole"),
        (
            lambda d, r: d.update({"level-hours_2": "12:00", "level-hours_3": "18:00"}),
            "level-hours",
            "overlaps",
        ),
    ],
)
def test_it_shows_an_invalid_definition_at_the_field(
    admin_client: Client, severity: ServiceLevel, change: Any, field: str, words: str
) -> None:
    data = edit_data(severity)
    row = row_of(data, "target", priority="sev2", key="first_response")
    change(data, row)
    response = admin_client.post(url("edit", severity), data)
    assert response.status_code == 200
    errors = form_errors(response)
    key = field if field.startswith("level-") else f"{row}-{field}"
    assert key in errors, errors
    assert words in " ".join(errors[key])
    assert latest(severity).number == 1


def test_it_lets_an_administrator_add_a_level(admin_client: Client) -> None:
    page = admin_client.get(reverse("admin:servicelevels_servicelevel_add"))
    assert page.status_code == 200
    data = editor_post(page.context["editor"])
    data.update(
        {
            "level-key": "bronze",
            "level-name": "Bronze",
            "level-scheme_key": "bronze-scheme",
            "level-scheme_name": "Bronze",
            "level-default_priority": "normal",
            "priority-0-code": "urgent",
            "priority-0-name_en": "Urgent",
            "priority-1-code": "normal",
            "priority-1-name_en": "Normal",
            "target-0-policy": "Incidents",
            "target-0-priority": "urgent",
            "target-0-key": "first_response",
            "target-0-duration": "4 h",
            "target-1-policy": "Incidents",
            "target-1-priority": "normal",
            "target-1-key": "first_response",
            "target-1-no_target_reason": "Best effort",
        }
    )
    response = admin_client.post(reverse("admin:servicelevels_servicelevel_add"), data)
    assert response.status_code == 302, form_errors(response)
    version = latest("bronze")
    assert version.number == 1
    rows = version.definition["policies"][0]["targets"]
    assert [(r["priority"], r["minutes"], r["no_target_reason"]) for r in rows] == [
        ("urgent", 240, ""),
        ("normal", None, "Best effort"),
    ]
    assert version.definition["scheme"]["matrix"] == []


def test_it_copies_a_level_from_the_page_and_by_the_action(
    admin_client: Client, severity: ServiceLevel
) -> None:
    form = admin_client.get(url("copy", severity))
    assert form.status_code == 200
    response = admin_client.post(
        url("copy", severity), {"key": "gold", "name": "Gold", "version": "1"}
    )
    assert response.status_code == 302
    gold = latest("gold")
    assert (gold.number, gold.copied_from) == (1, latest(severity))
    assert response["Location"] == url("edit", gold.service_level)

    admin_client.post(
        reverse("admin:servicelevels_servicelevel_changelist"),
        {"action": "copy_selected", "_selected_action": [severity.pk]},
    )
    copy = latest(f"{SEVERITY}-copy")
    assert copy.definition == latest(severity).definition


def test_it_edits_a_calendars_opening_hours_per_weekday(admin_client: Client) -> None:
    add = reverse("admin:contracts_businesscalendar_add")
    page = admin_client.get(add)
    assert page.status_code == 200
    assert "Monday" in page.content.decode() and "Sunday" in page.content.decode()
    data: dict[str, Any] = {
        "name": "Lunch break",
        "time_zone": "Europe/Brussels",
        "country": "be",
        "subdivision": "",
        "holidays": "2026-12-24\n2026-12-31",
        "extra_open": "",
    }
    for index in range(7 * 3 * 2):
        data[f"hours_{index}"] = ""
    data.update({"hours_0": "08:30", "hours_1": "12:00", "hours_2": "13:00", "hours_3": "17:00"})
    data.update({"hours_24": "09:00", "hours_25": "12:00"})  # Friday morning
    response = admin_client.post(add, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    calendar = BusinessCalendar.objects.get(name="Lunch break")
    assert calendar.hours == {
        "0": [["08:30", "12:00"], ["13:00", "17:00"]],
        "4": [["09:00", "12:00"]],
    }
    assert calendar.holidays == ["2026-12-24", "2026-12-31"]
    assert calendar.country == "BE"

    data.update({"name": "Overlap", "hours_2": "11:00"})
    refused = admin_client.post(add, data)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "overlaps" in " ".join(errors["hours"])
    data.update({"name": "Half", "hours_2": "13:00", "hours_5": "", "hours_4": "09:00"})
    refused = admin_client.post(add, data)
    assert "both the opening and the closing time" in " ".join(
        refused.context["adminform"].form.errors["hours"]
    )
