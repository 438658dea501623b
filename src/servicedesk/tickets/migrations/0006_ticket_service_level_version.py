"""Each ticket is measured by a service-level version; existing tickets by version 1 of
their contract's level (the preset they were measured by until now)."""

import django.db.models.deletion
from django.db import migrations, models


def pin_version_1(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    ServiceLevelVersion = apps.get_model("servicelevels", "ServiceLevelVersion")
    # One UPDATE per service level, not a query per ticket.
    for pk, key in ServiceLevelVersion.objects.filter(number=1).values_list(
        "pk", "service_level_id"
    ):
        Ticket.objects.filter(
            contract__service_level_id=key, service_level_version__isnull=True
        ).update(service_level_version_id=pk)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0006_contract_service_level_record"),
        ("servicelevels", "0002_seed_presets"),
        ("tickets", "0005_open_ticket_queues"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="service_level_version",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "The version of its contract's service level the ticket is measured by, "
                    "set when its clocks are first computed: a later edit of the level does "
                    "not change it."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tickets",
                to="servicelevels.servicelevelversion",
                verbose_name="service-level version",
            ),
        ),
        migrations.RunPython(pin_version_1, migrations.RunPython.noop),
    ]
