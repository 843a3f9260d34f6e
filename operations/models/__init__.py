from operations.models.command import Capability, Position
from operations.models.deployment import (
    VILLAGE_DUTIES,
    AllocationProposal,
    Assignment,
    Duty,
    ProposalItem,
    Stage,
)
from operations.models.levels import RiskLevel
from operations.models.operation import BkoContingent, Operation, VillageStanding
from operations.models.organisation import Jurisdiction, Officer, OfficerQuerySet, Unit, nrp_validator
from operations.models.risk import (
    LevelThreshold,
    PatternSet,
    RiskIndicator,
    RiskReport,
    RiskReportAnswer,
    RiskReportTransition,
    SecurityPattern,
    VillageRisk,
)
from operations.models.tokens import PersonToken

__all__ = [
    "VILLAGE_DUTIES",
    "AllocationProposal",
    "Assignment",
    "BkoContingent",
    "Capability",
    "Duty",
    "Jurisdiction",
    "LevelThreshold",
    "Officer",
    "OfficerQuerySet",
    "Operation",
    "PatternSet",
    "PersonToken",
    "Position",
    "ProposalItem",
    "RiskIndicator",
    "RiskLevel",
    "RiskReport",
    "RiskReportAnswer",
    "RiskReportTransition",
    "SecurityPattern",
    "Stage",
    "Unit",
    "VillageRisk",
    "VillageStanding",
    "nrp_validator",
]
