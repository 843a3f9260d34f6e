"""Forms for risk reports, their review, the level override and the ranking filters.

The report form builds one field per active indicator from the catalogue, so a new indicator
needs no code; it parses input into the service's AnswerData and nothing more.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from operations.models import RiskIndicator, RiskLevel, Unit
from operations.services.reports import AnswerData
from villages.models import Kecamatan, VillageElection

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic", ".pdf"}


def validate_attachment(file) -> None:
    if Path(file.name).suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ValidationError(_("Lampiran harus berupa foto (JPG, PNG, WEBP, HEIC) atau PDF."))
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("Lampiran maksimal 5 MB."))


class VillageElectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: VillageElection) -> str:
        return f"{obj.desa.name} — {obj.desa.kecamatan.name} ({obj.election.name})"


YES, NO, UNKNOWN = "yes", "no", "unknown"
UNKNOWN_LABEL = _("Tidak diketahui")
REQUIRED_TO_SUBMIT = _("Wajib diisi sebelum diajukan; pilih “Tidak diketahui” bila tidak tahu.")


class RiskReportForm(forms.Form):
    """One field per active indicator: yes/no/unknown for yes/no indicators, a number and an
    "unknown" box for number indicators. A draft may leave any of them empty; submitting
    (``submitting=True``) needs every one answered, and names each one left empty."""

    village_election = VillageElectionChoiceField(
        label=_("Desa"), queryset=VillageElection.objects.none(), empty_label=_("— pilih desa —")
    )
    narrative = forms.CharField(
        label=_("Uraian situasi"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Sent by the field app's queue with a submission, not typed: the phone's time of "Ajukan".
    client_time = forms.DateTimeField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("Waktu di ponsel tidak terbaca (format ISO 8601).")},
    )

    def __init__(
        self,
        *args,
        village_elections,
        indicators: list[RiskIndicator],
        fixed_village: bool = False,
        submitting: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.submitting = submitting
        self.fields["village_election"].queryset = village_elections
        if fixed_village:
            self.fields["village_election"].disabled = True
        if not self.is_bound and "idempotency_key" not in self.initial:
            self.initial["idempotency_key"] = uuid.uuid4()
        for indicator in indicators:
            if indicator.kind == RiskIndicator.Kind.BOOLEAN:
                field = forms.ChoiceField(
                    label=indicator.label,
                    required=False,
                    choices=[(YES, _("Ya")), (NO, _("Tidak")), (UNKNOWN, UNKNOWN_LABEL)],
                    widget=forms.RadioSelect,
                )
            else:
                label = (
                    f"{indicator.label} ({indicator.unit_label})" if indicator.unit_label else indicator.label
                )
                field = forms.DecimalField(
                    label=label,
                    required=False,
                    max_digits=10,
                    decimal_places=2,
                    validators=[MinValueValidator(0)],
                )
                self.fields[self.unknown_name(indicator)] = forms.BooleanField(
                    label=UNKNOWN_LABEL, required=False
                )
            field.help_text = indicator.help_text
            self.fields[self.value_name(indicator)] = field
            self.fields[f"evidence_{indicator.code}"] = forms.CharField(
                label=_("Keterangan/bukti"), required=False, max_length=500
            )
            self.fields[f"attachment_{indicator.code}"] = forms.FileField(
                label=_("Foto/dokumen"), required=False, validators=[validate_attachment]
            )

    @staticmethod
    def value_name(indicator: RiskIndicator) -> str:
        return f"value_{indicator.code}"

    @staticmethod
    def unknown_name(indicator: RiskIndicator) -> str:
        return f"unknown_{indicator.code}"

    def indicator_rows(self):
        """(value, unknown box or None, evidence, attachment) bound fields per indicator, for the template."""
        return [
            (
                self[self.value_name(i)],
                self[self.unknown_name(i)] if self.unknown_name(i) in self.fields else None,
                self[f"evidence_{i.code}"],
                self[f"attachment_{i.code}"],
            )
            for i in self.indicators
        ]

    def clean(self):
        data = super().clean()
        for indicator in self.indicators:
            name = self.value_name(indicator)
            if name in self.errors:
                continue
            value, unknown = data.get(name), data.get(self.unknown_name(indicator), False)
            if unknown and value is not None:
                self.add_error(name, _("Isi angka atau centang “Tidak diketahui”, bukan keduanya."))
            elif self.submitting and value in (None, "") and not unknown:
                self.add_error(name, REQUIRED_TO_SUBMIT)
        return data

    def answers(self) -> list[AnswerData]:
        data = self.cleaned_data
        result = []
        for indicator in self.indicators:
            value = data.get(self.value_name(indicator))
            if indicator.kind == RiskIndicator.Kind.BOOLEAN:
                flag = {YES: True, NO: False}.get(value)
                number, unknown = None, value == UNKNOWN
            else:
                flag, number = None, value
                unknown = bool(data.get(self.unknown_name(indicator)))
            result.append(
                AnswerData(
                    indicator_id=indicator.pk,
                    indicator=indicator,
                    flag=flag,
                    number=number,
                    unknown=unknown,
                    evidence=data.get(f"evidence_{indicator.code}", ""),
                    attachment=data.get(f"attachment_{indicator.code}"),
                )
            )
        return result

    @staticmethod
    def initial_from(report) -> dict:
        initial = {"village_election": report.village_election_id, "narrative": report.narrative}
        for answer in report.answers.all():
            code = answer.indicator.code
            if answer.indicator.kind == RiskIndicator.Kind.BOOLEAN:
                value = UNKNOWN if answer.unknown else {True: YES, False: NO}.get(answer.flag, "")
            else:
                value = answer.number
                initial[f"unknown_{code}"] = answer.unknown
            initial[f"value_{code}"] = value
            initial[f"evidence_{code}"] = answer.evidence
        return initial


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan dikembalikan"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class OverrideForm(forms.Form):
    level = forms.TypedChoiceField(label=_("Tingkat ditetapkan"), choices=RiskLevel.choices, coerce=int)
    reason = forms.CharField(
        label=_("Alasan tertulis"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RankingFilterForm(forms.Form):
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=Kecamatan.objects.none(), required=False, empty_label=_("Semua")
    )
    polsek = forms.ModelChoiceField(
        label=_("Polsek"), queryset=Unit.objects.none(), required=False, empty_label=_("Semua")
    )
    level = forms.TypedChoiceField(
        label=_("Tingkat"),
        choices=[("", _("Semua")), *RiskLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, kecamatan_queryset, polsek_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].queryset = kecamatan_queryset
        self.fields["polsek"].queryset = polsek_queryset

    def filters(self) -> dict:
        """Selector keyword arguments; invalid filters are dropped (the form shows their errors)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "kecamatan_id": data["kecamatan"].pk if data.get("kecamatan") else None,
            "polsek_id": data["polsek"].pk if data.get("polsek") else None,
            "level": data.get("level"),
        }
