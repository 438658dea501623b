"""Seed the RACI matrix's `change_proposal` step (see automation.raci.DEFAULT_MATRIX)."""

from django.db import migrations

# (step, kind, role, letter), frozen here so later edits to the defaults need a migration.
DEFAULTS = [
    ("change_proposal", "change_request", "customer", "R"),
    ("change_proposal", "change_request", "agent", "R"),
    ("change_proposal", "change_request", "team_lead", "A"),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    RaciEntry = apps.get_model("automation", "RaciEntry")
    RaciEntry.objects.bulk_create(
        [RaciEntry(step=s, kind=k, role=r, letter=l) for s, k, r, l in DEFAULTS],  # noqa: E741
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):  # type: ignore[no-untyped-def]
    RaciEntry = apps.get_model("automation", "RaciEntry")
    for s, k, r, l in DEFAULTS:  # noqa: E741
        RaciEntry.objects.filter(step=s, kind=k, role=r, letter=l).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0001_initial"),
        ("automation", "0006_rules_for_changes_billing_outages"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
