"""Situation pages: list, detail (chart, readings, board, timeline, history; closing and
risk windows from panels.py) and the forms that open, edit, measure, assign and
propose. Writes go through coordination.services (readings through coordination.readings);
reads through coordination.selectors."""
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from coordination import assessments, commitments, extensions, notes, selectors, services, signoffs, windows
from coordination.choices import OPEN_ACTION_STATUSES, ActionStatus, SituationStatus
from coordination.forms import (
    ActionProposeForm,
    AssignmentForm,
    NoteForm,
    ReadingForm,
    SituationFilterForm,
    SituationForm,
    add_domain_error,
)
from coordination.models import Government, Indicator, SignoffRequest
from coordination.readings import reading_record
from coordination.views.charts import build_chart
from coordination.views import checkins as checkin_panel
from coordination.views import panels
from coordination.views import signoffs as signoff_views
from coordination.views.common import get_scoped_or_404, page_number, print_marking, staff_only
from core.errors import DomainError, VersionConflict

SITUATIONS_PER_PAGE = 50
READINGS_PER_CHART = 60
HISTORY_SHOWN = 20
TIMELINE_SHOWN = 30
HISTORY_FIELDS = ("title", "country_code", "area", "summary", "status", "risk_level", "marking", "lead_officer_id",
                  "outcome")


