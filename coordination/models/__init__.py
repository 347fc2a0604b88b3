from coordination.models.actions import Action, ActionUpdate
from coordination.models.indicators import Indicator, IndicatorReading, TrackedIndicator
from coordination.models.outbox import SituationChange
from coordination.models.situations import Government, PartnerAssignment, Situation

__all__ = [
    "Action",
    "ActionUpdate",
    "Government",
    "Indicator",
    "IndicatorReading",
    "PartnerAssignment",
    "Situation",
    "SituationChange",
    "TrackedIndicator",
]
