"""Page forms. They check the shape of the input only; every business rule stays in
the services (coordination.services, coordination.readings for readings), whose
DomainError is mapped back onto the field at fault."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import STAFF_ROLES, Role, User
from coordination.choices import (
    ActionKind,
    ActionStatus,
    CommitmentStatus,
    Marking,
    PartnerRole,
    Priority,
    OPEN_SITUATION_STATUSES,
    RiskLevel,
    RiskWindowKind,
    SituationOutcome,
    SituationStatus,
)
from coordination.closing import OpenActions
from coordination.models import Government, Indicator
from coordination.models.windows import MAX_SHIFT_PERCENT, MAX_WAIT_FACTOR, MAX_WINDOW_DAYS, MIN_WAIT_FACTOR


def add_domain_error(form: forms.Form, error: Exception) -> None:
    """Put a service's refusal next to the field it names, or at the top of the form."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
        return
    if isinstance(error, ValidationError):
        for message in error.messages:
            form.add_error(None, message)
        return
    field = getattr(error, "field", None)
    target = None
    if field:
        # Services name nested input with dots: "0.value" for a batch row, "params.days"
        # for a rule parameter. The page has one row, and one field holding the params.
        for candidate in (field, field.rsplit(".", 1)[-1], field.split(".", 1)[0]):
            if candidate in form.fields:
                target = candidate
                break
    message = getattr(error, "message", str(error))
    form.add_error(target, message)


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def staff_users():
    return User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by(
        "last_name", "first_name", "username")


def liaison_users():
    return User.objects.filter(is_active=True, role=Role.LIAISON).select_related("government").order_by(
        "government__name", "username")


class LiaisonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.government.code}"


class SituationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))] + SituationStatus.choices)
    risk_level = forms.ChoiceField(label=_("Risk level"), required=False,
                                   choices=[("", _("Any risk"))] + RiskLevel.choices)
    marking = forms.ChoiceField(label=_("Marking"), required=False, choices=[("", _("Any marking"))] + Marking.choices)
    country_code = forms.RegexField(label=_("Country"), required=False, regex=r"^[A-Za-z]{2}$", max_length=2,
                                    error_messages={"invalid": _("Use a two-letter country code.")})
    government = forms.ModelChoiceField(label=_("Government"), required=False, queryset=Government.objects.none(),
                                        empty_label=_("Any government"))

    def __init__(self, *args, governments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["government"].queryset = governments


def open_status_choices():
    labels = dict(SituationStatus.choices)
    return [(status, labels[status]) for status in OPEN_SITUATION_STATUSES]


class SituationForm(forms.Form):
    """Opening and editing. The status moves among the open ones only: closing and
    reopening have their own forms, which ask for an outcome or a reason. A closed
    situation's form has no status field at all (`closed=True`)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    country_code = forms.CharField(label=_("Country code"), max_length=2,
                                   help_text=_("Two capital letters, ISO 3166-1 (XA–XZ for fictional countries)."))
    area = forms.CharField(label=_("Area"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    status = forms.ChoiceField(label=_("Status"), choices=open_status_choices, initial=SituationStatus.MONITORING)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=RiskLevel.choices, initial=RiskLevel.MODERATE)
    marking = forms.ChoiceField(label=_("Sharing marking"), choices=Marking.choices, initial=Marking.AMBER,
                                help_text=_("TLP:RED: only the liaisons named on the situation page may see it."))
    lead_officer = forms.ModelChoiceField(label=_("Lead desk officer"), queryset=User.objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, closed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_officer"].queryset = staff_users()
        if closed:
            del self.fields["status"]


class SituationCloseForm(forms.Form):
    """On the situation page beside other forms with a note: prefixed, so ids stay unique."""

    prefix = "close"
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", _("Choose what became of it…"))]
                                + SituationOutcome.choices,
                                widget=forms.Select(attrs={"data-outcome-select": ""}))
    merged_into = forms.ModelChoiceField(label=_("Merged into"), queryset=None, required=False,
                                         help_text=_("Only for “Merged into another situation”."))
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("What became of the situation; required for “Other”."))
    open_actions = forms.ChoiceField(label="", widget=forms.RadioSelect, initial=OpenActions.CANCEL, choices=[
        (OpenActions.CANCEL, _("Cancel them, with the reason below")),
        (OpenActions.KEEP, _("Keep them open for their owners to finish")),
    ])
    cancel_reason = forms.CharField(label=_("Reason for cancelling"), required=False, max_length=5000)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, merge_targets, open_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_count = open_count
        self.fields["merged_into"].queryset = merge_targets
        # Shown or hidden by concert.js as the outcome changes; visible without script.
        self.fields["merged_into"].widget.attrs["data-shown-for-outcome"] = SituationOutcome.MERGED
        if open_count:
            self.fields["open_actions"].label = ngettext(
                "What to do with its %(n)d open action", "What to do with its %(n)d open actions", open_count
            ) % {"n": open_count}
        else:
            del self.fields["open_actions"], self.fields["cancel_reason"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"outcome": data["outcome"], "note": data["note"], "merged_into": data["merged_into"],
                "open_actions": data.get("open_actions") or OpenActions.CANCEL,
                "cancel_reason": data.get("cancel_reason", ""), "expected_version": data["version"]}


class SituationReopenForm(forms.Form):
    prefix = "reopen"
    note = forms.CharField(label=_("Why reopen it?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Kept in the situation's history."))
    status = forms.ChoiceField(label=_("Status"), choices=open_status_choices, initial=SituationStatus.MONITORING)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RiskWindowForm(forms.Form):
    prefix = "window"
    kind = forms.ChoiceField(label=_("Kind"), choices=RiskWindowKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    event_date = forms.DateField(label=_("Event date"), widget=DateInput, help_text=_("UTC."))
    days_before = forms.IntegerField(label=_("Days before"), min_value=0, max_value=MAX_WINDOW_DAYS, initial=7)
    days_after = forms.IntegerField(label=_("Days after"), min_value=0, max_value=MAX_WINDOW_DAYS, initial=3)
    threshold_shift_percent = forms.FloatField(
        label=_("Thresholds closer to normal by (%)"), min_value=0, max_value=MAX_SHIFT_PERCENT, initial=20)
    wait_factor = forms.FloatField(label=_("Escalation waits × "), min_value=MIN_WAIT_FACTOR,
                                   max_value=MAX_WAIT_FACTOR, initial=0.5, help_text=_("0.5 halves every wait."))
    indicators = forms.ModelMultipleChoiceField(
        label=_("Indicators on heightened watch"), queryset=Indicator.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every indicator tracked on the situation."))

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = indicators


class ReadingForm(forms.Form):
    """Staff may attribute the reading to an assigned government (`governments`); a
    liaison's form has no such field: their reading is their government's assessment."""

    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=None, empty_label=None)
    value = forms.FloatField(label=_("Value"))
    observed_at = forms.DateTimeField(label=_("Observed at"), widget=DateTimeInput,
                                      help_text=_("In your time zone."))
    source = forms.CharField(label=_("Source"), max_length=500, required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    assessing_government = forms.ModelChoiceField(
        label=_("Assessment of"), queryset=Government.objects.none(), required=False,
        empty_label=_("The secretariat (no partner)"),
        help_text=_("Record a partner government's assessment on its behalf."))

    def __init__(self, *args, indicators, governments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        if governments is None:
            del self.fields["assessing_government"]
        else:
            self.fields["assessing_government"].queryset = governments


class NoteForm(forms.Form):
    """A note on the situation's timeline; beside the reading form, so prefixed."""

    prefix = "timeline"
    body = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    indicator = forms.ModelChoiceField(label=_("About the indicator"), queryset=Indicator.objects.none(),
                                       required=False, empty_label=_("The situation as a whole"))
    reconciles = forms.BooleanField(
        label=_("The partners' diverging assessments of this indicator are reconciled"), required=False)

    def __init__(self, *args, indicators, may_reconcile: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        if not may_reconcile:
            del self.fields["reconciles"]


class AssignmentForm(forms.Form):
    government = forms.ModelChoiceField(label=_("Government"), queryset=Government.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices, initial=PartnerRole.SUPPORT)
    liaisons = LiaisonChoiceField(label=_("Liaisons"), queryset=User.objects.none(), required=False,
                                  help_text=_("Any number of the government's liaisons."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["government"].queryset = Government.objects.filter(is_active=True)
        self.fields["liaisons"].queryset = liaison_users()


class NamedRecipientsForm(forms.Form):
    """TLP:RED recipients, chosen among the liaisons of the assigned governments
    (coordination/named.py decides who may be offered and who may choose)."""

    prefix = "named"
    named_liaisons = LiaisonChoiceField(label=_("Named recipients (TLP:RED)"), queryset=User.objects.none(),
                                        required=False, widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, liaisons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_liaisons"].queryset = liaisons


class ActionProposeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActionKind.choices)
    owner_government = forms.ModelChoiceField(label=_("Owner government"), queryset=Government.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners invited (a joint action)"), queryset=Government.objects.none(), required=False,
        help_text=_("Each partner is asked to commit to its own part; the owner government leads."))

    def __init__(self, *args, governments, partners, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_government"].queryset = governments
        self.fields["partners"].queryset = partners
        self.fields["assignee"].queryset = assignees


class ActionChangeForm(forms.Form):
    """One step: optionally move the status, optionally write a progress note."""

    to_status = forms.ChoiceField(label=_("New status"), required=False)
    note = forms.CharField(label=_("Progress note"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, allowed: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ActionStatus.choices)
        self.fields["to_status"].choices = [("", _("Keep the status"))] + [(s, labels[s]) for s in allowed]

    def clean(self):
        data = super().clean()
        if not data.get("to_status") and not (data.get("note") or "").strip():
            raise ValidationError(_("Choose a new status or write a progress note."))
        return data


class CommitmentStepForm(forms.Form):
    """One government's answer on its part of a joint action: a step, a note (the
    reason, when declining)."""

    commitment = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.ChoiceField(label=_("Answer"))
    note = forms.CharField(label=_("Note (the reason, when declining)"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, allowed: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(CommitmentStatus.choices)
        self.fields["step"].choices = [(s, labels[s]) for s in allowed] or [
            (s, labels[s]) for s in CommitmentStatus.values]


class CommitmentInviteForm(forms.Form):
    government = forms.ModelChoiceField(label=_("Invite a partner"), queryset=Government.objects.none())
    due_date = forms.DateField(label=_("Due date (default: the action's)"), required=False, widget=DateInput)

    def __init__(self, *args, governments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["government"].queryset = governments
