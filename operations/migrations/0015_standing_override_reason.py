"""The ranking row carries the override's reason (the issue: "visible in the ranking"); rows stored
before it get their village's current reason."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_reasons(apps, schema_editor):
    VillageStanding = apps.get_model("operations", "VillageStanding")
    VillageRisk = apps.get_model("operations", "VillageRisk")
    reason = VillageRisk.objects.filter(village_election=OuterRef("village_election")).values(
        "override_reason"
    )[:1]
    VillageStanding.objects.filter(is_overridden=True).update(override_reason=Subquery(reason))


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0014_history_in_feed_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="villagestanding",
            name="override_reason",
            field=models.TextField(blank=True, default="", verbose_name="alasan penetapan"),
        ),
        migrations.RunPython(copy_reasons, migrations.RunPython.noop, elidable=True),
    ]
