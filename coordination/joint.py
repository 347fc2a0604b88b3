"""When a joint action is done: the one place that says it.

An action with commitments is joint. It is done when every accepted commitment is
delivered and no invitation is still unanswered; declined and withdrawn commitments do
not hold it back. The lead's own commitment is accepted from the start, so a joint
action is never done before the lead has delivered its part.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from coordination.choices import CommitmentStatus
from coordination.models import Commitment


def not_done_reason(action_id: int) -> str | None:
    """None when the action is not joint or is done; else why it is not done yet."""
    return not_done_reason_for(Commitment.objects.filter(action_id=action_id).values_list("status", flat=True))


def not_done_reason_for(statuses) -> str | None:
    """The rule itself, on the statuses of an action's commitments: lists read them from
    their prefetched commitments instead of one query per action."""
    statuses = list(statuses)
    if not statuses:
        return None
    invited = statuses.count(CommitmentStatus.INVITED)
    accepted = statuses.count(CommitmentStatus.ACCEPTED)
    if invited or accepted:
        return _("A joint action is done when every accepted commitment is delivered: %(accepted)d accepted "
                 "not delivered yet, %(invited)d invitation(s) unanswered.") % {"accepted": accepted,
                                                                               "invited": invited}
    if CommitmentStatus.DELIVERED not in statuses:
        return _("No government has delivered its commitment to this joint action.")
    return None


def is_done(action_id: int) -> bool:
    return not_done_reason(action_id) is None and Commitment.objects.filter(action_id=action_id).exists()
