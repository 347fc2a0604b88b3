from django.db import models
from django.utils.translation import gettext_lazy as _


class SituationStatus(models.TextChoices):
    MONITORING = "monitoring", _("Monitoring")
    ACTIVE = "active", _("Active")
    DE_ESCALATING = "de_escalating", _("De-escalating")
    CLOSED = "closed", _("Closed")


# The statuses of a situation still being worked on: the ones situation_update may move
# between. Into and out of "closed" only coordination/closing.py moves it.
OPEN_SITUATION_STATUSES = (SituationStatus.MONITORING, SituationStatus.ACTIVE, SituationStatus.DE_ESCALATING)


class SituationOutcome(models.TextChoices):
    """Why a situation was closed: a fixed vocabulary, so the partners' record of what
    became of their warnings can be counted, not only read."""

    RISK_RECEDED = "risk_receded", _("Risk receded")
    ATROCITIES_OCCURRED = "atrocities_occurred", _("Atrocities occurred")
    MERGED = "merged", _("Merged into another situation")
    HANDED_OVER = "handed_over", _("Monitoring handed over")
    OTHER = "other", _("Other")


class RiskWindowKind(models.TextChoices):
    """Triggering factors of the UN Framework of Analysis (risk factor 8) that come with
    a date known in advance."""

    ELECTION = "election", _("Election")
    CENSUS = "census", _("Census")
    COMMEMORATION = "commemoration", _("Commemoration of past crimes")
    VERDICT = "verdict", _("Court verdict")
    ANNIVERSARY = "anniversary", _("Anniversary")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")
    VERY_HIGH = "very_high", _("Very high")
    CRITICAL = "critical", _("Critical")


# Text values keep the API readable; this rank is what "raised" and sorting compare.
RISK_RANK = {level: rank for rank, level in enumerate(RiskLevel.values, start=1)}


class Marking(models.TextChoices):
    """Traffic Light Protocol 2.0; who among the partners may see a situation. The
    labels are the official ones, never translated: they are what travels."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber_strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"

    @classmethod
    def tlp(cls, value: str) -> str:
        """The label every e-mail, webhook payload, notification, CSV row and printed
        page about a situation carries ("red" → "TLP:RED")."""
        return cls(value).label

    @classmethod
    def strictest(cls, values) -> str | None:
        """The most restrictive of several markings (a message about several situations
        carries it), or None for none."""
        ranked = [cls(v) for v in values]
        return max(ranked, key=MARKING_RANK.__getitem__) if ranked else None


# From the widest sharing to the narrowest: the one ordering of strictness (the digest's
# strictest marking, the sign-off rule on lowering one).
MARKING_ORDER = [Marking.CLEAR, Marking.GREEN, Marking.AMBER, Marking.AMBER_STRICT, Marking.RED]
MARKING_RANK = {marking: rank for rank, marking in enumerate(MARKING_ORDER, start=1)}


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    SUPPORT = "support", _("Support")
    OBSERVER = "observer", _("Observer")


class RiskFactor(models.IntegerChoices):
    """UN Framework of Analysis for Atrocity Crimes (2014): 8 common, 6 specific."""

    ARMED_CONFLICT = 1, _("1 · Situations of armed conflict or other instability")
    RECORD_OF_VIOLATIONS = 2, _("2 · Record of serious violations of human rights and humanitarian law")
    WEAK_STATE_STRUCTURES = 3, _("3 · Weakness of State structures")
    MOTIVES = 4, _("4 · Motives or incentives")
    CAPACITY = 5, _("5 · Capacity to commit atrocity crimes")
    NO_MITIGATING_FACTORS = 6, _("6 · Absence of mitigating factors")
    ENABLING_CIRCUMSTANCES = 7, _("7 · Enabling circumstances or preparatory action")
    TRIGGERING_FACTORS = 8, _("8 · Triggering factors")
    INTERGROUP_TENSIONS = 9, _("9 · Intergroup tensions or discrimination against protected groups (genocide)")
    INTENT_TO_DESTROY = 10, _("10 · Signs of an intent to destroy a protected group (genocide)")
    WIDESPREAD_ATTACK = 11, _("11 · Signs of a widespread or systematic attack on civilians (crimes against humanity)")
    PLAN_OR_POLICY = 12, _("12 · Signs of a plan or policy to attack civilians (crimes against humanity)")
    THREATS_TO_PROTECTED = 13, _("13 · Serious threats to those protected under IHL (war crimes)")
    THREATS_TO_OPERATIONS = 14, _("14 · Serious threats to humanitarian or peacekeeping operations (war crimes)")


class ValueKind(models.TextChoices):
    BOOLEAN = "boolean", _("Observed yes/no (0 or 1)")
    ORDINAL = "ordinal", _("Ordinal 0–3 (absent, low, medium, high)")
    NUMERIC = "numeric", _("Numeric")


class Direction(models.TextChoices):
    HIGHER_IS_WORSE = "higher", _("Higher is worse")
    LOWER_IS_WORSE = "lower", _("Lower is worse")


class ActionKind(models.TextChoices):
    DEMARCHE = "demarche", _("Démarche")
    PUBLIC_STATEMENT = "public_statement", _("Public statement")
    TARGETED_SANCTIONS = "targeted_sanctions", _("Targeted sanctions")
    ENVOY_OR_MEDIATION = "envoy_mediation", _("Envoy or mediation")
    AID_CONDITIONALITY = "aid_conditionality", _("Aid conditionality")
    MONITORING_MISSION = "monitoring_mission", _("Fact-finding or monitoring mission")
    ACCOUNTABILITY_REFERRAL = "accountability_referral", _("Referral to an accountability mechanism")
    PROTECTION_SUPPORT = "protection_support", _("Protection support")
    OTHER = "other", _("Other")


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (
    ActionStatus.PROPOSED,
    ActionStatus.AGREED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.BLOCKED,
)

# The whole workflow; coordination.services refuses anything not listed here.
ACTION_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ActionStatus.PROPOSED: (ActionStatus.AGREED, ActionStatus.CANCELLED),
    ActionStatus.AGREED: (ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED, ActionStatus.CANCELLED),
    ActionStatus.IN_PROGRESS: (ActionStatus.COMPLETED, ActionStatus.BLOCKED, ActionStatus.CANCELLED),
    ActionStatus.BLOCKED: (ActionStatus.IN_PROGRESS, ActionStatus.CANCELLED),
    ActionStatus.COMPLETED: (),
    ActionStatus.CANCELLED: (),
}


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CommitmentStatus(models.TextChoices):
    """One government's part in a joint action."""

    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DELIVERED = "delivered", _("Delivered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# coordination/commitments.py refuses anything not listed here. Declining needs a reason.
COMMITMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CommitmentStatus.INVITED: (CommitmentStatus.ACCEPTED, CommitmentStatus.DECLINED, CommitmentStatus.WITHDRAWN),
    CommitmentStatus.ACCEPTED: (CommitmentStatus.DELIVERED, CommitmentStatus.WITHDRAWN),
    CommitmentStatus.DECLINED: (),
    CommitmentStatus.DELIVERED: (),
    CommitmentStatus.WITHDRAWN: (),
}
# Commitments still owed: they keep a joint action from being done (coordination/joint.py).
PENDING_COMMITMENT_STATUSES = (CommitmentStatus.INVITED, CommitmentStatus.ACCEPTED)
