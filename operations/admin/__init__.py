from django.contrib import admin

from operations.admin import deployment, organisation, risk, tokens
from operations.forms.login import AdminLoginForm
from operations.permissions import jurisdiction_kecamatan_ids
from villages.admin import set_kecamatan_scope

set_kecamatan_scope(jurisdiction_kecamatan_ids)
admin.site.login_form = AdminLoginForm

__all__ = ["deployment", "organisation", "risk", "tokens"]
