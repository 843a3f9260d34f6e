"""The Polri rank ladder (pangkat). Values order seniority: a higher value outranks a lower one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Pangkat(models.IntegerChoices):
    BHARADA = 10, _("Bharada")
    BHARATU = 11, _("Bharatu")
    BHARAKA = 12, _("Bharaka")
    ABRIPDA = 13, _("Abripda")
    ABRIPTU = 14, _("Abriptu")
    ABRIP = 15, _("Abrip")
    BRIPDA = 20, _("Bripda")
    BRIPTU = 21, _("Briptu")
    BRIGPOL = 22, _("Brigpol")
    BRIPKA = 23, _("Bripka")
    AIPDA = 24, _("Aipda")
    AIPTU = 25, _("Aiptu")
    IPDA = 30, _("Ipda")
    IPTU = 31, _("Iptu")
    AKP = 32, _("AKP")
    KOMPOL = 40, _("Kompol")
    AKBP = 41, _("AKBP")
    KOMBES_POL = 42, _("Kombes Pol")
    BRIGJEN_POL = 50, _("Brigjen Pol")
    IRJEN_POL = 51, _("Irjen Pol")
    KOMJEN_POL = 52, _("Komjen Pol")
    JENDERAL_POL = 53, _("Jenderal Pol")
