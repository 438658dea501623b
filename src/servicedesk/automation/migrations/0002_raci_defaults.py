"""Seed the RACI matrix with the defaults of seed 003 (see automation.raci)."""

from django.db import migrations

# (step, kind, role, letter), frozen here so later edits to the defaults need a migration.
DEFAULTS = [
    ('intake', 'incident', 'customer', 'I'),
    ('intake', 'incident', 'agent', 'R'),
    ('intake', 'incident', 'team_lead', 'A'),
    ('intake', 'change_request', 'customer', 'I'),
    ('intake', 'change_request', 'agent', 'R'),
    ('intake', 'change_request', 'team_lead', 'A'),
    ('intake', 'question', 'customer', 'I'),
    ('intake', 'question', 'agent', 'R'),
    ('intake', 'question', 'team_lead', 'A'),
    ('intake', 'application_service', 'customer', 'I'),
    ('intake', 'application_service', 'agent', 'R'),
    ('intake', 'application_service', 'team_lead', 'A'),
    ('handling', 'incident', 'customer', 'I'),
    ('handling', 'incident', 'agent', 'R'),
    ('handling', 'incident', 'team_lead', 'A'),
    ('handling', 'change_request', 'customer', 'I'),
    ('handling', 'change_request', 'agent', 'R'),
    ('handling', 'change_request', 'team_lead', 'A'),
    ('handling', 'question', 'customer', 'I'),
    ('handling', 'question', 'agent', 'R'),
    ('handling', 'question', 'team_lead', 'A'),
    ('handling', 'application_service', 'customer', 'I'),
    ('handling', 'application_service', 'agent', 'R'),
    ('handling', 'application_service', 'team_lead', 'A'),
    ('closing', 'incident', 'customer', 'I'),
    ('closing', 'incident', 'agent', 'R'),
    ('closing', 'incident', 'team_lead', 'A'),
    ('closing', 'change_request', 'customer', 'I'),
    ('closing', 'change_request', 'agent', 'R'),
    ('closing', 'change_request', 'team_lead', 'A'),
    ('closing', 'question', 'customer', 'I'),
    ('closing', 'question', 'agent', 'R'),
    ('closing', 'question', 'team_lead', 'A'),
    ('closing', 'application_service', 'customer', 'I'),
    ('closing', 'application_service', 'agent', 'R'),
    ('closing', 'application_service', 'team_lead', 'A'),
    ('escalation', 'incident', 'agent', 'I'),
    ('escalation', 'incident', 'team_lead', 'A'),
    ('escalation', 'incident', 'service_manager', 'I'),
    ('escalation', 'change_request', 'agent', 'I'),
    ('escalation', 'change_request', 'team_lead', 'A'),
    ('escalation', 'change_request', 'service_manager', 'I'),
    ('escalation', 'question', 'agent', 'I'),
    ('escalation', 'question', 'team_lead', 'A'),
    ('escalation', 'application_service', 'agent', 'I'),
    ('escalation', 'application_service', 'team_lead', 'A'),
    ('outage', 'incident', 'customer', 'I'),
    ('outage', 'incident', 'agent', 'I'),
    ('outage', 'incident', 'team_lead', 'R'),
    ('outage', 'incident', 'team_lead', 'A'),
    ('outage', 'incident', 'service_manager', 'I'),
    ('intake', 'complaint', 'customer', 'I'),
    ('intake', 'complaint', 'service_manager', 'R'),
    ('intake', 'complaint', 'team_lead', 'A'),
    ('handling', 'complaint', 'customer', 'I'),
    ('handling', 'complaint', 'service_manager', 'R'),
    ('handling', 'complaint', 'team_lead', 'A'),
    ('closing', 'complaint', 'customer', 'I'),
    ('closing', 'complaint', 'service_manager', 'R'),
    ('closing', 'complaint', 'team_lead', 'A'),
    ('escalation', 'complaint', 'agent', 'I'),
    ('escalation', 'complaint', 'team_lead', 'A'),
    ('escalation', 'complaint', 'service_manager', 'I'),
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
        ("automation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
