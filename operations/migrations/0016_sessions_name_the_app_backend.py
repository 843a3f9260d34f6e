"""Stored sessions name the backend that logged their user in; Django's ModelBackend was replaced by
``operations.authentication.ModelBackend``. A session naming a backend no longer listed loads no
user, so without this every officer, phone and wall screen would be logged out by the upgrade."""

from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "operations.authentication.ModelBackend"


def _rename(apps, schema_editor, old: str, new: str) -> None:
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    renamed = []
    for session in Session.objects.using(schema_editor.connection.alias).only("session_data"):
        data = store.decode(session.session_data)  # {} for a damaged one: left as it is
        if data.get(BACKEND_SESSION_KEY) == old:
            data[BACKEND_SESSION_KEY] = new
            session.session_data = store.encode(data)
            renamed.append(session)
    Session.objects.using(schema_editor.connection.alias).bulk_update(
        renamed, ["session_data"], batch_size=500
    )


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0015_standing_override_reason"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
