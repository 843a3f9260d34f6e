import pytest
from django.contrib.auth.models import Group, Permission

from operations.roles import DESK_APPS, KABAG_OPS, PIMPINAN, POLSEK, ROLE_GROUPS, permission_matches

pytestmark = pytest.mark.django_db


def test_every_role_group_exists():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUPS)


@pytest.mark.parametrize("role", ROLE_GROUPS)
def test_group_holds_exactly_the_permissions_its_patterns_name(role):
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=role).permissions.select_related("content_type")
    }
    expected = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label__in=DESK_APPS).select_related(
            "content_type"
        )
        if permission_matches(role, p.content_type.app_label, p.codename)
    }
    assert expected, "the patterns must name at least one permission"
    assert granted == expected


@pytest.mark.parametrize(
    ("role", "permission", "granted"),
    [
        (KABAG_OPS, "operations.add_assignment", True),
        (KABAG_OPS, "operations.change_officer", True),
        (KABAG_OPS, "operations.delete_officer", True),
        (KABAG_OPS, "villages.change_desa", True),
        (KABAG_OPS, "villages.delete_candidate", True),
        (KABAG_OPS, "villages.delete_desa", False),
        (KABAG_OPS, "auth.add_user", False),
        (PIMPINAN, "operations.view_officer", True),
        (PIMPINAN, "villages.view_candidate", True),
        (PIMPINAN, "operations.change_officer", False),
        (PIMPINAN, "operations.add_assignment", False),
        (PIMPINAN, "villages.change_desa", False),
        (POLSEK, "operations.add_riskreport", True),
        (POLSEK, "operations.change_riskreport", True),
        (POLSEK, "villages.view_desa", True),
        (POLSEK, "operations.view_operation", True),
        (POLSEK, "operations.view_officer", False),
        (POLSEK, "operations.add_assignment", False),
        (POLSEK, "operations.delete_riskreport", False),
        (POLSEK, "villages.change_desa", False),
    ],
)
def test_role_permission_matrix(make_user, role, permission, granted):
    assert make_user(role).has_perm(permission) is granted


def test_user_in_no_role_has_no_desk_permission(make_user):
    assert make_user(None).get_all_permissions() == set()
