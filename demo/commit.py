"""The demo's joint démarche: four governments on Sunmere, each at its own stage — the
lead (Dalmerre) still owing its part, the Lakes Partnership delivered, Aldoria not yet
answered, Brevania declined with its reason. Made through the services as the people
would; found by its title on a second run, and then left as it is."""
import datetime as dt

from django.db.models import Max
from django.utils import timezone

from coordination import commitments, services
from coordination.choices import ActionKind, ActionStatus, Priority
from coordination.models import Action, ActionUpdate, Commitment, CommitmentUpdate, Government, Situation

SITUATION = ("XD", "Sunmere: aid agencies expelled from the delta")
TITLE = "Joint démarche on the expulsion of relief agencies"
LEAD, DELIVERED, INVITED, DECLINED = "XDM", "XLP", "XAL", "XBV"
DECLINE_REASON = "Our ambassador is recalled for consultations; we support the text but cannot deliver it."


def _marks(action: Action) -> tuple[int, int, int]:
    return (ActionUpdate.objects.filter(action=action).aggregate(m=Max("pk"))["m"] or 0,
            Action.history.filter(id=action.pk).aggregate(m=Max("history_id"))["m"] or 0,
            CommitmentUpdate.objects.filter(commitment__action=action).aggregate(m=Max("pk"))["m"] or 0)


def _happened(at: dt.datetime, action: Action, marks: tuple[int, int, int], commitment=None, **fields) -> None:
    """What was written since `marks` happened at `at`: the demo's story has a past, and
    its logs agree with it."""
    ActionUpdate.objects.filter(action=action, pk__gt=marks[0]).update(created_at=at)
    Action.history.filter(id=action.pk, history_id__gt=marks[1]).update(history_date=at)
    CommitmentUpdate.objects.filter(commitment__action=action, pk__gt=marks[2]).update(created_at=at)
    if commitment is not None:
        Commitment.objects.filter(pk=commitment.pk).update(last_activity_at=at, **fields)


def ensure_joint_demarche(users: dict) -> Action | None:
    situation = Situation.objects.filter(country_code=SITUATION[0], title=SITUATION[1]).first()
    if situation is None or situation.is_closed:
        return None
    existing = Action.objects.filter(situation=situation, title=TITLE).first()
    if existing is not None:
        return existing
    now = timezone.now()
    day = dt.timedelta(days=1)
    governments = {g.code: g for g in Government.objects.filter(code__in=[LEAD, DELIVERED, INVITED, DECLINED])}
    lead_liaison = users[f"liaison-{LEAD.lower()}"]
    # Proposed by the lead's liaison, agreed by the desk: a partner's proposal is never
    # agreed by its proposer.
    action = commitments.joint_action_propose(
        actor=lead_liaison, situation=situation, title=TITLE, kind=ActionKind.DEMARCHE,
        owner_government=governments[LEAD], due_date=now.date() + dt.timedelta(days=12),
        priority=Priority.HIGH, description="Four capitals deliver the same message to the interior ministry.",
        partners=[governments[c] for c in (DELIVERED, INVITED, DECLINED)])
    proposed = now - 6 * day
    _happened(proposed, action, (0, 0, 0))
    Action.objects.filter(pk=action.pk).update(created_at=proposed, last_activity_at=proposed)
    Commitment.objects.filter(action=action).update(created_at=proposed, last_activity_at=proposed)
    parts = {c.government.code: c for c in action.commitments.select_related("government")}
    Commitment.objects.filter(pk=parts[LEAD].pk).update(accepted_at=proposed)

    marks = _marks(action)
    action = services.action_transition(actor=situation.lead_officer, action=action,
                                        to_status=ActionStatus.AGREED, note="Agreed at the desk meeting.")
    agreed = now - 5 * day
    _happened(agreed, action, marks)
    Action.objects.filter(pk=action.pk).update(agreed_at=agreed, last_activity_at=agreed)

    delivering = users[f"liaison-{DELIVERED.lower()}"]
    marks = _marks(action)
    part = commitments.commitment_accept(actor=delivering, commitment=parts[DELIVERED],
                                         note="Our envoy joins the démarche.")
    _happened(now - 4 * day, action, marks, part, accepted_at=now - 4 * day)
    marks = _marks(action)
    commitments.commitment_deliver(actor=delivering, commitment=part,
                                   note="Delivered to the deputy minister on Tuesday.")
    _happened(now - 2 * day, action, marks, part, delivered_at=now - 2 * day)
    marks = _marks(action)
    part = commitments.commitment_decline(actor=users[f"liaison-{DECLINED.lower()}"], commitment=parts[DECLINED],
                                          reason=DECLINE_REASON)
    _happened(now - 3 * day, action, marks, part)
    marks = _marks(action)
    part = commitments.commitment_update(actor=lead_liaison, commitment=parts[LEAD],
                                         progress_note="Meeting requested for next week.")
    _happened(now - day, action, marks, part)
    return action
