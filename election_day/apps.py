from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionDayConfig(AppConfig):
    """Election-day command (Hari-H): check-ins, village progress, incidents, dispatch, the Posko board.

    Executes the plan of ``operations`` (operations, postings, officers); ``operations`` never
    imports this app.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "election_day"
    verbose_name = _("Hari-H")

    def ready(self) -> None:
        from operations.history import build_history_managers_once

        build_history_managers_once(self.get_models())
