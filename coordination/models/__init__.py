from coordination.models.actions import Action, ActionUpdate
from coordination.models.checkins import CheckIn, CheckInAnswer
from coordination.models.commitments import Commitment, CommitmentUpdate
from coordination.models.indicators import Indicator, IndicatorReading, TrackedIndicator
from coordination.models.notes import SituationNote
from coordination.models.outbox import SituationChange
from coordination.models.signoffs import SignoffKind, SignoffRequest, SignoffStatus
from coordination.models.situations import Government, PartnerAssignment, Situation
from coordination.models.windows import RiskWindow

__all__ = [
    "Action",
    "ActionUpdate",
    "CheckIn",
    "CheckInAnswer",
    "Commitment",
    "CommitmentUpdate",
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
    "SituationNote",
    "TrackedIndicator",
]
