"""Reads reused across the API, pages, exports and tasks: already scoped to the user
(coordination/sharing.py) and already joined, so a list costs a constant number of queries."""
from django.db.models import Prefetch, QuerySet

from accounts.models import User
from coordination.models import (
    Action,
    ActionUpdate,
    Commitment,
    CommitmentUpdate,
    Government,
    Indicator,
    IndicatorReading,
    PartnerAssignment,
    RiskWindow,
    Situation,
    SituationNote,
    TrackedIndicator,
)
from coordination.sharing import visible_situation_q


def _liaisons() -> QuerySet[User]:
    return User.objects.select_related("government").order_by("username")


def situation_list(*, user) -> QuerySet[Situation]:
    return (
        Situation.objects.filter(visible_situation_q(user))
        .select_related("lead_officer", "merged_into", "closed_by")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=PartnerAssignment.objects.select_related("government").order_by("government__name")
                .prefetch_related(Prefetch("liaisons", queryset=_liaisons())),
            ),
            Prefetch("named_liaisons", queryset=_liaisons()),
        )
    )


def situation_get(*, user, situation_id: int) -> Situation:
    """Raises Situation.DoesNotExist for a situation out of the user's scope, exactly as
    for one that does not exist: callers answer 404 either way."""
    return situation_list(user=user).get(pk=situation_id)


def assignment_list(*, user) -> QuerySet[PartnerAssignment]:
    return (PartnerAssignment.objects.filter(visible_situation_q(user, prefix="situation__"))
            .select_related("situation", "government").prefetch_related(Prefetch("liaisons", queryset=_liaisons())))


def tracked_indicator_list(*, user, situation_id: int | None = None) -> QuerySet[TrackedIndicator]:
    qs = TrackedIndicator.objects.filter(visible_situation_q(user, prefix="situation__")).select_related("indicator")
    return qs if situation_id is None else qs.filter(situation_id=situation_id)


def risk_window_list(*, user, situation_id: int | None = None) -> QuerySet[RiskWindow]:
    """A liaison sees the windows of the situations they may see, as everything else of them."""
    qs = (RiskWindow.objects.filter(visible_situation_q(user, prefix="situation__"))
          .select_related("created_by").prefetch_related("indicators"))
    return qs if situation_id is None else qs.filter(situation_id=situation_id)


def reading_list(*, user, situation_id: int | None = None) -> QuerySet[IndicatorReading]:
    qs = IndicatorReading.objects.filter(visible_situation_q(user, prefix="situation__")).select_related(
        "indicator", "recorded_by", "assessing_government", "situation"
    )
    return qs if situation_id is None else qs.filter(situation_id=situation_id)


def note_list(*, user, situation_id: int | None = None) -> QuerySet[SituationNote]:
    """A situation's notes are read by whoever sees the situation."""
    qs = SituationNote.objects.filter(visible_situation_q(user, prefix="situation__")).select_related(
        "author", "government", "indicator"
    )
    return qs if situation_id is None else qs.filter(situation_id=situation_id)


def action_list(*, user) -> QuerySet[Action]:
    """With each action's commitments (a joint action's partners), in one more query."""
    return Action.objects.filter(visible_situation_q(user, prefix="situation__")).select_related(
        "situation", "owner_government", "assignee", "created_by"
    ).prefetch_related(Prefetch("commitments", queryset=Commitment.objects.select_related("government", "liaison")
                                .order_by("government__name", "id")))


def commitment_list(*, user, action_id: int | None = None) -> QuerySet[Commitment]:
    """Whoever may see a situation sees every partner's part of its joint actions."""
    qs = Commitment.objects.filter(visible_situation_q(user, prefix="action__situation__")).select_related(
        "action__situation", "action__owner_government", "government", "liaison")
    return qs if action_id is None else qs.filter(action_id=action_id)


def commitment_update_list(*, user, commitment_id: int) -> QuerySet[CommitmentUpdate]:
    return CommitmentUpdate.objects.filter(
        visible_situation_q(user, prefix="commitment__action__situation__"), commitment_id=commitment_id
    ).select_related("author")


def action_update_list(*, user, action_id: int | None = None) -> QuerySet[ActionUpdate]:
    qs = ActionUpdate.objects.filter(visible_situation_q(user, prefix="action__situation__")).select_related(
        "author", "action"
    )
    return qs if action_id is None else qs.filter(action_id=action_id)


def government_list(*, user) -> QuerySet[Government]:
    """Partner governments are not secret among partners: names and codes of the
    coalition are visible to every signed-in user; what they work on is not."""
    if user is None or not user.is_authenticated:
        return Government.objects.none()
    return Government.objects.all()


def indicator_list(*, user) -> QuerySet[Indicator]:
    """The indicator catalogue is reference data, the same for every signed-in user;
    which situation tracks what, and the readings, are scoped (above)."""
    if user is None or not user.is_authenticated:
        return Indicator.objects.none()
    return Indicator.objects.all()
