"""The demo's joint démarche: four governments on Sunmere, each at its own stage — the
lead (Dalmerre) still owing its part, the Lakes Partnership delivered, Aldoria not yet
answered, Brevania declined with its reason. Made through the services as the people
would; found by its title on a second run, and then left as it is."""
import datetime as dt

from django.utils import timezone

from coordination import commitments, services
from coordination.choices import ActionKind, ActionStatus, Priority
from coordination.models import Action, Government, Situation

SITUATION = ("XD", "Sunmere: aid agencies expelled from the delta")
TITLE = "Joint démarche on the expulsion of relief agencies"
LEAD, DELIVERED, INVITED, DECLINED = "XDM", "XLP", "XAL", "XBV"
DECLINE_REASON = "Our ambassador is recalled for consultations; we support the text but cannot deliver it."


def ensure_joint_demarche(users: dict) -> Action | None:
    situation = Situation.objects.filter(country_code=SITUATION[0], title=SITUATION[1]).first()
    if situation is None or situation.is_closed:
        return None
    existing = Action.objects.filter(situation=situation, title=TITLE).first()
    if existing is not None:
        return existing
    governments = {g.code: g for g in Government.objects.filter(code__in=[LEAD, DELIVERED, INVITED, DECLINED])}
    lead_liaison = users[f"liaison-{LEAD.lower()}"]
    # Proposed by the lead's liaison, agreed by the desk: a partner's proposal is never
    # agreed by its proposer.
    action = commitments.joint_action_propose(
        actor=lead_liaison, situation=situation, title=TITLE, kind=ActionKind.DEMARCHE,
        owner_government=governments[LEAD], due_date=timezone.now().date() + dt.timedelta(days=12),
        priority=Priority.HIGH, description="Four capitals deliver the same message to the interior ministry.",
        partners=[governments[c] for c in (DELIVERED, INVITED, DECLINED)])
    action = services.action_transition(actor=users[situation.lead_officer.username], action=action,
                                        to_status=ActionStatus.AGREED, note="Agreed at the desk meeting.")
    parts = {c.government.code: c for c in action.commitments.select_related("government")}
    delivering = users[f"liaison-{DELIVERED.lower()}"]
    accepted = commitments.commitment_accept(actor=delivering, commitment=parts[DELIVERED],
                                             note="Our envoy joins the démarche.")
    commitments.commitment_deliver(actor=delivering, commitment=accepted,
                                   note="Delivered to the deputy minister on Tuesday.")
    commitments.commitment_decline(actor=users[f"liaison-{DECLINED.lower()}"], commitment=parts[DECLINED],
                                   reason=DECLINE_REASON)
    commitments.commitment_update(actor=lead_liaison, commitment=parts[LEAD],
                                  progress_note="Meeting requested for next week.")
    return action
