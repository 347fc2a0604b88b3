"""The demo's two-person sign-off: the Kastrel desk officer has asked to lower the
situation's marking from TLP:AMBER+STRICT to TLP:AMBER, so that the observers' desks can
read the border monitors' reports; it waits for a manager or Kastrel's lead partner.
Run again, it asks nothing more: the world loads the same on any day (tests/test_demo_data.py),
so on a database loaded more than SIGNOFF_EXPIRY_HOURS ago the request reads as expired,
as any would."""
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
    if SignoffRequest.objects.filter(situation=situation, kind=SignoffKind.LOWER_MARKING,
                                     requested_by=users[OFFICER]).exists():
        return
    situation_update(actor=users[OFFICER], situation=situation, marking=Marking.AMBER)


def sign_off_at_once(result, manager):
    """The demo's past and its settled situations: a decision that needed a second person
    got it from the manager straight away. Returns what the service would have."""
    if not isinstance(result, SignoffRequest):
        return result
    signoffs.signoff_approve(actor=manager, request=result, note="Agreed with the desk.")
    return Situation.objects.get(pk=result.situation_id)
