"""Hari-H pages: the officer's phone page (check-in, village progress), the incident form, the Posko board.

Each view parses a form, calls one service, and redirects with a message. The board is a shell;
static/js/posko-board.js fills it from the API (conditional polling, ETag/304).
"""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from election_day import permissions, selectors
from election_day.geo import km_text
from election_day.lapsit import lapsit_text
from election_day.models import (
    CheckIn,
    Incident,
    IncidentCategory,
    LapsitSnapshot,
    ProgressStage,
    VillageProgress,
)
from election_day.photos import process_photo
from election_day.services import checkins as checkin_services
from election_day.services import incidents as incident_services
from election_day.services import lapsit as lapsit_services
from election_day.services import progress as progress_services
from election_day.services.common import KeyReused
from operations.models import Assignment, Operation
from operations.pages import allowed, to_latest_operation
from operations.selectors.map import board_map_data
from villages.models import VillageElection


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value not in (None, "") else None
    except InvalidOperation:
        return None


@allowed(permissions.can_use_field_pages)
def field_home(request: HttpRequest) -> HttpResponse:
    postings = list(selectors.my_assignments(user=request.user))
    village_ids = {a.village_election_id for a in postings if a.village_election_id}
    progress = {
        (p.operation_id, p.village_election_id): p
        for p in VillageProgress.objects.filter(village_election_id__in=village_ids)
    }
    villages = {}
    for a in postings:
        if a.village_election_id and (a.operation_id, a.village_election_id) not in villages:
            villages[(a.operation_id, a.village_election_id)] = {
                "operation": a.operation,
                "village_election": a.village_election,
                "progress": progress.get((a.operation_id, a.village_election_id)),
            }
    return render(
        request,
        "election_day/field.html",
        {
            "postings": postings,
            "villages": list(villages.values()),
            "stages": ProgressStage.choices,
            "new_key": uuid.uuid4,
        },
    )


@require_POST
@allowed(permissions.can_use_field_pages)
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment, pk=pk)
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        key = uuid.uuid4()
    lat, lng = _decimal(request.POST.get("latitude")), _decimal(request.POST.get("longitude"))
    accuracy = _decimal(request.POST.get("accuracy_m"))
    position = (
        checkin_services.Position(lat, lng, int(accuracy) if accuracy is not None else None)
        if lat is not None and lng is not None
        else None
    )
    kind = request.POST.get("kind", CheckIn.Kind.ARRIVED)
    try:
        checkin, created = checkin_services.checkin_record(
            assignment=assignment, kind=kind, by=request.user, idempotency_key=key, position=position
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _errors(request, exc)
    except KeyReused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(kind)s tercatat pukul %(time)s.")
            % {
                "kind": checkin.get_kind_display(),
                "time": time_format(timezone.localtime(checkin.recorded_at), "TIME_FORMAT"),
            },
        )
        if checkin_services.is_far(checkin):
            desa = checkin.village_election.desa.name
            messages.warning(
                request,
                _(
                    "Posisi ponsel %(km)s km dari titik desa %(desa)s: pastikan Anda di pos yang benar. "
                    "Posko melihat jarak ini."
                )
                % {"km": km_text(checkin.distance_m), "desa": desa},
            )
    return redirect("field-home")


