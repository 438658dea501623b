"""Contracts point at a service-level record by its key (the preset key they held).

The seeded records carry the five preset keys; a contract with a key no preset had (it had
no targets) gets a record without versions, so it still has none.
"""

import django.db.models.deletion
from django.db import migrations, models

import servicedesk.servicelevels.fields


def records_for_unknown_keys(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    ServiceLevel = apps.get_model("servicelevels", "ServiceLevel")
    known = set(ServiceLevel.objects.values_list("key", flat=True))
    for key in set(Contract.objects.values_list("service_level", flat=True)) - known:
        ServiceLevel.objects.create(key=key, name=key)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0005_contract_survey_and_stale"),
        ("servicelevels", "0002_seed_presets"),
    ]

    operations = [
        migrations.RunPython(records_for_unknown_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contract",
            name="priority_scheme",
            field=models.CharField(
                blank=True,
                help_text="The key of the service level's priority scheme; filled in when empty.",
                max_length=60,
                verbose_name="priority scheme",
            ),
        ),
        migrations.AlterField(
            model_name="contract",
            name="service_level",
            field=servicedesk.servicelevels.fields.ServiceLevelField(
                help_text=(
                    "New tickets are measured by its current version; a ticket keeps the "
                    "version it started under."
                ),
                on_delete=django.db.models.deletion.PROTECT,
                related_name="contracts",
                to="servicelevels.servicelevel",
                to_field="key",
                verbose_name="service level",
            ),
        ),
    ]
