from coordination.models.actions import Action, ActionUpdate
from coordination.models.indicators import Indicator, IndicatorReading, TrackedIndicator
from coordination.models.outbox import SituationChange
from coordination.models.signoffs import SignoffKind, SignoffRequest, SignoffStatus
from coordination.models.situations import Government, PartnerAssignment, Situation
from coordination.models.windows import RiskWindow

__all__ = [
    "Action",
    "ActionUpdate",
    "Government",
    "Indicator",
    "IndicatorReading",
    "PartnerAssignment",
    "RiskWindow",
    "SignoffKind",
    "SignoffRequest",
    "SignoffStatus",
    "Situation",
    "SituationChange",
    "TrackedIndicator",
]
