"""The parts of the situation page that closing and risk windows add: their forms, the
outcome, the window list, and the windows on the timeline. situations.py builds the page
from these; the views that post the forms (closing.py, windows.py) build them again when
a form comes back refused."""
import datetime as dt

from coordination import named, selectors, windows
from coordination.choices import SituationStatus
from coordination.forms import NamedRecipientsForm, RiskWindowForm, SituationCloseForm, SituationReopenForm
from coordination.models import Indicator
from coordination.sharing import can_see_situation

# Upcoming windows further ahead than this are listed, not drawn: they would squeeze the
# charts' series into a corner.
WINDOWS_DRAWN_AHEAD = dt.timedelta(days=90)


# --- Closing ------------------------------------------------------------------------------

def close_form_for(user, situation, *, open_count: int, data=None) -> SituationCloseForm:
    targets = (selectors.situation_list(user=user).exclude(pk=situation.pk)
               .exclude(status=SituationStatus.CLOSED).order_by("title", "id"))
    return SituationCloseForm(data, merge_targets=targets, open_count=open_count,
                              initial={"version": situation.version})


def reopen_form_for(situation, data=None) -> SituationReopenForm:
    return SituationReopenForm(data, initial={"version": situation.version})


def closing_context(user, situation, actions, forms) -> dict:
    staff = user.sees_all_situations
    context = {"close_form": None, "reopen_form": None, "merged_into_visible": False}
    if situation.is_closed:
        context["reopen_form"] = forms.get("reopen_form") or (reopen_form_for(situation) if staff else None)
        # A liaison may see a situation merged into one they may not: then it is not named.
        context["merged_into_visible"] = situation.merged_into_id is not None and can_see_situation(
            user, situation.merged_into_id)
    elif staff:
        open_count = sum(1 for a in actions if a.is_open)
        context["close_form"] = forms.get("close_form") or close_form_for(user, situation, open_count=open_count)
    return context


# --- Named recipients (TLP:RED) ---------------------------------------------------------

def named_form_for(user, situation, data=None):
    """The form for those who may name, else None (the page then only lists the names)."""
    if not named.may_name_recipients(user, situation):
        return None
    return NamedRecipientsForm(data, liaisons=named.nameable_liaisons(situation),
                               initial={"named_liaisons": [u.pk for u in situation.named_liaisons.all()],
                                        "version": situation.version})


def named_context(user, situation, forms) -> dict:
    return {"named_form": forms.get("named_form") or named_form_for(user, situation)}


# --- Risk windows ---------------------------------------------------------------------------

def window_form_for(situation, tracked_indicator_ids, data=None) -> RiskWindowForm:
    return RiskWindowForm(data, indicators=Indicator.objects.filter(pk__in=tracked_indicator_ids)
                          .order_by("risk_factor", "code"))


def situation_windows(user, situation) -> list:
    return list(selectors.risk_window_list(user=user, situation_id=situation.pk).order_by("event_date", "id"))


def drawn_windows(all_windows, today: dt.date) -> list:
    """The windows drawn on the charts and the timeline: open now, or opening soon."""
    return [w for w in all_windows if w.ends_on >= today and w.starts_on <= today + WINDOWS_DRAWN_AHEAD]


def _state(window, today: dt.date) -> str:
    if window.is_active_on(today):
        return "active"
    return "upcoming" if window.starts_on > today else "past"


def windows_context(user, situation, all_windows, tracked_indicator_ids, forms) -> dict:
    today = windows.today_utc()
    form = forms.get("window_form")
    if form is None and user.sees_all_situations and not situation.is_closed:
        form = window_form_for(situation, tracked_indicator_ids)
    return {
        "risk_windows": [{"window": w, "state": _state(w, today)} for w in all_windows],
        "window_form": form,
        "window_notice": forms.get("window_notice"),
    }


def window_timeline_entries(all_windows) -> list[dict]:
    """Open and coming windows as timeline entries, dated by their first day (so one still
    to come sits at the top of the newest-first timeline)."""
    today = windows.today_utc()
    return [{"at": dt.datetime.combine(w.starts_on, dt.time(0), tzinfo=dt.timezone.utc), "kind": "window",
             "window": w, "state": _state(w, today)} for w in drawn_windows(all_windows, today)]
