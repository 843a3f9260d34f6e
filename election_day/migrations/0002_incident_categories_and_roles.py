"""Seed the incident catalogue, and give the desk roles their permissions on the new models
(the role table in operations/roles.py names this app)."""

from django.db import migrations

from election_day.seed import seed_incident_categories
from operations.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [("election_day", "0001_initial")]

    operations = [
        migrations.RunPython(seed_incident_categories, migrations.RunPython.noop),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
