"""Seed the RACI matrix's credit step (automation.raci.DEFAULT_MATRIX): the service manager
is accountable, the agent responsible, the customer (the organisation's CPC) informed."""

from django.db import migrations

KINDS = ["incident", "question", "change_request", "application_service", "complaint"]
# (step, kind, role, letter), frozen here so later edits to the defaults need a migration.
DEFAULTS = [
    ("credit", kind, role, letter)
    for kind in KINDS
    for role, letter in (("customer", "I"), ("agent", "R"), ("service_manager", "A"))
]


def seed(apps, schema_editor):
    RaciEntry = apps.get_model("automation", "RaciEntry")
    RaciEntry.objects.bulk_create(
        [RaciEntry(step=s, kind=k, role=r, letter=l) for s, k, r, l in DEFAULTS],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    RaciEntry = apps.get_model("automation", "RaciEntry")
    for s, k, r, l in DEFAULTS:
        RaciEntry.objects.filter(step=s, kind=k, role=r, letter=l).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("automation", "0006_rules_for_changes_billing_outages"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