@login_required
def situation_list(request):
    governments = selectors.government_list(user=request.user)
    form = SituationFilterForm(request.GET or None, governments=governments)
    qs = selectors.situation_list(user=request.user).annotate(
        open_actions=Count("actions", filter=Q(actions__status__in=OPEN_ACTION_STATUSES), distinct=True)
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"]
            qs = qs.filter(Q(title__icontains=q) | Q(area__icontains=q) | Q(summary__icontains=q)
                           | Q(country_code__iexact=q))
        for name in ("status", "risk_level", "marking"):
            if data[name]:
                qs = qs.filter(**{name: data[name]})
        if data["country_code"]:
            qs = qs.filter(country_code=data["country_code"].upper())
        if data["government"]:
            qs = qs.filter(assignments__government=data["government"])
    page = Paginator(qs.order_by("title", "id"), SITUATIONS_PER_PAGE).get_page(page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "coordination/situation_list.html", {
        "form": form, "page": page, "query": query.urlencode(), **print_marking(page.object_list),
    })


def _history_entries(situation):
    records = list(situation.history.select_related("history_user").order_by("-history_date", "-history_id")[
        :HISTORY_SHOWN + 1])
    entries = []
    for newer, older in zip(records, records[1:] + [None]):
        if len(entries) == HISTORY_SHOWN:
            break
        changed = []
        event = None
        if older is not None:
            for name in HISTORY_FIELDS:
                if getattr(newer, name) != getattr(older, name):
                    label = situation._meta.get_field(name.removesuffix("_id")).verbose_name
                    changed.append(str(label))
            was_closed, is_closed = older.status == SituationStatus.CLOSED, newer.status == SituationStatus.CLOSED
            event = "closed" if is_closed and not was_closed else "reopened" if was_closed and not is_closed else None
        entries.append({"record": newer, "changed": changed, "event": event})
    return entries


def _timeline(updates, history, all_windows, situation_notes=()) -> list[dict]:
    """What happened to the situation, newest first: its actions' progress log, the
    notes of staff and partners, its closings and reopenings (read from the history
    already loaded for the page), and its open and coming risk windows."""
    entries = [{"at": u.created_at, "kind": "update", "update": u} for u in updates]
    entries += [{"at": n.created_at, "kind": "note", "note": n} for n in situation_notes]
    entries += [{"at": e["record"].history_date, "kind": e["event"], "record": e["record"]}
                for e in history if e["event"]]
    entries += panels.window_timeline_entries(all_windows)
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries[:TIMELINE_SHOWN]


def _charts(user, situation, all_windows):
    tracked = list(selectors.tracked_indicator_list(user=user, situation_id=situation.pk))
    readings = list(
        selectors.reading_list(user=user, situation_id=situation.pk)
        .filter(superseded_by__isnull=True)
        .order_by("-observed_at", "-id")[: READINGS_PER_CHART * max(1, len(tracked))]
    )
    by_indicator = defaultdict(list)
    for reading in readings:
        if len(by_indicator[reading.indicator_id]) < READINGS_PER_CHART:
            by_indicator[reading.indicator_id].append(reading)
    today = windows.today_utc()
    drawn = panels.drawn_windows(all_windows, today)
    charts = [build_chart(t, list(reversed(by_indicator[t.indicator_id])), windows=drawn, today=today)
              for t in tracked]
    return tracked, charts, readings[:10]


def indicator_panel_context(request, situation, reading_form=None, notice=None, all_windows=None):
    if all_windows is None:  # the panel alone (htmx), not within the whole page
        all_windows = panels.situation_windows(request.user, situation)
    tracked, charts, latest = _charts(request.user, situation, all_windows)
    user = request.user
    may_assess = assessments.may_assess(user, situation.pk)
    if reading_form is None and may_assess and tracked:
        reading_form = ReadingForm(
            indicators=Indicator.objects.filter(pk__in=[t.indicator_id for t in tracked]),
            governments=_assigned_governments(situation) if user.sees_all_situations else None,
            initial={"observed_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
    return {"situation": situation, "charts": charts, "latest_readings": latest, "reading_form": reading_form,
            "reading_notice": notice, "tracked_indicator_ids": [t.indicator_id for t in tracked],
            "assessing_as": None if user.sees_all_situations else user.government,
            "partner_assessments": _partner_assessments(situation, tracked)}


def _assigned_governments(situation):
    return Government.objects.filter(assignments__situation=situation).order_by("name")


def _partner_assessments(situation, tracked) -> list[dict]:
    """Per tracked indicator, each partner's latest assessment and whether they diverge
    by the default measure (the alert rule may use its own)."""
    latest = assessments.latest_assessments(situation.pk, [t.indicator_id for t in tracked])
    rows = []
    for t in tracked:
        found = latest.get(t.indicator_id)
        if found:
            rows.append({"indicator": t.indicator, "assessments": found,
                         "divergence": assessments.divergence(t.indicator, found)})
    return rows


def situation_detail_context(request, situation, **forms):
    user = request.user
    actions = list(selectors.action_list(user=user).filter(situation_id=situation.pk).order_by("due_date", "id"))
    today = timezone.localdate()
    board = []
    for status, label in ActionStatus.choices:
        column = [a for a in actions if a.status == status]
        board.append({"status": status, "label": label, "actions": column})
    updates = list(
        selectors.action_update_list(user=user)
        .filter(action__situation_id=situation.pk)
        .order_by("-created_at", "-id")[:TIMELINE_SHOWN]
    )
    history = _history_entries(situation)
    all_windows = panels.situation_windows(user, situation)
    situation_notes = list(selectors.note_list(user=user, situation_id=situation.pk)
                           .order_by("-created_at", "-id")[:TIMELINE_SHOWN])
    context = {
        "situation": situation,
        "board": board,
        "today": today,
        "timeline": _timeline(updates, history, all_windows, situation_notes),
        "history": history,
        "assignment_form": forms.get("assignment_form") or (AssignmentForm() if user.sees_all_situations else None),
        "open_alerts": extensions.alert_reads().open_alerts_for_situation(user, situation.pk),
        "gap": extensions.alert_reads().gap_for_situation(user, situation.pk),
        "signoff_rows": signoff_views.rows(signoffs.pending_on_situation(user=user, situation_id=situation.pk)),
        "now": timezone.now(),
    }
    context.update(panels.closing_context(user, situation, actions, forms))
    context.update(panels.named_context(user, situation, forms))
    context.update(indicator_panel_context(request, situation, reading_form=forms.get("reading_form"),
                                           notice=forms.get("reading_notice"), all_windows=all_windows))
    context["note_form"] = forms.get("note_form") or note_form_for(user, situation,
                                                                   context["tracked_indicator_ids"])
    context.update(panels.windows_context(user, situation, all_windows, context["tracked_indicator_ids"], forms))
    context.update(checkin_panel.checkin_context(user, situation, form=forms.get("checkin_form")))
    return context


@login_required
def situation_detail(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    return render(request, "coordination/situation_detail.html", situation_detail_context(request, situation))


def _situation_kwargs(data):
    # A closed situation's form has no status: it changes only by closing or reopening.
    return {name: data[name] for name in ("title", "country_code", "area", "summary", "status", "risk_level",
                                          "marking", "lead_officer") if name in data}


@login_required
def situation_create(request):
    staff_only(request.user)
    form = SituationForm(request.POST or None, initial={"lead_officer": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            situation = services.situation_open(actor=request.user, **_situation_kwargs(form.cleaned_data))
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            return redirect("pages:situation-detail", situation_id=situation.pk)
    return render(request, "coordination/situation_form.html", {"form": form, "situation": None},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
def situation_edit(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    staff_only(request.user)
    initial = {name: getattr(situation, name) for name in ("title", "country_code", "area", "summary", "status",
                                                          "risk_level", "marking", "lead_officer")}
    initial["version"] = situation.version
    form = SituationForm(request.POST or None, initial=initial, closed=situation.is_closed)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.situation_update(actor=request.user, situation=situation,
                                               expected_version=form.cleaned_data["version"],
                                               **_situation_kwargs(form.cleaned_data))
        except VersionConflict as error:
            # Keep what was typed; show what is stored now; the next save is deliberate.
            conflict = error
            situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
            data = request.POST.copy()
            data["version"] = situation.version
            form = SituationForm(data, initial=initial, closed=situation.is_closed)
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            if isinstance(result, SignoffRequest):
                signoff_views.announce_waiting(request)
                return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#signoffs")
            return redirect("pages:situation-detail", situation_id=situation.pk)
    status = 409 if conflict else (400 if form.is_bound and form.errors else 200)
    return render(request, "coordination/situation_form.html",
                  {"form": form, "situation": situation, "conflict": conflict}, status=status)


def note_form_for(user, situation, tracked_indicator_ids, data=None):
    if not assessments.may_assess(user, situation.pk):
        return None
    return NoteForm(data, indicators=Indicator.objects.filter(pk__in=tracked_indicator_ids),
                    may_reconcile=notes.may_reconcile(user, situation))


@login_required
@require_POST
def reading_create(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    if not assessments.may_assess(request.user, situation.pk):
        raise PermissionDenied
    tracked_ids = selectors.tracked_indicator_list(user=request.user, situation_id=situation.pk).values("indicator_id")
    form = ReadingForm(request.POST, indicators=Indicator.objects.filter(pk__in=tracked_ids),
                       governments=_assigned_governments(situation) if request.user.sees_all_situations else None)
    notice = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            reading_record(actor=request.user, situation=situation, indicator=data["indicator"],
                           value=data["value"], observed_at=data["observed_at"], source=data["source"],
                           note=data["note"], assessing_government=data.get("assessing_government"))
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            notice = _("Reading recorded: %(indicator)s = %(value)g.") % {
                "indicator": data["indicator"].name, "value": data["value"]}
            form = None
    ok = form is None
    if request.htmx:
        context = indicator_panel_context(request, situation, reading_form=form, notice=notice)
        return render(request, "coordination/_indicator_panel.html", context)
    if ok:
        return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#indicators")
    return render(request, "coordination/situation_detail.html",
                  situation_detail_context(request, situation, reading_form=form), status=400)


@login_required
@require_POST
def assignment_create(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    staff_only(request.user)
    form = AssignmentForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_create(actor=request.user, situation=situation, **form.cleaned_data)
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            return redirect(reverse("pages:situation-detail", args=[situation.pk]) + "#partners")
    return render(request, "coordination/situation_detail.html",
                  situation_detail_context(request, situation, assignment_form=form), status=400)


@login_required
def action_propose(request, situation_id: int):
    situation = get_scoped_or_404(selectors.situation_list(user=request.user), pk=situation_id)
    user = request.user
    assigned = selectors.government_list(user=user).filter(assignments__situation=situation).order_by("name")
    assignees = User.objects.filter(is_active=True).order_by("username")
    if not user.sees_all_situations:
        # A partner liaison proposes for their own government (the service decides; the
        # page offers only that). Their situation is one their government is assigned to.
        if not user.is_liaison:
            raise PermissionDenied
        governments = assigned.filter(pk=user.government_id)
        assignees = assignees.filter(government_id=user.government_id)
    else:
        governments = assigned
    form = ActionProposeForm(request.POST or None, governments=governments, partners=assigned,
                             assignees=assignees)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        partners = list(data.pop("partners") or [])
        try:
            if partners:
                action = commitments.joint_action_propose(actor=user, situation=situation, partners=partners,
                                                          **data)
            else:
                action = services.action_propose(actor=user, situation=situation, **data)
        except (DomainError, ValidationError) as error:
            add_domain_error(form, error)
        else:
            return redirect("pages:action-detail", action_id=action.pk)
    return render(request, "coordination/action_propose.html", {"form": form, "situation": situation},
                  status=400 if form.is_bound and form.errors else 200)
