from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "operations"
    verbose_name = _("Operasi")

    def ready(self) -> None:
        from operations.history import build_history_managers_once
        from operations.services.standings import standings_refresh_places
        from villages.signals import places_renamed

        def copy_renamed_places(sender, *, kecamatan_ids, desa_ids, **kwargs) -> None:
            standings_refresh_places(kecamatan_ids=kecamatan_ids, desa_ids=desa_ids)

        places_renamed.connect(copy_renamed_places, weak=False, dispatch_uid="operations.copy_renamed_places")
        build_history_managers_once(self.get_models())
