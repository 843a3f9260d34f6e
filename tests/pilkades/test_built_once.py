"""The busiest writes' serializers build their fields once per class, and read and answer exactly
as DRF would."""

import uuid
from unittest import mock

import pytest
from rest_framework import serializers

from election_day.api.serializers import (
    CheckInInputSerializer,
    CheckInSerializer,
    ProgressInputSerializer,
    ProgressStepSerializer,
)
from election_day.services.checkins import checkin_record
from election_day.services.progress import progress_record
from pilkades.serializers import BuiltOnce, StrictInput
from tests.election_day.world import build

pytestmark = pytest.mark.django_db


def _plain(serializer_class):
    """The same serializer without BuiltOnce: DRF's own answer to compare with."""
    meta = type("Meta", (), {"model": serializer_class.Meta.model, "fields": serializer_class.Meta.fields})
    declared = {name: type(f)(**f._kwargs) for name, f in serializer_class._declared_fields.items()}
    methods = {  # what a SerializerMethodField calls
        f"get_{name}": getattr(serializer_class, f"get_{name}")
        for name, f in serializer_class._declared_fields.items()
        if isinstance(f, serializers.SerializerMethodField)
    }
    return type("Plain", (serializers.ModelSerializer,), {"Meta": meta, **declared, **methods})


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


def _plain_input(serializer_class):
    """The same input serializer without BuiltOnce: its fields made anew, its own validate()."""
    declared = {name: type(f)(**f._kwargs) for name, f in serializer_class._declared_fields.items()}
    own = {name: value for name, value in vars(serializer_class).items() if name == "validate"}
    return type("Plain", (StrictInput, serializers.Serializer), {**declared, **own})


CHECK_IN_BODIES = [
    {"assignment": 7, "kind": "arrived"},
    {"assignment": "7", "kind": "finished", "latitude": "-6.1", "longitude": "106.2", "accuracy_m": 12},
    {"assignment": 7, "kind": "arrived", "latitude": "-6.1"},
    {"assignment": 0, "kind": "tiba"},
    {"assignment": "abc", "kind": "arrived", "idempotency_key": "not-a-uuid"},
    {"assignment": 2**63, "kind": "arrived", "accuracy_m": -1, "client_time": "kemarin"},
    {"assignment": 7, "kind": "arrived\x00", "sumbit": True},
    {"assignment": 7, "kind": "arrived", "idempotency_key": str(uuid.UUID(int=5)), "client_time": None},
    {},
    ["not", "an", "object"],
]
PROGRESS_BODIES = [
    {"operation": 1, "village_election": 2, "stage": "voting"},
    {
        "operation": 1,
        "village_election": 2,
        "stage": "tps_open",
        "reason": "ulang",
        "client_time": "2019-11-10T08:00",
    },
    {"operation": 1, "village_election": 2, "stage": "dibuka"},
    {"operation": -1, "stage": "voting", "reason": "x" * 2001},
    {"operation": 1, "village_election": 2, "stage": "voting", "id": 5},
    {},
]


@pytest.mark.parametrize(
    ("serializer_class", "bodies"),
    [(CheckInInputSerializer, CHECK_IN_BODIES), (ProgressInputSerializer, PROGRESS_BODIES)],
)
def test_the_inputs_read_as_drfs_own_and_build_their_fields_once(serializer_class, bodies):
    assert issubclass(serializer_class, BuiltOnce)
    plain = _plain_input(serializer_class)
    for body in bodies:
        ours, theirs = serializer_class(data=body), plain(data=body)
        assert ours.is_valid() == theirs.is_valid(), body
        assert ours.errors == theirs.errors, body
        if theirs.is_valid():
            assert ours.validated_data == theirs.validated_data, body
    with mock.patch("copy.deepcopy") as deepcopy:
        first, second = serializer_class(data=bodies[0]), serializer_class(data=bodies[0])
        assert first.is_valid() and second.is_valid()
    assert deepcopy.call_count == 0
    assert all(field.parent is first for field in first.fields.values())
    assert all(field.parent is second for field in second.fields.values())


def test_a_nested_answer_is_refused():
    class Inner(serializers.Serializer):
        name = serializers.CharField()

    class Outer(BuiltOnce, serializers.Serializer):
        inner = Inner()

    with pytest.raises(TypeError, match="nested"):
        Outer().fields  # noqa: B018
