from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from operations.admin import command, deployment, organisation, risk, tokens
from operations.forms.login import AdminLoginForm
from operations.permissions import jurisdiction_kecamatan_ids
from villages.admin import set_kecamatan_scope

set_kecamatan_scope(jurisdiction_kecamatan_ids)
admin.site.login_form = AdminLoginForm
admin.site.site_header = _("Pilkades Ops — Administrasi")
admin.site.site_title = _("Pilkades Ops — Administrasi")
admin.site.index_title = _("Administrasi")

__all__ = ["command", "deployment", "organisation", "risk", "tokens"]
