"""operations.naming: one rule for how people and choices are named, in the active language."""

from django.utils import translation

from operations.models import Duty
from operations.naming import choice_label, officer_name
from operations.ranks import Pangkat


def test_a_choice_is_named_in_the_language_active_at_each_call():
    # Translated once per language and kept: a label kept without its language would come back
    # in English after an English request, on the next Indonesian one.
    for language, guard, escort in (
        ("id", "Pengamanan desa (TPS)", "Pam melekat calon"),
        ("en", "Village security (polling stations)", "Candidate close escort"),
        ("id", "Pengamanan desa (TPS)", "Pam melekat calon"),
    ):
        with translation.override(language):
            assert choice_label(Duty, Duty.VILLAGE_GUARD) == guard
            assert choice_label(Duty, Duty.CLOSE_ESCORT) == escort


def test_an_unknown_value_is_shown_as_it_is():
    assert choice_label(Duty, "hilang") == "hilang"
    assert officer_name("XYZ", "Budi") == "XYZ Budi"
    assert officer_name(Pangkat.AKBP, "Budi Santoso") == f"{Pangkat.AKBP.label} Budi Santoso"
