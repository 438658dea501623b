from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0004_contract_accepts_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="satisfaction_survey",
            field=models.BooleanField(
                default=True,
                help_text="Send the requester one survey mail after a ticket closes.",
                verbose_name="satisfaction survey",
            ),
        ),
        migrations.AddField(
            model_name="contract",
            name="stale_after_days",
            field=models.PositiveSmallIntegerField(
                default=5,
                help_text="An open ticket without an update for this many working days is reported.",
                verbose_name="stale after (working days)",
            ),
        ),
    ]
