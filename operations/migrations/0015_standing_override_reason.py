"""The ranking row carries the override's reason (the issue: "visible in the ranking"); rows stored
before it get their village's current reason, and every operation's ranking version moves on, so
no API page cached without the new field is served again."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def copy_reasons(apps, schema_editor):
    VillageStanding = apps.get_model("operations", "VillageStanding")
    VillageRisk = apps.get_model("operations", "VillageRisk")
    reason = VillageRisk.objects.filter(village_election=OuterRef("village_election")).values(
        "override_reason"
    )[:1]
    VillageStanding.objects.filter(is_overridden=True).update(override_reason=Subquery(reason))
    apps.get_model("operations", "Operation").objects.update(ranking_version=F("ranking_version") + 1)


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
