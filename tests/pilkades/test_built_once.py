"""The busiest answers build their fields once per class, and answer exactly as DRF would."""

import uuid
from unittest import mock

import pytest
from rest_framework import serializers

from election_day.api.serializers import CheckInSerializer, ProgressStepSerializer
from election_day.services.checkins import checkin_record
from election_day.services.progress import progress_record
from pilkades.serializers import BuiltOnce
from tests.election_day.world import build

pytestmark = pytest.mark.django_db


def _plain(serializer_class):
    """The same serializer without BuiltOnce: DRF's own answer to compare with."""
    meta = type("Meta", (), {"model": serializer_class.Meta.model, "fields": serializer_class.Meta.fields})
    declared = {name: type(f)(**f._kwargs) for name, f in serializer_class._declared_fields.items()}
    return type("Plain", (serializers.ModelSerializer,), {"Meta": meta, **declared})


def test_the_answers_are_drfs_own_and_the_model_is_read_once(make_user):
    w = build(make_user)
    checkin, _ = checkin_record(
        assignment=w.member, kind="arrived", by=w.member_user, idempotency_key=uuid.uuid4()
    )
    step, _ = progress_record(operation=w.operation, village_election=w.own[0], stage="tps_open", by=w.kabag)
    for serializer_class, row in ((CheckInSerializer, checkin), (ProgressStepSerializer, step)):
        assert issubclass(serializer_class, BuiltOnce)
        assert serializer_class(row).data == _plain(serializer_class)(row).data
        with mock.patch.object(serializers.ModelSerializer, "build_field") as build_field:
            first, second = serializer_class(row), serializer_class(row)
            assert first.data == second.data
        assert build_field.call_count == 0
        # Each instance binds its own copies.
        assert all(field.parent is first for field in first.fields.values())
        assert all(field.parent is second for field in second.fields.values())


def test_a_nested_answer_is_refused():
    class Inner(serializers.Serializer):
        name = serializers.CharField()

    class Outer(BuiltOnce, serializers.Serializer):
        inner = Inner()

    with pytest.raises(TypeError, match="nested"):
        Outer().fields  # noqa: B018
