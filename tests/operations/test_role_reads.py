"""A user's roles are his groups, read once per request in one statement, whatever he belongs to."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations.permissions import is_hq, is_kabag_ops, is_pimpinan, is_polsek
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The user as a new request loads him: no roles read yet."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ((), (False, False, False, False)),
        ((KABAG_OPS,), (True, False, False, True)),
        ((PIMPINAN,), (False, True, False, True)),
        ((POLSEK,), (False, False, True, False)),
        ((POLSEK, "Tamu"), (False, False, True, False)),
        ((PIMPINAN, KABAG_OPS), (True, True, False, True)),
    ],
)
def test_roles_follow_the_groups_in_one_read(make_user, groups, expected):
    user = make_user(None)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    user = _fresh(user)

    with CaptureQueriesContext(connection) as reads:
        answers = (is_kabag_ops(user), is_pimpinan(user), is_polsek(user), is_hq(user))

    assert answers == expected
    assert len(reads.captured_queries) == 1  # then kept on the user for the rest of the request


def test_a_group_of_another_user_gives_no_role(make_user):
    make_user(KABAG_OPS)
    other = _fresh(make_user(None))
    assert not is_kabag_ops(other) and not is_hq(other)
