from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.IntegerChoices):
    """Kerawanan levels; the value orders them (a higher value is riskier)."""

    AMAN = 1, _("Aman")
    RAWAN = 2, _("Rawan")
    SANGAT_RAWAN = 3, _("Sangat Rawan")
