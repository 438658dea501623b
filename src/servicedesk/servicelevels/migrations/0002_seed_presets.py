"""The five presets of the SLA engine become service-level records, each with version 1."""

from django.db import migrations


def seed(apps, schema_editor):
    from servicedesk.servicelevels.presets import seed_fields
    from servicedesk.sla.presets import PRESETS

    ServiceLevel = apps.get_model("servicelevels", "ServiceLevel")
    ServiceLevelVersion = apps.get_model("servicelevels", "ServiceLevelVersion")
    for key, preset in PRESETS.items():
        if ServiceLevel.objects.filter(key=key).exists():
            continue
        level_fields, version_fields = seed_fields(preset)
        level = ServiceLevel.objects.create(**level_fields)
        ServiceLevelVersion.objects.create(service_level=level, **version_fields)


class Migration(migrations.Migration):
    dependencies = [
        ("servicelevels", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
