from coordination.models.actions import Action, ActionUpdate
from coordination.models.commitments import Commitment, CommitmentUpdate
from coordination.models.indicators import Indicator, IndicatorReading, TrackedIndicator
from coordination.models.outbox import SituationChange
from coordination.models.situations import Government, PartnerAssignment, Situation
from coordination.models.windows import RiskWindow

__all__ = [
    "Action",
    "ActionUpdate",
    "Commitment",
    "CommitmentUpdate",
    "Government",
    "Indicator",
    "IndicatorReading",
    "PartnerAssignment",
    "RiskWindow",
    "Situation",
    "SituationChange",
    "TrackedIndicator",
]
