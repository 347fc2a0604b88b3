"""The demo's two-person sign-off: the Kastrel desk officer has asked to lower the
situation's marking from TLP:AMBER+STRICT to TLP:AMBER, so that the observers' desks can
read the border monitors' reports; it waits for a manager or Kastrel's lead partner.
Run again, it leaves a waiting request alone, and asks anew once one has expired."""
from coordination import signoffs
from coordination.choices import Marking
from coordination.models import SignoffKind, SignoffRequest, Situation
from coordination.services import situation_update

SITUATION = ("XB", "Kastrel: militia build-up along the river border")
OFFICER = "desk2"


def ensure_pending_signoff(users) -> None:
    situation = Situation.objects.filter(country_code=SITUATION[0], title=SITUATION[1]).first()
    if situation is None or situation.marking != Marking.AMBER_STRICT:
        return
    if any(s.kind == SignoffKind.LOWER_MARKING
           for s in signoffs.pending_on_situation(user=users[OFFICER], situation_id=situation.pk)):
        return
    situation_update(actor=users[OFFICER], situation=situation, marking=Marking.AMBER)


def sign_off_at_once(result, manager):
    """The demo's past and its settled situations: a decision that needed a second person
    got it from the manager straight away. Returns what the service would have."""
    if not isinstance(result, SignoffRequest):
        return result
    signoffs.signoff_approve(actor=manager, request=result, note="Agreed with the desk.")
    return Situation.objects.get(pk=result.situation_id)
