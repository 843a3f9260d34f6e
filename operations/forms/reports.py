"""Forms for risk reports, their review, the level override and the ranking filters.

The report form builds one field per active indicator from the catalogue, so a new indicator
needs no code; it parses input into the service's AnswerData and nothing more.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from operations.models import RiskIndicator, RiskLevel, Unit
from operations.selectors.report_facts import FACT_CODES, FACT_LABELS, KnownFact
from operations.services.reports import AnswerData, facts_contradicted
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

# The catalogue's indicators under a few headings, so the phone form reads as three short lists.
# An indicator added in the admin and named nowhere here lands under "Lainnya".
INDICATOR_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    (
        _("Calon dan persaingan"),
        ("former_head_strong_rival", "split_camps", "lost_candidate_again", "eligibility_dispute"),
    ),
    (
        _("Keamanan dan ketertiban"),
        ("conflict_history", "ormas_mobilisation", "neutrality_pressure", "crime_reports"),
    ),
    (_("Jangkauan"), ("travel_minutes", "sea_crossing")),
]
OTHER_GROUP = _("Lainnya")


class RiskReportForm(forms.Form):
    """One field per active indicator: yes/no/unknown for yes/no indicators, a number and an
    "unknown" box for number indicators. A draft may leave any of them empty; submitting
    (``submitting=True``) needs every one answered, and names each one left empty.

    The indicators that are facts of the village election (``operations.selectors.report_facts``)
    are answered from the record when left empty; their fields are corrections, each with a note
    that a disagreeing correction needs. Evidence is one file for the report, filed under the
    indicator it supports (``attachment_for``).
    """

    village_election = VillageElectionChoiceField(
        label=_("Desa"), queryset=VillageElection.objects.none(), empty_label=_("— pilih desa —")
    )
    narrative = forms.CharField(
        label=_("Uraian situasi"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    attachment = forms.FileField(
        label=_("Foto/dokumen bukti"), required=False, validators=[validate_attachment]
    )
    attachment_for = forms.ChoiceField(label=_("Bukti untuk indikator"), required=False)
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
        facts: dict[int, dict[str, KnownFact]] | None = None,
        fixed_village: bool = False,
        submitting: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        self.facts = facts or {}
        self.submitting = submitting
        self.fields["village_election"].queryset = village_elections
        if fixed_village:
            self.fields["village_election"].disabled = True
        if not self.is_bound and "idempotency_key" not in self.initial:
            self.initial["idempotency_key"] = uuid.uuid4()
        self.fields["attachment_for"].choices = [("", _("— pilih indikator —"))] + [
            (i.code, i.label) for i in indicators
        ]
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
                    widget=forms.NumberInput(attrs={"inputmode": "decimal"}),
                )
                self.fields[self.unknown_name(indicator)] = forms.BooleanField(
                    label=UNKNOWN_LABEL, required=False
                )
            field.help_text = indicator.help_text
            self.fields[self.value_name(indicator)] = field
            if indicator.code in FACT_CODES:
                self.fields[self.note_name(indicator)] = forms.CharField(
                    label=_("Alasan koreksi"), required=False, max_length=500
                )

    @staticmethod
    def value_name(indicator: RiskIndicator) -> str:
        return RiskReportForm.value_name_of(indicator.code)

    @staticmethod
    def value_name_of(code: str) -> str:
        """The field of an indicator's answer, where the services' errors keyed by its code go."""
        return f"value_{code}"

    @staticmethod
    def unknown_name(indicator: RiskIndicator) -> str:
        return f"unknown_{indicator.code}"

    @staticmethod
    def note_name(indicator: RiskIndicator) -> str:
        """A correction's note, kept as the answer's evidence text (the reviewer reads it there)."""
        return f"evidence_{indicator.code}"

    def _row(self, indicator: RiskIndicator) -> dict:
        unknown, note = self.unknown_name(indicator), self.note_name(indicator)
        return {
            "indicator": indicator,
            "value": self[self.value_name(indicator)],
            "unknown": self[unknown] if unknown in self.fields else None,
            "note": self[note] if note in self.fields else None,
        }

    def fact_rows(self) -> list[dict]:
        """The fact indicators with the chosen village's record (None when not recorded)."""
        known = self.facts.get(self._village_id(), {})
        rows = []
        for indicator in self.indicators:
            if indicator.code in FACT_CODES:
                row = self._row(indicator)
                row["fact"] = known.get(indicator.code)
                row["short_label"] = FACT_LABELS[indicator.code]
                row["open"] = bool(row["value"].errors or row["note"].errors)
                rows.append(row)
        return rows

    def facts_open(self) -> bool:
        """The corrections unfolded: one has an error, or the chosen village lacks a fact."""
        rows = self.fact_rows()
        chosen = self._village_id() is not None
        return any(row["open"] or (chosen and row["fact"] is None) for row in rows)

    def groups(self) -> list[tuple[str, list[dict]]]:
        """The other indicators under their headings, in catalogue order within each."""
        heading = {code: title for title, codes in INDICATOR_GROUPS for code in codes}
        titles = [title for title, _codes in INDICATOR_GROUPS] + [OTHER_GROUP]
        grouped: dict[str, list[dict]] = {title: [] for title in titles}
        for indicator in self.indicators:
            if indicator.code not in FACT_CODES:
                grouped[heading.get(indicator.code, OTHER_GROUP)].append(self._row(indicator))
        return [(title, rows) for title, rows in grouped.items() if rows]

    def facts_text(self) -> dict[str, dict[str, str]]:
        """Every offered village's facts as text, for the script that follows the village choice."""
        return {
            str(pk): {code: fact.text for code, fact in known.items()} for pk, known in self.facts.items()
        }

    def _village_id(self) -> int | None:
        value = self["village_election"].value()
        if isinstance(value, VillageElection):
            return value.pk
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    def _given(self, indicator: RiskIndicator, data: dict) -> tuple[Decimal | bool | None, bool]:
        """The answer typed for an indicator and its "unknown" mark."""
        value = data.get(self.value_name(indicator))
        if indicator.kind == RiskIndicator.Kind.BOOLEAN:
            return {YES: True, NO: False}.get(value), value == UNKNOWN
        return value, bool(data.get(self.unknown_name(indicator)))

    def _fact(self, indicator: RiskIndicator) -> KnownFact | None:
        village = self.cleaned_data.get("village_election")
        return self.facts.get(village.pk, {}).get(indicator.code) if village else None

    def clean(self):
        data = super().clean()
        if data.get("attachment") and not data.get("attachment_for"):
            self.add_error("attachment_for", _("Pilih indikator yang dibuktikan lampiran ini."))
        for indicator in self.indicators:
            name = self.value_name(indicator)
            if name in self.errors:
                continue
            value, unknown = data.get(name), data.get(self.unknown_name(indicator), False)
            if unknown and value is not None:
                self.add_error(name, _("Isi angka atau centang “Tidak diketahui”, bukan keduanya."))
            elif self._fact(indicator) is None and self.submitting and value in (None, "") and not unknown:
                self.add_error(name, REQUIRED_TO_SUBMIT)
        # The services' rule, on the facts this form already holds: its errors under their fields
        # now, beside the others, rather than after the form is valid (the services check again).
        village = data.get("village_election")
        known = self.facts.get(village.pk, {}) if village else {}
        for code, error in facts_contradicted(known, self.answers()).items():
            if self.value_name_of(code) not in self.errors:
                self.add_error(self.value_name_of(code), error)
        return data

    def answers(self) -> list[AnswerData]:
        data = self.cleaned_data
        result = []
        attachment, attachment_for = data.get("attachment"), data.get("attachment_for")
        for indicator in self.indicators:
            answer, unknown = self._given(indicator, data)
            fact = self._fact(indicator)
            if fact is not None and answer is None and not unknown:
                answer = fact.answer  # left alone: as recorded
            boolean = indicator.kind == RiskIndicator.Kind.BOOLEAN
            if indicator.code in FACT_CODES:
                evidence = data.get(self.note_name(indicator), "")
            else:
                # Notes the form no longer asks for (older reports, the API) stay as they were.
                evidence = self.initial.get(self.note_name(indicator)) or ""
            result.append(
                AnswerData(
                    indicator_id=indicator.pk,
                    indicator=indicator,
                    flag=answer if boolean else None,
                    number=None if boolean else answer,
                    unknown=unknown,
                    evidence=evidence,
                    attachment=attachment if attachment_for == indicator.code else None,
                )
            )
        return result

    @staticmethod
    def initial_from(report, facts: dict[str, KnownFact] | None = None) -> dict:
        """The form's values for a stored report; a fact answered as recorded shows as untouched."""
        facts = facts or {}
        initial = {"village_election": report.village_election_id, "narrative": report.narrative}
        for answer in report.answers.all():
            code = answer.indicator.code
            fact = facts.get(code)
            if answer.indicator.kind == RiskIndicator.Kind.BOOLEAN:
                value = UNKNOWN if answer.unknown else {True: YES, False: NO}.get(answer.flag, "")
                as_recorded = fact is not None and not answer.unknown and answer.flag == fact.answer
            else:
                value = answer.number
                initial[f"unknown_{code}"] = answer.unknown
                as_recorded = fact is not None and not answer.unknown and answer.number == fact.answer
            initial[f"value_{code}"] = "" if as_recorded else value
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
