"""Forms of the deployment board: parse input for the assignment and proposal services, nothing more."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from operations.models import VILLAGE_DUTIES, Duty, Officer, RiskLevel, Unit, VillageStanding
from operations.ranks import Pangkat
from villages.models import Candidate, Kecamatan


class OfficerSearchForm(forms.Form):
    q = forms.CharField(label=_("Nama atau NRP"), required=False, max_length=150)
    unit = forms.ModelChoiceField(
        label=_("Satuan"), queryset=Unit.objects.order_by("kind", "name"), required=False
    )
    rank = forms.TypedChoiceField(
        label=_("Pangkat"),
        choices=[("", "—"), *Pangkat.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        unit = data.get("unit")
        return {
            "search": (data.get("q") or "").strip(),
            "unit_id": unit.pk if unit else None,
            "rank": data.get("rank"),
        }


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari personel (nama atau NRP)"), required=False, max_length=150)
    polsek = forms.ModelChoiceField(
        label=_("Polsek"), queryset=Unit.objects.none(), required=False, empty_label=_("Semua")
    )
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=Kecamatan.objects.none(), required=False, empty_label=_("Semua")
    )
    level = forms.TypedChoiceField(
        label=_("Tingkat"),
        choices=[("", _("Semua")), *RiskLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, operation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["polsek"].queryset = Unit.objects.filter(kind=Unit.Kind.POLSEK).order_by("name")
        kecamatan = Kecamatan.objects.order_by("name")
        if operation is not None:
            kecamatan = kecamatan.filter(
                pk__in=VillageStanding.objects.filter(operation=operation).values("kecamatan_id")
            )
        self.fields["kecamatan"].queryset = kecamatan

    def board_filters(self) -> dict:
        """The deployment_board selector's keywords; an invalid field filters nothing, the rest still do."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": (data.get("q") or "").strip(),
            "polsek_id": data["polsek"].pk if data.get("polsek") else None,
            "kecamatan_id": data["kecamatan"].pk if data.get("kecamatan") else None,
            "level": data.get("level"),
        }


class AssignmentForm(forms.Form):
    """Post one officer to one village; the service decides whether the posting is allowed."""

    officer = forms.ModelChoiceField(
        label=_("Personel"),
        queryset=Officer.objects.select_related("unit"),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Personel tidak ditemukan.")},
    )
    duty = forms.ChoiceField(
        label=_("Tugas"),
        choices=[(duty.value, duty.label) for duty in VILLAGE_DUTIES],
        initial=Duty.VILLAGE_GUARD,
    )
    candidate = forms.ModelChoiceField(
        label=_("Calon dikawal"), queryset=Candidate.objects.none(), required=False
    )
    note = forms.CharField(label=_("Catatan"), max_length=250, required=False)
    command_reason = forms.CharField(
        label=_("Alasan penugasan pimpinan"),
        max_length=250,
        required=False,
        help_text=_("Wajib bila pimpinan, Kapolsek/Wakapolsek atau staf posko ditugaskan di desa."),
    )

    def __init__(self, *args, village_election, **kwargs):
        super().__init__(*args, **kwargs)
        self.village_election = village_election
        self.fields["candidate"].queryset = Candidate.objects.filter(village_election=village_election)

    def add_service_errors(self, exc: ValidationError) -> None:
        """Service errors keyed by a field of this form go there; the rest (desa) on top."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for field, messages in errors.items():
            self.add_error(field if field in self.fields else None, messages)


class TeamLeaderForm(forms.Form):
    officer = forms.ModelChoiceField(
        label=_("Ketua tim"),
        queryset=Officer.objects.none(),
        required=False,
        empty_label=_("— otomatis: pangkat tertinggi —"),
    )

    def __init__(self, *args, team_officer_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = Officer.objects.filter(pk__in=team_officer_ids)


class ProposalForm(forms.Form):
    exclude_bko = forms.BooleanField(
        label=_("Tanpa personel BKO (lihat kekurangan bila BKO ditarik)"), required=False
    )