@require_POST
@allowed(permissions.can_use_field_pages)
def progress_update(request: HttpRequest, operation_id: int, village_election_id: int) -> HttpResponse:
    operation = get_object_or_404(Operation, pk=operation_id)
    village = get_object_or_404(VillageElection.objects.select_related("desa"), pk=village_election_id)
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        key = None
    try:
        step, _created = progress_services.progress_record(
            operation=operation,
            village_election=village,
            stage=request.POST.get("stage", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
            idempotency_key=key,
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _errors(request, exc)
    except KeyReused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(desa)s: %(stage)s.") % {"desa": village.desa.name, "stage": step.get_stage_display()},
        )
    return redirect("field-home")


class IncidentForm(forms.Form):
    operation = forms.ModelChoiceField(
        Operation.objects.filter(status=Operation.Status.ACTIVE), label=gettext_lazy("Operasi")
    )
    village_election = forms.ModelChoiceField(VillageElection.objects.none(), label=gettext_lazy("Desa"))
    # Values are the catalogue codes, as the API takes them: the phone's queue sends this form there.
    category = forms.ModelChoiceField(
        IncidentCategory.objects.filter(is_active=True), to_field_name="code", label=gettext_lazy("Kategori")
    )
    severity = forms.TypedChoiceField(
        coerce=int,
        choices=[
            (1, gettext_lazy("1 — ringan")),
            (2, gettext_lazy("2 — sedang")),
            (3, gettext_lazy("3 — berat")),
        ],
        label=gettext_lazy("Tingkat"),
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, label=gettext_lazy("Uraian")
    )
    photos = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        label=gettext_lazy("Foto (opsional)"),
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = permissions.visible_kecamatan_ids(user)
        villages = VillageElection.objects.select_related("desa").order_by("desa__name")
        if ids is not None:
            officer = permissions.officer_of(user)
            posted = Assignment.objects.filter(officer=officer).values("village_election") if officer else []
            villages = villages.filter(desa__kecamatan_id__in=ids) | villages.filter(pk__in=posted)
        self.fields["village_election"].queryset = villages.distinct()


@allowed(permissions.can_use_field_pages)
def incident_create(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"idempotency_key": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            photos = [
                process_photo(
                    f, max_bytes=settings.INCIDENT_PHOTO_MAX_BYTES, max_side=settings.INCIDENT_PHOTO_MAX_SIDE
                )
                for f in request.FILES.getlist("photos")
            ]
            incident, _created = incident_services.incident_report(
                operation=data["operation"],
                village_election=data["village_election"],
                category=data["category"],
                severity=data["severity"],
                description=data["description"],
                photos=photos,
                source=Incident.Source.POSKO if permissions.is_hq(request.user) else Incident.Source.FIELD,
                by=request.user,
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except KeyReused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Kejadian #%(id)d terkirim ke Posko.") % {"id": incident.pk})
            return redirect("field-home")
    return render(request, "election_day/incident_form.html", {"form": form})


@allowed(permissions.can_see_board)
def board_latest(request: HttpRequest) -> HttpResponse:
    return to_latest_operation(request, "posko-board")


@allowed(permissions.can_see_board)
def board(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = get_object_or_404(Operation, pk=operation_id)
    # The deployment board's map of the operation's villages; the board's script recolours it by
    # progress and open incidents on every poll (dashboard-map.js, data-mode="progress").
    map_data, map_missing = board_map_data(operation=operation)
    return render(
        request,
        "election_day/board.html",
        {
            "operation": operation,
            "can_triage": permissions.can_triage(request.user),
            "poll_ms": 4000,
            "map_data": map_data,
            "map_missing": map_missing,
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


@allowed(permissions.can_see_board)
def lapsit(request: HttpRequest, operation_id: int) -> HttpResponse:
    """The Lapsit to copy into a chat group (the final report once the operation is closed)."""
    operation = get_object_or_404(Operation, pk=operation_id)
    final = LapsitSnapshot.objects.filter(operation=operation, kind=LapsitSnapshot.Kind.FINAL).first()
    data = final.data if final is not None else selectors.lapsit_data(operation=operation)
    return render(
        request,
        "election_day/lapsit.html",
        {
            "operation": operation,
            "text": lapsit_text(data),
            "final": final,
            "can_close": permissions.can_triage(request.user) and operation.status != Operation.Status.CLOSED,
        },
    )


@require_POST
@allowed(permissions.can_triage)
def operation_close(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = get_object_or_404(Operation, pk=operation_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Centang konfirmasi untuk menutup operasi."))
        return redirect("lapsit", operation_id=operation.pk)
    try:
        lapsit_services.operation_close(operation=operation, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        done = _("Operasi %(name)s ditutup; laporan akhir dibuat.") % {"name": operation.name}
        messages.success(request, done)
    return redirect("lapsit", operation_id=operation.pk)
