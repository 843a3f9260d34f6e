"""The incident catalogue as first seeded (staff edit it afterwards; a seed never overwrites an edit)."""

# (code, name, after_vote): disputes and protests over results are tracked after the count too.
CATEGORIES = [
    ("keributan", "Keributan/bentrok", False),
    ("intimidasi", "Intimidasi", False),
    ("politik-uang", "Politik uang", False),
    ("perusakan", "Perusakan", False),
    ("unjuk-rasa", "Unjuk rasa", True),
    ("sengketa-hasil", "Sengketa hasil", True),
    ("bencana-cuaca", "Bencana/cuaca", False),
    ("logistik", "Logistik", False),
    ("lainnya", "Lainnya", False),
]


def seed_incident_categories(apps, schema_editor=None) -> None:
    category = apps.get_model("election_day", "IncidentCategory")
    for order, (code, name, after_vote) in enumerate(CATEGORIES, start=1):
        category.objects.get_or_create(
            code=code, defaults={"name": name, "after_vote": after_vote, "sort_order": order}
        )
