from django.db import migrations

from operations.roles import sync_role_groups
from operations.seed import seed_catalogues


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
        migrations.RunPython(seed_catalogues, migrations.RunPython.noop),
    ]
