from operations.admin import deployment, organisation, risk, tokens
from operations.permissions import jurisdiction_kecamatan_ids
from villages.admin import set_kecamatan_scope

set_kecamatan_scope(jurisdiction_kecamatan_ids)

__all__ = ["deployment", "organisation", "risk", "tokens"]
