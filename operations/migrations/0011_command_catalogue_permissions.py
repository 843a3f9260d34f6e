"""The role groups get the permissions of the position and capability catalogues (added in 0008),
so the Kabag Ops edits them in the admin."""

from django.db import migrations

from operations.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0010_report_idempotency_fingerprint"),
    ]

    operations = [
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
