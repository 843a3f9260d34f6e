"""The three desk roles and the model permissions each group holds.

The table is the single source: migrations call ``sync_role_groups`` whenever models are added,
and the tests read the same table.
"""

from fnmatch import fnmatch

KABAG_OPS = "Kabag Ops"
POLSEK = "Polsek"
PIMPINAN = "Pimpinan"
ROLE_GROUPS = (KABAG_OPS, POLSEK, PIMPINAN)
# The apps whose model permissions the roles hand out (the Hari-H app is named, not imported).
DESK_APPS = ("operations", "villages", "election_day", "webhooks")

# Patterns over "app_label.codename".
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    KABAG_OPS: (
        "operations.*",
        "election_day.*",
        "webhooks.*",
        "villages.add_*",
        "villages.change_*",
        "villages.view_*",
        "villages.delete_candidate",
    ),
    PIMPINAN: ("operations.view_*", "villages.view_*", "election_day.view_*"),
    POLSEK: (
        "villages.view_*",
        "operations.view_unit",
        "operations.view_operation",
        "operations.view_riskindicator",
        "operations.view_riskreport",
        "operations.add_riskreport",
        "operations.change_riskreport",
    ),
}


def permission_matches(role: str, app_label: str, codename: str) -> bool:
    key = f"{app_label}.{codename}"
    return any(fnmatch(key, pattern) for pattern in ROLE_PERMISSIONS[role])


def sync_role_groups(apps, schema_editor=None) -> None:
    """Create the groups and set exactly the permissions the table names (usable in migrations)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    candidates = list(
        permission_model.objects.filter(content_type__app_label__in=DESK_APPS).select_related("content_type")
    )
    for role in ROLE_GROUPS:
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set(
            [p for p in candidates if permission_matches(role, p.content_type.app_label, p.codename)]
        )
